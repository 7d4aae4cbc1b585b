"""Milliseconds per Lloyd iteration: kseg against scikit-learn, and against this machine's floor.

For each case N x D x K the script generates N customers with D features using `kseg generate`,
picks K of its rows as the initial centroids (numpy default_rng(0), without replacement) and runs
the same number of Lloyd iterations from them on both sides, with the same number of threads:

- kseg: `kseg bench`, the median over the timed iterations (after one warm-up iteration). It also
  measures the machine's streaming read bandwidth and float32 FMA rate, and from them the floor:
  the time an iteration needs at best to read N*D*4 bytes or do 2*N*K*D flops, whichever is slower.
- scikit-learn: `KMeans(algorithm="lloyd", n_init=1, tol=0)` on the same float32 matrix, fit wall
  time divided by the iterations it ran (`n_iter_`; it stops early once no label changes), after
  one untimed warm-up fit. The fit time includes scikit-learn's fixed costs (input checks, a
  centred copy of the data, a final labelling pass), spread over those iterations.

The table's last column, the relative difference of the two final inertias, shows that both sides
did the same work.

Run from the repository root, after building kseg:

    /usr/bin/python3 bench/lloyd_vs_sklearn.py            # default cases, a couple of minutes
    /usr/bin/python3 bench/lloyd_vs_sklearn.py --quick    # 100,000 customers per case, a smoke run

numpy, h5py and scikit-learn are imported only after the thread count is pinned through
OMP_NUM_THREADS / OPENBLAS_NUM_THREADS, because their thread pools read it when they load.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA_SEED = 42
QUICK_CUSTOMERS = 100_000
KSEG_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}


def parse_case(text):
    """'1000000x16x16' -> (customers, features, k)."""
    try:
        n, d, k = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"case {text!r} is not NxDxK, e.g. 1000000x16x16") from None
    if min(n, d, k) < 1 or k > n:
        raise argparse.ArgumentTypeError(f"case {text!r} needs positive N, D, K with K <= N")
    return n, d, k


def parse_cases(text):
    return [parse_case(case) for case in text.split(",") if case.strip()]


def parse_args():
    default_kseg = Path(__file__).resolve().parent.parent / "build" / "kseg"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kseg", type=Path, default=default_kseg, help="kseg binary (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=2, help="threads on each side (default: %(default)s)")
    parser.add_argument("--iters", type=int, default=20, help="Lloyd iterations on each side (default: %(default)s)")
    parser.add_argument("--workdir", type=Path, help="keep the generated files here (default: a temp dir, deleted)")
    parser.add_argument("--cases", type=parse_cases, default="1000000x16x16,1000000x32x64",
                        help="comma-separated NxDxK (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help=f"at most {QUICK_CUSTOMERS:,} customers per case")
    parser.add_argument("--json", action="store_true", help="print all results as one JSON object")
    args = parser.parse_args()
    if args.threads < 1 or args.iters < 1:
        parser.error("--threads and --iters must be positive")
    if args.quick:
        args.cases = [(min(n, QUICK_CUSTOMERS), d, k) for n, d, k in args.cases]
    return args


def pin_threads(threads):
    """Must run before numpy or scikit-learn is first imported."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = str(threads)


def progress(message):
    print(message, file=sys.stderr, flush=True)


def run_kseg(kseg, *args):
    """Run one kseg command; its stdout, or exit with kseg's error."""
    command = [str(kseg), *map(str, args)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **KSEG_ENV})
    except OSError as error:
        sys.exit(f"lloyd_vs_sklearn: cannot run {kseg}: {error}")
    if done.returncode != 0:
        sys.exit(f"lloyd_vs_sklearn: `{' '.join(command)}` failed with exit status {done.returncode}:\n"
                 f"{done.stderr.strip()}")
    return done.stdout


def kseg_bench(kseg, data_path, init_path, k, iters, threads, *options):
    out = run_kseg(kseg, "bench", "--input", data_path, "--init-centroids", init_path, "--k", k,
                   "--iters", iters, "--threads", threads, "--json", *options)
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        sys.exit(f"lloyd_vs_sklearn: kseg bench printed no JSON line:\n{out}")


def read_matrix(path):
    import h5py

    with h5py.File(path, "r") as f:
        return f["/features/matrix"][...]


def write_initial_centroids(matrix, k, path):
    """K distinct rows of the matrix, the same ones on both sides."""
    import h5py
    import numpy as np

    rows = np.random.default_rng(0).choice(matrix.shape[0], size=k, replace=False)
    centroids = matrix[rows]
    with h5py.File(path, "w") as f:
        f["/centroids"] = centroids
    return centroids


def float64_inertia(matrix, centroids, rows_per_chunk=1 << 18):
    """The sum of squared distances to the nearest centroid, computed in float64 from the centroids:
    one evaluator for every engine (scikit-learn and FAISS report theirs accumulated in float32,
    which at 10^6 points is off by more than their differences: 1.2675492e7 reported, 1.2675707e7
    true, on the 1M x 16 blobs)."""
    import numpy as np

    c = np.asarray(centroids, dtype=np.float64)
    total = 0.0
    for first in range(0, len(matrix), rows_per_chunk):
        x = matrix[first:first + rows_per_chunk].astype(np.float64)
        nearest = np.full(len(x), np.inf)
        for centroid in c:
            np.minimum(nearest, ((x - centroid) ** 2).sum(1), out=nearest)
        total += float(nearest.sum())
    return total


def thread_limit(threads):
    """threadpoolctl's limit where it is installed, on top of the environment variables."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=threads)


def sklearn_lloyd(matrix, centroids, iters, threads):
    from sklearn.cluster import KMeans

    def fit(max_iter):
        km = KMeans(n_clusters=len(centroids), init=centroids, n_init=1, max_iter=max_iter, tol=0,
                    algorithm="lloyd")
        start = time.perf_counter()
        km.fit(matrix)
        return km, time.perf_counter() - start

    with thread_limit(threads):
        fit(1)  # warm-up: thread pools, page faults
        km, seconds = fit(iters)
    return {"ms_per_iteration": 1e3 * seconds / km.n_iter_, "n_iter": int(km.n_iter_), "fit_seconds": seconds,
            "inertia": float(km.inertia_)}


def run_case(args, workdir, case):
    n, d, k = case
    name = f"{n}x{d}x{k}"
    data_path, init_path = workdir / f"{name}.h5", workdir / f"{name}-init.h5"
    progress(f"{name}: generating")
    run_kseg(args.kseg, "generate", "--customers", n, "--features", d, "--segments", k, "--seed", DATA_SEED,
             "--out", data_path, "--force", "-q")
    matrix = read_matrix(data_path)
    centroids = write_initial_centroids(matrix, k, init_path)
    progress(f"{name}: kseg bench")
    kseg = kseg_bench(args.kseg, data_path, init_path, k, args.iters, args.threads)
    progress(f"{name}: scikit-learn")
    sklearn = sklearn_lloyd(matrix, centroids, args.iters, args.threads)
    return {"case": name, "kseg": kseg, "sklearn": sklearn,
            "speedup": sklearn["ms_per_iteration"] / kseg["ms_per_iteration_median"],
            "kseg_over_floor": kseg["ms_per_iteration_median"] / kseg["floor_ms"],
            "inertia_rel_diff": abs(kseg["inertia"] - sklearn["inertia"]) / sklearn["inertia"]}


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


def machine(threads):
    return {"cpu": cpu_model(), "cpus": os.cpu_count(), "threads": threads}


def spread(values, unit):
    """'7.5 GB/s', or '7.3-7.6 GB/s' when the cases measured differently."""
    low, high = min(values), max(values)
    return f"{low:.1f} {unit}" if f"{low:.1f}" == f"{high:.1f}" else f"{low:.1f}-{high:.1f} {unit}"


def print_table(results, host, iters):
    header = f"{'case (NxDxK)':<16}{'kseg ms/iter':>13}{'sklearn ms/iter':>16}{'sk iters':>9}{'speed-up':>9}" \
             f"{'floor ms':>10}{'kseg/floor':>11}{'inertia diff':>13}"
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r['case']:<16}{r['kseg']['ms_per_iteration_median']:>13.2f}{r['sklearn']['ms_per_iteration']:>16.2f}"
              f"{r['sklearn']['n_iter']:>9}{r['speedup']:>8.2f}x{r['kseg']['floor_ms']:>10.2f}"
              f"{r['kseg_over_floor']:>10.2f}x{r['inertia_rel_diff']:>13.1e}")
    read = spread([r["kseg"]["read_gb_per_s"] for r in results], "GB/s")
    flops = spread([r["kseg"]["gflop_per_s"] for r in results], "GFLOP/s")
    print(f"\nmachine: {host['cpu']}, {host['cpus']} CPUs, {host['threads']} thread(s) on each side, "
          f"{iters} iterations; kseg measured read {read}, {flops}")


def main():
    args = parse_args()
    pin_threads(args.threads)
    if not args.kseg.is_file():
        sys.exit(f"lloyd_vs_sklearn: no kseg binary at {args.kseg} (build it, or pass --kseg)")
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        workdir = contextlib.nullcontext(str(args.workdir))
    else:
        workdir = tempfile.TemporaryDirectory(prefix="kseg-bench-")
    with workdir as path:
        results = [run_case(args, Path(path), case) for case in args.cases]
    host = machine(args.threads)
    if args.json:
        print(json.dumps({"machine": host, "iterations": args.iters, "results": results}, indent=2))
    else:
        print_table(results, host, args.iters)


if __name__ == "__main__":
    main()
