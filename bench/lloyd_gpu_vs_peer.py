"""GPU Lloyd iterations: kseg's CUDA backend against cuML KMeans or FAISS GPU, same data, same run.

Generates N customers with D features (`kseg generate`), runs `kseg bench --device cuda` on them
for each K (ms per Lloyd iteration, and the HBM floor: N·D·4 bytes at the measured device read
bandwidth), then, if cuML or FAISS with GPU support can be imported, times the peer's Lloyd
iterations from the same initial centroids. Needs a CUDA device; the peer is optional and its
absence is reported.

    /usr/bin/python3 bench/lloyd_gpu_vs_peer.py                       # N=100M, D=32, K=16,64,256
    /usr/bin/python3 bench/lloyd_gpu_vs_peer.py --customers 10000000  # smaller
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KSEG_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}


def run(command):
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **KSEG_ENV})
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(map(str, command))}\n{done.stderr}")
    return done.stdout


def peer_lloyd(matrix, centroids, iters):
    """ms per iteration of cuML or FAISS GPU from `centroids`, or None with the reason."""
    try:
        from cuml.cluster import KMeans
        km = KMeans(n_clusters=len(centroids), init=centroids, n_init=1, max_iter=iters, tol=0.0)
        started = time.perf_counter()
        km.fit(matrix)
        return "cuML", 1e3 * (time.perf_counter() - started) / max(1, km.n_iter_)
    except ImportError:
        pass
    try:
        import faiss
        km = faiss.Kmeans(matrix.shape[1], len(centroids), niter=iters, gpu=True, seed=1)
        started = time.perf_counter()
        km.train(matrix, init_centroids=centroids)
        return "FAISS GPU", 1e3 * (time.perf_counter() - started) / iters
    except (ImportError, AttributeError, RuntimeError) as error:
        return None, f"no peer ({error.__class__.__name__}: cuML or GPU FAISS not importable)"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kseg", default=str(Path(__file__).resolve().parent.parent / "build" / "kseg"))
    parser.add_argument("--customers", type=int, default=100_000_000)
    parser.add_argument("--features", type=int, default=32)
    parser.add_argument("--k", default="16,64,256")
    parser.add_argument("--iters", type=int, default=20)
    args = parser.parse_args()

    import h5py
    import numpy as np
    workdir = tempfile.mkdtemp(prefix="kseg-gpu-bench-")
    data = os.path.join(workdir, "customers.h5")
    run([args.kseg, "generate", "--customers", str(args.customers), "--features", str(args.features), "--segments",
         "16", "--out", data, "--quiet"])
    with h5py.File(data, "r") as f:
        matrix = f["features/matrix"][:]
    for k in map(int, args.k.split(",")):
        init = os.path.join(workdir, f"init-{k}.h5")
        centroids = matrix[np.random.default_rng(0).choice(len(matrix), k, replace=False)]
        with h5py.File(init, "w") as f:
            f["centroids"] = centroids
        kseg = json.loads(run([args.kseg, "bench", "--device", "cuda", "--input", data, "--init-centroids", init,
                               "--k", str(k), "--iters", str(args.iters), "--json"]).strip().splitlines()[-1])
        peer, peer_ms = peer_lloyd(matrix, centroids, args.iters)
        line = (f"N={args.customers:,} D={args.features} K={k}: kseg {kseg['ms_per_iteration_median']:.2f} ms/iter, "
                f"HBM floor {kseg['floor_ms']:.2f} ms ({kseg['floor_basis']}), "
                f"{kseg['ms_per_iteration_median'] / kseg['floor_ms']:.2f}x the floor")
        line += f"; {peer} {peer_ms:.2f} ms/iter ({peer_ms / kseg['ms_per_iteration_median']:.2f}x kseg)" if peer \
            else f"; {peer_ms}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
