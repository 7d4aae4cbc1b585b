"""Quality on defaults (issue 14, item 1): generated Gaussian sets with known centres, 2-D and 8-D,
k = 15 … 100, cluster sizes 1:20, some overlapping, clustered by `kseg run --k K` (defaults),
plain Lloyd (`--init-trials 1 --swap-patience 0`: one initialisation, no swaps), the same with
`--n-init 10`, and scikit-learn's default KMeans(n_clusters=K) (k-means++ with its greedy
trials, n_init=10 in 1.2; random_state=0). Prints per set the
centroid index (CI: true centres left without a found centre, Fränti & Rezaei 2014; 0 = every
cluster found), the adjusted Rand index against the truth, the inertia, the fit time (kseg: its
init, Lloyd and swap phases as the result file records them; scikit-learn: fit()) and, for kseg,
the whole run's wall time (process start, MPI, reading, reports and writing included).

With --labelled FILE..., the same on labelled public sets instead, each class's mean taken as its
true centre: ARFF files (numeric columns, then the class), e.g. the Gaussian-like sets of
https://github.com/deric/clustering-benchmark (src/main/resources/datasets/artificial: s-set1,
s-set2, D31, R15, fourty, twenty, st900, 2d-10c, diamond9, elly-2d10c13s), or NAME.data.gz files
with NAME.labels0.gz beside them, e.g. the 12 sets of Fränti's benchmark in
https://github.com/gagolews/clustering-data-v1 (sipu: r15, d31, s1 … s4, unbalance, a1 … a3,
birch1, birch2). With --seed-offsets N..., the generated sets drawn from other seeds (each
offset added to every set's seed): sets the defaults never saw.

The totals also count the sets where a method's inertia is at or below that of the true
partition (each true cluster's customers around their mean): where it is below and CI > 0, the
clusters overlap so much that a lower inertia cannot find them all; and, for kseg, the sets where
its inertia is above scikit-learn's and below it (by more than 0.01%), with the geometric mean
of the ratio: on sets without clear clusters (most of clustering-data-v1's wut, graves, uci
batteries) k-means picks one of many local minima, and inertia is the only measure left.

Usage: /usr/bin/python3 bench/quality_suite.py --kseg build/kseg [--mpiexec mpiexec --ranks 2]
       [--labelled FILE... | --seed-offsets N...]"""
import argparse
import collections
import os
import subprocess
import tempfile
import time

import h5py
import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

SETS = [  # name, dimensions, clusters, points, separation (in blob spreads between nearest centres)
    ("2d-k15", 2, 15, 20_000, 6.0),
    ("2d-k30-overlap", 2, 30, 30_000, 3.5),
    ("2d-k50", 2, 50, 40_000, 6.0),
    ("2d-k100", 2, 100, 60_000, 6.0),
    ("8d-k15", 8, 15, 20_000, 5.0),
    ("8d-k30-overlap", 8, 30, 30_000, 3.0),
    ("8d-k50", 8, 50, 40_000, 5.0),
    ("8d-k100", 8, 100, 60_000, 5.0),
]


PLAIN = ["--init-trials", "1", "--swap-patience", "0"]  # plain Lloyd: one initialisation, no swaps


def centres(rng, k, d, separation):
    """k centres at least `separation` apart (unit spread blobs), by rejection in a box that fits them."""
    side = separation * k ** (1.0 / d) * 1.6
    found = []
    while len(found) < k:
        c = rng.uniform(0, side, d)
        if all(np.linalg.norm(c - f) >= separation for f in found):
            found.append(c)
    return np.array(found)


def make_set(seed, d, k, n, separation):
    rng = np.random.default_rng(seed)
    mu = centres(rng, k, d, separation)
    weights = np.geomspace(1.0, 20.0, k)  # sizes 1:20
    rng.shuffle(weights)
    truth = rng.choice(k, size=n, p=weights / weights.sum())
    x = (mu[truth] + rng.normal(size=(n, d)) * rng.uniform(0.6, 1.0, k)[truth, None]).astype(np.float32)
    return x, truth, mu


def generated_sets(offsets=(0,)):
    for offset in offsets:
        for seed, (name, d, k, n, separation) in enumerate(SETS):
            yield (name if offset == 0 else f"{name}+{offset}", *make_set(seed + offset, d, k, n, separation))


def labelled_sets(paths):
    """Each path: an ARFF file (numeric columns, then the class) or a `NAME.data.gz` (one point per line)
    with its `NAME.labels0.gz` beside it, the layout of the clustering-data-v1 battery."""
    for path in paths:
        name, x, labels = read_arff(path) if path.endswith(".arff") else read_data_and_labels(path)
        classes, truth = np.unique(labels, return_inverse=True)
        mu = np.array([x[truth == c].astype(np.float64).mean(0) for c in range(len(classes))])
        yield name, x, truth, mu


def read_arff(path):
    rows, in_data, has_class = [], False, False
    with open(path) as f:
        for line in map(str.strip, f):
            if not line or line.startswith("%"):
                continue
            if line.lower().startswith("@attribute"):
                has_class |= "{" in line
            if line.startswith("@"):
                in_data = line.lower().startswith("@data")
            elif in_data:
                *values, label = line.split(",")
                rows.append(([float(v) for v in values], label.strip()))
    if not has_class:
        raise SystemExit(f"{path}: no nominal class attribute, so no truth to compare with")
    return os.path.splitext(os.path.basename(path))[0], np.array([v for v, _ in rows], np.float32), [l for _, l in rows]


def read_data_and_labels(path):
    if not path.endswith(".data.gz"):
        raise SystemExit(f"{path}: expected an .arff file or a NAME.data.gz with NAME.labels0.gz beside it")
    x = np.loadtxt(path, dtype=np.float64).astype(np.float32)
    labels = np.loadtxt(path[: -len(".data.gz")] + ".labels0.gz", dtype=np.int64)
    if len(labels) != len(x):
        raise SystemExit(f"{path}: {len(x)} points but {len(labels)} labels")
    return os.path.basename(path)[: -len(".data.gz")], x, labels


def centroid_index(found, true):
    """Fränti's CI: orphans (true centres nobody maps to) counted both ways, the larger."""
    def orphans(a, b):
        nearest = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1).argmin(1)
        return len(b) - len(np.unique(nearest))
    return max(orphans(found, true), orphans(true, found))


def inertia(x, c, labels):
    return float(((x.astype(np.float64) - c[labels].astype(np.float64)) ** 2).sum())


def run_kseg(args, work, x, k, extra):
    data, out = os.path.join(work, "data.h5"), os.path.join(work, "out.h5")
    with h5py.File(data, "w") as f:
        f["features/matrix"] = x
        f["features/customer_id"] = np.arange(1, len(x) + 1, dtype=np.int64)
    command = [args.kseg, "run", "--input", data, "--k", str(k), "--out", out, "--force", "--quiet",
               "--transform", "*=none", *extra]
    if args.ranks > 1:
        command = [args.mpiexec, "-n", str(args.ranks), "--oversubscribe"] + command
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    with h5py.File(out, "r") as f:
        fit_seconds = sum(float(f.attrs[f"elapsed_{phase}_s"]) for phase in ("init", "lloyd", "swap"))
        return f["model/centroids"][:], f["segments/segment"][:], seconds, fit_seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kseg", required=True)
    parser.add_argument("--mpiexec", default="mpiexec")
    parser.add_argument("--ranks", type=int, default=1)
    parser.add_argument("--labelled", nargs="+", metavar="FILE",
                        help="labelled public sets to run on instead of the generated ones (.arff or .data.gz)")
    parser.add_argument("--seed-offsets", nargs="+", type=int, default=[0],
                        help="draw the generated sets from these offsets of their seeds (held-out sets)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="kseg-quality-")
    print(f"{'set':16} {'method':22} {'CI':>3} {'ARI':>6} {'inertia':>12} {'fit s':>7} {'run s':>7}")
    totals = {}
    against_sklearn = collections.defaultdict(list)  # kseg method: its inertia / scikit-learn's, per set
    sets = list(labelled_sets(args.labelled) if args.labelled else generated_sets(args.seed_offsets))
    for name, x, labels, mu in sets:
        k = len(mu)
        truth = Truth(labels, mu, true_partition_inertia(x, labels))
        methods = [("kseg default", lambda: run_kseg(args, work, x, k, [])),
                   ("kseg plain Lloyd", lambda: run_kseg(args, work, x, k, PLAIN)),
                   ("kseg plain, n-init 10", lambda: run_kseg(args, work, x, k, PLAIN + ["--n-init", "10"]))]
        for method, fit in methods:
            c, labels, run_seconds, fit_seconds = fit()
            report(name, method, c, labels, fit_seconds, run_seconds, x, truth, totals)
        started = time.perf_counter()
        model = KMeans(n_clusters=k, n_init=10, random_state=0).fit(x)  # 1.2's default, spelt out
        seconds = time.perf_counter() - started
        report(name, "scikit-learn default", model.cluster_centers_, model.labels_, seconds, seconds, x, truth, totals)
        for method, _ in methods:
            against_sklearn[method].append(totals[method].inertias[-1] / totals["scikit-learn default"].inertias[-1])
    print()
    for method, t in totals.items():
        print(f"{method:22} CI = 0 on {t.solved} of {len(sets)} sets (CI {', '.join(map(str, t.cis))}), "
              f"inertia at or below the true partition's on {t.not_above}, "
              f"fit {t.fit_seconds:.2f} s, run {t.run_seconds:.1f} s in all")
    for method, ratios in against_sklearn.items():
        ratios = np.array(ratios)
        print(f"{method:22} inertia against scikit-learn's: higher on {(ratios > 1 + 1e-4).sum()} sets, lower on "
              f"{(ratios < 1 - 1e-4).sum()}, geometric mean {np.exp(np.log(ratios).mean()) - 1:+.3%}")


Truth = collections.namedtuple("Truth", "labels centres inertia")  # a set's true clusters, and their partition's inertia
Totals = collections.namedtuple("Totals", "solved cis fit_seconds run_seconds not_above inertias")  # a method's, so far


def true_partition_inertia(x, truth):
    means = np.array([x[truth == c].astype(np.float64).mean(0) for c in range(truth.max() + 1)])
    return inertia(x, means, truth)


def report(name, method, c, labels, fit_seconds, run_seconds, x, truth, totals):
    ci = centroid_index(np.asarray(c, np.float64), truth.centres)
    ari = adjusted_rand_score(truth.labels, labels)
    found = inertia(x, np.asarray(c), labels)
    print(f"{name:16} {method:22} {ci:3d} {ari:6.3f} {found:12.6g} {fit_seconds:7.2f} {run_seconds:7.2f}")
    t = totals.get(method, Totals(0, [], 0.0, 0.0, 0, []))
    totals[method] = Totals(t.solved + (ci == 0), t.cis + [ci], t.fit_seconds + fit_seconds, t.run_seconds + run_seconds,
                            t.not_above + (found <= truth.inertia * (1 + 1e-4)), t.inertias + [found])


if __name__ == "__main__":
    main()
