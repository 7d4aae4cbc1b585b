"""Quality on generated blobs with known truth: adjusted Rand index >= 0.95, and kseg's inertia
no worse than scikit-learn KMeans(n_init=10) on the same data by more than 0.1%."""
import h5py
import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from kseg_e2e import Checks, Kseg, parse_args

CASES = [  # customers, features, segments
    (40000, 8, 6),
    (25000, 3, 5),
    (20000, 16, 10),
]


def inertia(x, centroids, segment):
    return float(((x.astype(np.float64) - centroids[segment].astype(np.float64)) ** 2).sum())


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    for customers, features, segments in CASES:
        name = f"{customers}x{features} k={segments}"
        data = kseg.generate(f"blobs-{features}.h5", customers=customers, features=features, segments=segments,
                             seed=features)
        result = kseg.path(f"result-{features}.h5")
        kseg.run("run", "--input", data, "--out", result, "--k", segments, "--n-init", 10, "--quiet", ranks=2)
        with h5py.File(data, "r") as f:
            x = f["features/matrix"][:]
            truth = f["truth/segment"][:]
        with h5py.File(result, "r") as f:
            segment = f["segments/segment"][:]
            centroids = f["model/centroids"][:]
        ari = adjusted_rand_score(truth, segment)
        checks.expect(ari >= 0.95, f"{name}: adjusted Rand index {ari:.4f} >= 0.95")
        ours = inertia(x, centroids, segment)
        theirs = KMeans(n_clusters=segments, n_init=10, random_state=0).fit(x).inertia_
        checks.expect(ours <= theirs * 1.001,
                      f"{name}: kseg inertia {ours:.6g} within 0.1% of scikit-learn's {theirs:.6g} "
                      f"(ratio {ours / theirs:.6f})")
    checks.finish()


if __name__ == "__main__":
    main()
