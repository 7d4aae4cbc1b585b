"""Quality on generated blobs with known truth: adjusted Rand index >= 0.95, and kseg's inertia
no worse than scikit-learn KMeans(n_init=10) on the same data by more than 0.1%. Then quality on
defaults on hard sets (bench/quality_suite.py's shapes: 2-D and 8-D, k = 15 … 100, sizes 1:20,
some overlapping) drawn from seeds the defaults were not tuned on: `kseg run --k K` alone must
find every true cluster (centroid index 0) on each well-separated set and leave at most one
unfound where clusters overlap, where plain Lloyd (one start, no swaps) leaves several. Last, on
data without clusters (where k-means picks one of many local minima: uniform, and log-gamma like
a retailer's RFM features), 5,000 customers (initialisation trials on all) and 80,000 (on a
sample): kseg's defaults must end, on average, within 0.25% of scikit-learn's default inertia
(best of 10 starts), where one start (--init-trials 1) ends about 0.6% above it."""
import os
import sys

import h5py
import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from kseg_e2e import Checks, Kseg, parse_args

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from quality_suite import SETS, centroid_index, make_set  # noqa: E402

HELD_OUT_SEED = 100  # added to the bench's seeds: sets the defaults never saw

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
    hard_sets_on_defaults(kseg, checks)
    unstructured_on_defaults(kseg, checks)
    checks.finish()


def fit(kseg, x, k, *options):
    data, result = kseg.path("hard.h5"), kseg.path("hard-result.h5")
    with h5py.File(data, "w") as f:
        f["features/matrix"] = x
        f["features/customer_id"] = np.arange(1, len(x) + 1, dtype=np.int64)
    kseg.run("run", "--input", data, "--k", k, "--out", result, "--force", "--quiet", "--transform", "*=none",
             *options, ranks=2)
    with h5py.File(result, "r") as f:
        return f["model/centroids"][:].astype(np.float64), f["segments/segment"][:]


def hard_sets_on_defaults(kseg, checks):
    plain_unfound = 0
    for seed, (name, d, k, n, separation) in enumerate(SETS):
        x, truth, mu = make_set(seed + HELD_OUT_SEED, d, k, n, separation)
        centroids, segment = fit(kseg, x, k)
        ci, ari = centroid_index(centroids, mu), adjusted_rand_score(truth, segment)
        overlapping = "overlap" in name
        checks.expect(ci <= (1 if overlapping else 0) and ari >= (0.94 if overlapping else 0.99),
                      f"{name} on defaults: centroid index {ci} (true clusters unfound), ARI {ari:.3f}")
        plain_unfound += centroid_index(fit(kseg, x, k, "--swap-patience", 0, "--init-trials", 1)[0], mu)
    checks.expect(plain_unfound >= len(SETS), f"plain Lloyd leaves clusters unfound on these sets ({plain_unfound})")


def unstructured_on_defaults(kseg, checks):
    rng = np.random.default_rng(5)
    sets = [("uniform 5000x2", rng.uniform(0, 1, (5000, 2)), 12),
            ("log-gamma 5000x6", np.log1p(rng.gamma(1.5, 2.0, (5000, 6))), 10),
            ("log-gamma 80000x6", np.log1p(rng.gamma(1.5, 2.0, (80000, 6))), 10),
            ("uniform 80000x4", rng.uniform(0, 1, (80000, 4)), 16)]
    above = {"defaults": [], "one start": []}
    for name, x, k in sets:
        x = x.astype(np.float32)
        theirs = KMeans(n_clusters=k, n_init=10, random_state=0).fit(x).inertia_
        for method, options in (("defaults", ()), ("one start", ("--init-trials", 1))):
            centroids, segment = fit(kseg, x, k, *options)
            above[method].append(inertia(x, centroids, segment) / theirs - 1)
        checks.expect(above["defaults"][-1] <= above["one start"][-1] + 1e-4,
                      f"{name}: the initialisation trials end no higher than one start "
                      f"({above['defaults'][-1]:+.3%} against {above['one start'][-1]:+.3%} of scikit-learn's inertia)")
    mean = {method: float(np.mean(values)) for method, values in above.items()}
    checks.expect(mean["defaults"] <= 0.0025 < mean["one start"],
                  f"without clusters, kseg's defaults end {mean['defaults']:+.3%} from scikit-learn's default inertia "
                  f"on average (one start: {mean['one start']:+.3%})")


if __name__ == "__main__":
    main()
