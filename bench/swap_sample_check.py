"""Does trying the swaps on a sample (`--swap-sample`, default 262,144 customers) lose clusters that
trying them on all customers finds? bench/quality_suite.py's eight generated shapes, drawn with a
million points each (more than twice the sample, so the sample is used) from seeds the defaults
never saw, fitted by `kseg run --k K` (defaults), `kseg run --k K --swap-sample 0` and, to show
what the swaps find, `--swap-patience 0` (no swaps); prints per set the centroid index (true
centres left without a found centre), the inertia and the fit time of each.

Usage: /usr/bin/python3 bench/swap_sample_check.py --kseg build/kseg [--points N] [--seed-offset S]"""
import argparse
import tempfile

import numpy as np

from quality_suite import SETS, centroid_index, inertia, make_set, run_kseg


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kseg", required=True)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--seed-offset", type=int, default=900)
    args = parser.parse_args()
    args.ranks, args.mpiexec = 1, "mpiexec"
    work = tempfile.mkdtemp(prefix="kseg-swap-sample-")
    print(f"{'set':16} {'swaps on':10} {'CI':>3} {'inertia':>12} {'fit s':>6}")
    for seed, (name, d, k, _, separation) in enumerate(SETS):
        x, _, mu = make_set(seed + args.seed_offset, d, k, args.points, separation)
        fits = (("a sample", []), ("everyone", ["--swap-sample", "0"]), ("no swaps", ["--swap-patience", "0"]))
        for label, extra in fits:
            centroids, segment, _, fit_seconds = run_kseg(args, work, x, k, extra)
            ci = centroid_index(np.asarray(centroids, np.float64), mu)
            print(f"{name:16} {label:10} {ci:3d} {inertia(x, np.asarray(centroids), segment):12.7g} {fit_seconds:6.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
