"""Customer features from transactions: kseg against pandas on the same data, in the same run.

Generates a synthetic retailer with `kseg generate --transactions` (N customers, about ten order
lines each), then times

- kseg: `mpiexec -n RANKS kseg features` (read the row blocks, shuffle by customer, sort and
  reduce per customer, sample sort by id, write), its wall time and the peak resident memory of
  its largest rank, against that rank's share of the transaction bytes;
- pandas: the same features from the same file (read with h5py, then filter, groupby and
  aggregate), in a child process so that its peak memory is its own;

checks that both agree on the features, and prints throughput in transaction lines per second.
Each side runs --repeat times (default 2), alternately; the fastest run of each counts.

    /usr/bin/python3 bench/features_vs_pandas.py                    # 4.6M customers, ~100M lines
    /usr/bin/python3 bench/features_vs_pandas.py --customers 200000  # a quick run

The synthetic retailer averages about 22 order lines per customer, so 100M lines take 4.6M
customers (10M customers would be 218M lines, beyond pandas on a 24 GiB machine).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# One node: shared-memory transport only (Open MPI otherwise probes UCX and network fabrics).
KSEG_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
            "OMPI_MCA_rmaps_base_oversubscribe": "1", "OMPI_MCA_pml": "ob1", "OMPI_MCA_btl": "self,vader"}
DAY = 86400
COMPARED = ["recency_days", "frequency", "monetary", "aov", "tenure_days", "return_rate", "bgnbd_x",
            "bgnbd_t_x", "bgnbd_zbar"]


def run(command, **kwargs):
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **KSEG_ENV}, **kwargs)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(map(str, command))}\n{done.stderr}")
    return done.stdout


def pandas_features(path, as_of):
    """The features kseg computes, in pandas; returns (DataFrame indexed by customer, seconds)."""
    import h5py
    import numpy as np
    import pandas as pd
    started = time.perf_counter()
    with h5py.File(path, "r") as f:
        tx = pd.DataFrame({name: f["transactions"][name][:] for name in
                           ("customer_id", "timestamp", "amount", "order_id")})
    as_of_day = int(np.datetime64(as_of, "D").astype(np.int64))
    tx["day"] = tx.timestamp // DAY
    tx = tx[tx.day <= as_of_day]
    buys = tx[tx.amount >= 0]
    per = buys.groupby("customer_id")
    out = pd.DataFrame({"first": per.day.min(), "last": per.day.max(), "gross": per.amount.sum(),
                        "frequency": per.order_id.nunique()})
    out["monetary"] = tx.groupby("customer_id").amount.sum()
    out["returned"] = -tx[tx.amount < 0].groupby("customer_id").amount.sum()
    out = out.fillna({"returned": 0.0})
    days = buys.groupby(["customer_id", "day"]).amount.sum().reset_index()
    per_day = days.groupby("customer_id")
    out["bgnbd_x"] = per_day.size() - 1
    first_value = per_day.amount.first()
    out["bgnbd_zbar"] = ((per_day.amount.sum() - first_value) / out.bgnbd_x).where(out.bgnbd_x > 0, 0.0)
    out["recency_days"] = as_of_day - out["last"]
    out["tenure_days"] = as_of_day - out["first"]
    out["aov"] = out.gross / out.frequency
    out["return_rate"] = out.returned / out.gross
    out["bgnbd_t_x"] = (out["last"] - out["first"]).astype(float)
    return out, time.perf_counter() - started


def pandas_child(path, as_of, features_path):
    """Runs in a child process: times pandas, compares with kseg's file, prints one JSON line."""
    import h5py
    import numpy as np
    frame, seconds = pandas_features(path, as_of)
    with h5py.File(features_path, "r") as f:
        names = list(f["features/matrix"].attrs["names"])
        ours = f["features/matrix"][:]
        ids = f["features/customer_id"][:]
    theirs = frame.reindex(ids)
    worst = 0.0
    for name in COMPARED:
        a = ours[:, names.index(name)].astype(np.float64)
        b = theirs[name].to_numpy(dtype=np.float64)
        worst = max(worst, float(np.nanmax(np.abs(a - b) / np.maximum(1.0, np.abs(b)))))
    print(json.dumps({"seconds": seconds, "customers": len(frame), "worst_relative_difference": worst,
                      "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kseg", default=str(Path(__file__).resolve().parent.parent / "build" / "kseg"))
    parser.add_argument("--customers", type=int, default=4_600_000)
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--as-of", default="2024-10-31")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side; the fastest counts")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        pandas_child(*args.child)
        return

    workdir = args.workdir or tempfile.mkdtemp(prefix="kseg-bench-")
    data, features = os.path.join(workdir, "transactions.h5"), os.path.join(workdir, "features.h5")
    mpi = ["mpiexec", "-n", str(args.ranks)]
    started = time.perf_counter()
    run(mpi + [args.kseg, "generate", "--transactions", "--customers", str(args.customers), "--seed", "1",
               "--out", data, "--force", "--quiet"])
    print(f"generated {args.customers:,} customers in {time.perf_counter() - started:.1f} s", flush=True)
    os.sync()  # the generator's gigabytes of dirty pages written back now, not during the first timed run

    import h5py
    with h5py.File(data, "r") as f:
        lines = f["transactions/customer_id"].shape[0]
        line_bytes = sum(d.dtype.itemsize for d in f["transactions"].values())
    # Each side runs --repeat times, alternately, and is judged by its fastest run: the machine is
    # shared and its timings move between runs of the same command.
    kseg_runs, pandas_runs = [], []
    for _ in range(args.repeat):
        kseg_runs.append(json.loads(run(mpi + [args.kseg, "features", "--input", data, "--as-of", args.as_of, "--out",
                                               features, "--force", "--quiet", "--json"])))
        pandas_runs.append(json.loads(run([sys.executable, __file__, "--child", data, args.as_of, features])))
    kseg = min(kseg_runs, key=lambda r: r["elapsed_s"])
    pandas = min(pandas_runs, key=lambda r: r["seconds"])
    print("runs (s): kseg " + ", ".join(f"{r['elapsed_s']:.2f}" for r in kseg_runs) + "; pandas " +
          ", ".join(f"{r['seconds']:.2f}" for r in pandas_runs))

    share = lines * line_bytes / args.ranks
    print(f"\n{lines:,} transaction lines ({line_bytes} bytes each), {kseg['customers']:,} customers, "
          f"as of {args.as_of}; {os.cpu_count()} cores, kseg on {args.ranks} ranks")
    print(f"{'':8}{'seconds':>10}{'lines/s':>14}{'peak memory':>16}")
    print(f"{'kseg':8}{kseg['elapsed_s']:>10.2f}{lines / kseg['elapsed_s']:>14,.0f}"
          f"{kseg['peak_rss_bytes_max_rank'] / 2**20:>12,.0f} MiB  (largest rank; its share of the lines: "
          f"{share / 2**20:,.0f} MiB, ratio {kseg['peak_rss_bytes_max_rank'] / share:.2f})")
    print(f"{'pandas':8}{pandas['seconds']:>10.2f}{lines / pandas['seconds']:>14,.0f}"
          f"{pandas['peak_rss_bytes'] / 2**20:>12,.0f} MiB")
    print(f"speed-up {pandas['seconds'] / kseg['elapsed_s']:.1f}x; features agree to "
          f"{pandas['worst_relative_difference']:.1e} (relative, {', '.join(COMPARED)})")


if __name__ == "__main__":
    main()
