"""The engine against its peers in one run on the same data (issue 14, item 5).

For each case N x D x K (generated blobs, `kseg generate`), and for a synthetic retailer's
customers (--retailer N: `kseg generate --transactions` over 2024, `kseg features` as of its last
day, then the six RFM features kseg segments on by default, through its default transforms;
K = 8), it measures, with the same threads:

- from the same K initial rows (numpy default_rng(0)): milliseconds per Lloyd iteration after
  iteration 5 of kseg's default Lloyd (`kseg bench --acceleration hamerly`: mean of iterations
  6..25) and of plain Lloyd (`--acceleration none`, median), scikit-learn `lloyd` and `elkan` and
  FAISS CPU (`faiss.Kmeans`, run in --faiss-python, e.g. a venv with `pip install faiss-cpu
  h5py`): the peers' figure is (time of 25 iterations - time of 5) / 20, so their fixed costs drop
  out; and the time to convergence (tol 1e-4) of scikit-learn `lloyd` and `elkan`, with their
  iterations and inertia. kseg's Lloyd is the canonical one, so from the same start it takes
  scikit-learn lloyd's iteration count: its time to convergence is that many bounded iterations
  timed (`kseg bench --iters N-1`, plus the warm-up), and plain Lloyd's N x its median, marked *;
- on defaults: `kseg run --k K` (k-means|| and the swap refinement; fit time = init + Lloyd + swap
  from the result file) against scikit-learn `KMeans(n_clusters=K)` (k-means++, n_init=10), fit
  time and inertia.

Every inertia but kseg bench's (an exact sum) is recomputed here in float64 from the engine's
final centroids (lloyd_vs_sklearn.float64_inertia), so that "equal or lower" compares like with
like: the peers' own figures are accumulated in float32.

    /usr/bin/python3 bench/compare_engines.py --kseg build/kseg --faiss-python /tmp/faissenv/bin/python
    /usr/bin/python3 bench/compare_engines.py --kseg build/kseg --cases '' --retailer 1000000  # quicker
    /usr/bin/python3 bench/quality_suite.py --kseg build/kseg     # the quality table beside it
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lloyd_vs_sklearn as common  # noqa: E402  (pin_threads must precede the numpy import)

EARLY, LATE = 5, 25  # iterations: the per-iteration figure is (t(LATE) - t(EARLY)) / (LATE - EARLY)

FAISS_SNIPPET = """
import sys, time, h5py, numpy as np, faiss, json
faiss.omp_set_num_threads(int(sys.argv[3]))
x = np.ascontiguousarray(h5py.File(sys.argv[1], "r")["/features/matrix"][...])
c = np.ascontiguousarray(h5py.File(sys.argv[2], "r")["/centroids"][...])
times = {}
for niter in (%d, %d):
    km = faiss.Kmeans(x.shape[1], len(c), niter=niter, seed=0, max_points_per_centroid=len(x))
    start = time.perf_counter()
    km.train(x, init_centroids=c)
    times[niter] = time.perf_counter() - start
np.save(sys.argv[4], km.centroids)
print(json.dumps({"seconds": times}))
""" % (EARLY, LATE)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kseg", type=Path, required=True)
    parser.add_argument("--faiss-python", help="a Python with faiss and h5py (skipped, and said so, without)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cases", type=lambda text: common.parse_cases(text) if text else [],
                        default="1000000x16x16,1000000x32x64")
    parser.add_argument("--retailer", type=int, default=10_000_000, help="customers of the retailer case (0: none)")
    parser.add_argument("--retailer-features", help="a `kseg features` file to use instead of generating one")
    return parser.parse_args()


def sklearn_fit(matrix, **options):
    from sklearn.cluster import KMeans

    start = time.perf_counter()
    model = KMeans(**options).fit(matrix)
    return time.perf_counter() - start, model


def sklearn_runs(matrix, centroids, threads):
    out = {}
    with common.thread_limit(threads):
        for algorithm in ("lloyd", "elkan"):
            fixed = dict(n_clusters=len(centroids), init=centroids, n_init=1, algorithm=algorithm)
            sklearn_fit(matrix, max_iter=1, tol=0, **fixed)  # warm-up
            early, _ = sklearn_fit(matrix, max_iter=EARLY, tol=0, **fixed)
            late, _ = sklearn_fit(matrix, max_iter=LATE, tol=0, **fixed)
            seconds, model = sklearn_fit(matrix, **fixed)
            out[algorithm] = {"ms_per_iteration": 1e3 * (late - early) / (LATE - EARLY), "converge_s": seconds,
                              "iterations": int(model.n_iter_),
                              "inertia": common.float64_inertia(matrix, model.cluster_centers_)}
        seconds, model = sklearn_fit(matrix, n_clusters=len(centroids), n_init=10, random_state=0)
        out["default"] = {"fit_s": seconds, "inertia": common.float64_inertia(matrix, model.cluster_centers_)}
    return out


def faiss_run(python, matrix, data_path, init_path, threads, workdir):
    import numpy as np

    if not python:
        return None
    centroids_path = workdir / "faiss-centroids.npy"
    done = subprocess.run([python, "-c", FAISS_SNIPPET, data_path, init_path, str(threads), str(centroids_path)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        common.progress(f"FAISS failed: {done.stderr.strip()[-300:]}")
        return None
    r = json.loads(done.stdout)
    return {"ms_per_iteration": 1e3 * (r["seconds"][str(LATE)] - r["seconds"][str(EARLY)]) / (LATE - EARLY),
            "inertia": common.float64_inertia(matrix, np.load(centroids_path))}


def kseg_default(kseg, matrix, data_path, k, threads, workdir):
    import h5py

    out = workdir / "default.h5"
    common.run_kseg(kseg, "run", "--input", data_path, "--k", k, "--out", out, "--force", "--quiet",
                    "--transform", "*=none", "--threads", threads)
    with h5py.File(out, "r") as f:
        return {"fit_s": sum(float(f.attrs[f"elapsed_{p}_s"]) for p in ("init", "lloyd", "swap")),
                "inertia": common.float64_inertia(matrix, f["/model/centroids"][...])}


def blobs(args, workdir, n, d, k):
    """Generated Gaussian blobs; returns (case name, feature file, k)."""
    name = f"{n}x{d}x{k}"
    data_path = workdir / f"{name}.h5"
    common.progress(f"{name}: generating")
    common.run_kseg(args.kseg, "generate", "--customers", n, "--features", d, "--segments", k, "--seed",
                    common.DATA_SEED, "--out", data_path, "--force", "-q")
    return name, data_path, k


# kseg's default model (customers/rfm_defaults.cpp): the six RFM features and their transforms;
# winsorize clips to the 1% and 99% quantiles (customers/transforms.hpp). Mirrored here because a
# default `kseg run` on 10M customers also fits the CLV models, which takes far longer than k-means.
RFM_DEFAULTS = {"recency_days": "log1p+standardize", "frequency": "log1p+winsorize+standardize",
                "monetary": "log1p+winsorize+standardize", "aov": "log1p+winsorize+standardize",
                "tenure_days": "standardize", "return_rate": "winsorize+standardize"}


def transformed(features_path):
    """The default model matrix of a feature file: the RFM features through their transforms."""
    import h5py
    import numpy as np

    with h5py.File(features_path, "r") as f:
        all_names = list(f["/features/matrix"].attrs["names"])
        columns = [all_names.index(name) for name in RFM_DEFAULTS]
        x = f["/features/matrix"][...][:, columns].astype(np.float64)
        ids = f["/features/customer_id"][...]
    for j, steps in enumerate(RFM_DEFAULTS.values()):
        if "log1p" in steps:
            x[:, j] = np.log1p(x[:, j])
        if "winsorize" in steps:
            x[:, j] = np.clip(x[:, j], *np.quantile(x[:, j], [0.01, 0.99]))
        if "standardize" in steps:
            x[:, j] = (x[:, j] - x[:, j].mean()) / (x[:, j].std() or 1.0)
    return list(RFM_DEFAULTS), ids, x.astype(np.float32)


def retailer(args, workdir, k):
    """The synthetic retailer's customers on the default RFM features; returns (name, file, k)."""
    import h5py

    n = args.retailer
    name = f"retailer {n} customers x 6 RFM features x {k}"
    lines, features = workdir / "retailer-lines.h5", workdir / "retailer-features.h5"
    mpi = ["mpiexec", "-n", "2", "--oversubscribe"]
    if args.retailer_features:
        features = args.retailer_features
    else:
        common.progress(f"{name}: generating transactions")
        subprocess.run(mpi + [str(args.kseg), "generate", "--transactions", "--customers", str(n), "--seed", "1",
                              "--start", "2024-01-01", "--end", "2024-12-31", "--out", str(lines), "--force", "-q"],
                       check=True, env={**os.environ, **common.KSEG_ENV})
        common.progress(f"{name}: features")
        subprocess.run(mpi + [str(args.kseg), "features", "--input", str(lines), "--as-of", "2024-12-31", "--out",
                              str(features), "--force", "-q"], check=True, env={**os.environ, **common.KSEG_ENV})
        lines.unlink()
    names, ids, matrix = transformed(features)
    data_path = workdir / "retailer-model-matrix.h5"
    with h5py.File(data_path, "w") as f:
        f["/features/matrix"] = matrix
        f["/features/matrix"].attrs["names"] = names
        f["/features/customer_id"] = ids
    return f"retailer {len(ids)} customers x 6 RFM features x {k}", data_path, k


def run_case(args, workdir, case):
    name, data_path, k = case
    init_path = workdir / f"{Path(data_path).stem}-init.h5"
    matrix = common.read_matrix(data_path)
    centroids = common.write_initial_centroids(matrix, k, init_path)
    common.progress(f"{name}: kseg")
    bench = common.kseg_bench(args.kseg, data_path, init_path, k, LATE, args.threads)
    bounded = common.kseg_bench(args.kseg, data_path, init_path, k, LATE, args.threads, "--acceleration", "hamerly")
    default = kseg_default(args.kseg, matrix, data_path, k, args.threads, workdir)
    common.progress(f"{name}: scikit-learn")
    sklearn = sklearn_runs(matrix, centroids, args.threads)
    common.progress(f"{name}: kseg to convergence")
    converge = common.kseg_bench(args.kseg, data_path, init_path, k, max(1, sklearn["lloyd"]["iterations"] - 1),
                                 args.threads, "--acceleration", "hamerly")
    common.progress(f"{name}: FAISS")
    faiss = faiss_run(args.faiss_python, matrix, data_path, init_path, args.threads, workdir)
    return {"case": name, "kseg_bench": bench, "kseg_bounded": bounded, "kseg_converge": converge,
            "kseg_default": default, "sklearn": sklearn, "faiss": faiss}


def print_case(r):
    b, s, f, kd = r["kseg_bench"], r["sklearn"], r["faiss"], r["kseg_default"]
    plain_ms, kseg_ms = b["ms_per_iteration_median"], r["kseg_bounded"]["ms_per_iteration_after_5"]
    print(f"\n{r['case']} (floor of a full pass {b['floor_ms']:.2f} ms)")
    print(f"{'engine':34}{'ms/iter':>9}{'to converge':>13}{'iters':>7}{'inertia':>14}")
    iterations = s["lloyd"]["iterations"]
    c = r["kseg_converge"]
    print(f"{'kseg default Lloyd (Hamerly bounds)':34}{kseg_ms:9.2f}{c['ms_total'] / 1e3:13.2f}{iterations:7d}"
          f"{c['inertia']:14.6g}")
    print(f"{'kseg plain Lloyd':34}{plain_ms:9.2f}{plain_ms * iterations / 1e3:12.2f}*{iterations:7d}"
          f"{b['inertia']:14.6g}")
    for algorithm in ("lloyd", "elkan"):
        a = s[algorithm]
        print(f"{'scikit-learn ' + algorithm:34}{a['ms_per_iteration']:9.2f}{a['converge_s']:13.2f}"
              f"{a['iterations']:7d}{a['inertia']:14.6g}")
    if f:
        print(f"{'FAISS CPU':34}{f['ms_per_iteration']:9.2f}{'':13}{'':7}{f['inertia']:14.6g}")
    else:
        print(f"{'FAISS CPU':34} not measured (no --faiss-python with faiss)")
    best = min(s["lloyd"]["ms_per_iteration"], s["elkan"]["ms_per_iteration"])
    print(f"per iteration: kseg {best / kseg_ms:.2f}x scikit-learn's best"
          + (f", {f['ms_per_iteration'] / kseg_ms:.2f}x FAISS" if f else "") +
          f"; plain Lloyd {best / plain_ms:.2f}x scikit-learn's best, {plain_ms / b['floor_ms']:.2f}x the floor")
    print(f"to convergence: kseg {min(s['lloyd']['converge_s'], s['elkan']['converge_s']) / (c['ms_total'] / 1e3):.2f}x "
          "scikit-learn's best")
    relative = (kd["inertia"] - s["default"]["inertia"]) / s["default"]["inertia"]
    print(f"defaults: kseg fit {kd['fit_s']:.2f} s (inertia {kd['inertia']:.8g}), scikit-learn {s['default']['fit_s']:.2f} s "
          f"(inertia {s['default']['inertia']:.8g}): {s['default']['fit_s'] / kd['fit_s']:.1f}x, kseg's inertia {relative:+.4%}")
    print("* iterations x ms per iteration: scikit-learn lloyd's count from the same start; the inertia of plain "
          "Lloyd is after 25 iterations")


def main():
    args = parse_args()
    common.pin_threads(args.threads)
    print(f"machine: {common.machine(args.threads)}")
    with tempfile.TemporaryDirectory(prefix="kseg-compare-") as tmp:
        workdir = Path(tmp)
        for n, d, k in args.cases:
            print_case(run_case(args, workdir, blobs(args, workdir, n, d, k)))
        if args.retailer:
            print_case(run_case(args, workdir, retailer(args, workdir, 8)))


if __name__ == "__main__":
    main()
