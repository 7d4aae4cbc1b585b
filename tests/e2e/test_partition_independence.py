"""The same input and seed give bit-identical centroids, assignments and distances with 1, 2 and
4 ranks, for every initialisation, read back from the result files with h5py."""
import h5py
import numpy as np

from kseg_e2e import Checks, Kseg, parse_args

ARRAYS = ["segments/customer_id", "segments/segment", "segments/distance", "model/centroids", "model/segment_size"]


def read(path):
    with h5py.File(path, "r") as f:
        return {name: f[name][:] for name in ARRAYS}, f.attrs["inertia"], f.attrs["iterations"]


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    data = kseg.generate("customers.h5", customers=30011, features=7, segments=6, separation=2.5)
    for init in ["k-means||", "k-means++", "random"]:
        results = {}
        for ranks in [1, 2, 4]:
            out = kseg.path(f"result-{init}-{ranks}.h5".replace("|", "p"))
            kseg.run("run", "--input", data, "--out", out, "--k", 6, "--init", init, "--n-init", 2, "--seed", 5,
                     "--quiet", ranks=ranks)
            results[ranks] = read(out)
        reference, inertia, iterations = results[1]
        for ranks in [2, 4]:
            arrays, other_inertia, other_iterations = results[ranks]
            identical = all(arrays[n].tobytes() == reference[n].tobytes() for n in ARRAYS)
            checks.expect(identical and other_inertia == inertia and other_iterations == iterations,
                          f"{init}: {ranks} ranks bit-identical to 1 rank")
    checks.finish()


if __name__ == "__main__":
    main()
