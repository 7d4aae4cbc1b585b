"""kseg select-k: on generated blobs with 5 true segments it recommends k = 5; its Calinski-Harabasz
and Davies-Bouldin equal scikit-learn's on the same segmentation (run to Lloyd's fixed point,
--tol 0, where the centroids are exactly the segments' means, as scikit-learn takes them); its sampled silhouette is within
a few standard errors of scikit-learn's exact silhouette; 1 and 4 ranks agree exactly."""
import json

import h5py
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

from kseg_e2e import Checks, Kseg, parse_args


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    data = kseg.generate("blobs.h5", customers=20000, features=6, segments=5, seed=11)
    sweeps = {ranks: json.loads(kseg.run("select-k", "--input", data, "--k", "2..8", "--tol", 0, "--json",
                                          "--quiet", "--device", "cpu", ranks=ranks).stdout) for ranks in (1, 4)}
    sweep = sweeps[1]
    checks.expect(sweep["recommended_k"] == 5, f"recommends the true k = 5 ({sweep['recommended_k']})")
    checks.expect(sweeps[4] == sweep, "4 ranks give exactly the 1-rank sweep")
    with h5py.File(data, "r") as f:
        x = f["features/matrix"][:]
    for row in sweep["sweep"]:
        if row["k"] not in (3, 5):
            continue
        out = kseg.path(f"k{row['k']}.h5")
        kseg.run("run", "--input", data, "--out", out, "--k", row["k"], "--tol", 0, "--device", "cpu", "--quiet",
                 ranks=2)
        with h5py.File(out, "r") as f:
            labels = f["segments/segment"][:]
        ch, db = calinski_harabasz_score(x, labels), davies_bouldin_score(x, labels)
        checks.expect(abs(row["calinski_harabasz"] - ch) <= 1e-5 * ch, f"k={row['k']}: CH {row['calinski_harabasz']:.6g} = sklearn {ch:.6g}")
        checks.expect(abs(row["davies_bouldin"] - db) <= 1e-5 * db, f"k={row['k']}: DB {row['davies_bouldin']:.6g} = sklearn {db:.6g}")
        exact = silhouette_score(x, labels)
        checks.expect(abs(row["silhouette"] - exact) <= 4 * row["silhouette_stderr"] + 0.01,
                      f"k={row['k']}: sampled silhouette {row['silhouette']:.4f} ± {row['silhouette_stderr']:.4f} "
                      f"vs exact {exact:.4f}")
    checks.finish()


if __name__ == "__main__":
    main()
