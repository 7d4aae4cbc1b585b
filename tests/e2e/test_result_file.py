"""`kseg generate` + `mpiexec -n 2 kseg run` produce a result file whose every dataset and
attribute h5py can read and whose contents are right: each customer sits in its nearest segment,
distances and sizes agree with the data, and the run records its configuration."""
import tomllib

import h5py
import numpy as np

from kseg_e2e import Checks, Kseg, parse_args


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    data = kseg.generate("customers.h5", customers=12345, features=5, segments=4)
    config = kseg.path("job.toml")
    with open(config, "w") as f:
        # tol = 0 runs Lloyd to its fixed point, where centroids are exactly their customers' means.
        f.write('k = 4\nseed = 9\ninit = "k-means++"\nn-init = 2\ntol = 0.0\n')
    result = kseg.path("result.h5")
    kseg.run("run", "--input", data, "--out", result, "--config", config, "--quiet", ranks=2)

    with h5py.File(data, "r") as f:
        x = f["features/matrix"][:]
        ids = f["features/customer_id"][:]
        names = [n.decode() if isinstance(n, bytes) else n for n in f["features/matrix"].attrs["names"]]
    with h5py.File(result, "r") as f:
        customer_id = f["segments/customer_id"][:]
        segment = f["segments/segment"][:]
        distance = f["segments/distance"][:]
        centroids = f["model/centroids"][:]
        sizes = f["model/segment_size"][:]
        feature_names = [n.decode() for n in f["model/feature_names"][:]]
        attrs = dict(f.attrs)

    checks.expect(segment.dtype == np.int32 and distance.dtype == np.float32 and customer_id.dtype == np.int64,
                  "dtypes: segment int32, distance float32, customer_id int64")
    checks.expect(np.array_equal(customer_id, ids), "customer ids in input order")
    checks.expect(centroids.shape == (4, 5) and centroids.dtype == np.float32, "centroids [k, d] float32")
    checks.expect(feature_names == names, "feature names carried from the input")
    checks.expect(segment.min() >= 0 and segment.max() < 4, "segments in [0, k)")
    checks.expect(np.array_equal(np.bincount(segment, minlength=4), sizes), "segment_size counts the segments")

    sq = ((x[:, None, :].astype(np.float64) - centroids[None, :, :]) ** 2).sum(axis=2)
    nearest = sq.argmin(axis=1)
    checks.expect(np.mean(nearest == segment) > 0.9999, "every customer is in its nearest segment")
    own = np.sqrt(sq[np.arange(len(x)), segment])
    checks.expect(np.allclose(distance, own, rtol=1e-5, atol=1e-5), "distance = Euclidean distance to own centroid")
    means = np.array([x[segment == s].mean(axis=0) for s in range(4)])
    checks.expect(np.allclose(means, centroids, rtol=1e-5, atol=1e-5), "centroids are the means of their customers")
    checks.expect(attrs["converged"] == 1, "converged")
    inertia = float((own.astype(np.float64) ** 2).sum())
    checks.expect(abs(attrs["inertia"] - inertia) <= 1e-5 * inertia, "inertia attribute matches the data")

    for key in ["k", "seed", "inertia", "iterations", "converged", "version", "config", "input_checksum",
                "elapsed_read_s", "elapsed_init_s", "elapsed_lloyd_s", "elapsed_swap_s", "swap_patience",
                "swap_trials", "swaps_accepted", "init", "n_init", "init_trials", "init_sample",
                "init_trial_customers", "ranks"]:
        checks.expect(key in attrs, f"attribute {key} present")
    checks.expect(attrs["k"] == 4 and attrs["seed"] == 9 and attrs["n_init"] == 2 and attrs["init"] == "k-means++",
                  "options from --config took effect")
    effective = tomllib.loads(attrs["config"])
    checks.expect(effective.get("k") == 4 and effective.get("max-iter") == 300,
                  "config attribute is TOML with every effective option")
    checks.expect(attrs["ranks"] == 2, "ranks recorded")

    # The same input read on one rank gives the same checksum: it identifies content, not layout.
    again = kseg.path("again.h5")
    kseg.run("run", "--input", data, "--out", again, "--k", 4, "--quiet", ranks=1)
    with h5py.File(again, "r") as f:
        checks.expect(f.attrs["input_checksum"] == attrs["input_checksum"], "input checksum independent of ranks")
    checks.finish()


if __name__ == "__main__":
    main()
