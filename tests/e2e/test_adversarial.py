"""Adversarial inputs and misuse, table-driven at 1 and 4 ranks: each case must end within its
timeout with the promised exit code (2: bad input), one error line that names the problem, and
nothing lost on disk (the input, last quarter's result and device nodes untouched; no partial
or lock file left behind). Also: a second run on a live run's --out is refused and does not
disturb it; a checkpoint that is corrupt or out of range is refused; transactions of return
lines only give a result whose CLV is unknown (NaN) with a warning, never a huge number; a
garbage CSV's bytes are never echoed raw; CR-only line ends import like LF ones; 20,000 category
names (past HDF5's 64 KiB attribute limit) import and run."""
import json
import os
import struct
import subprocess
import time

import h5py
import numpy as np

from kseg_e2e import Checks, Kseg, digest, parse_args

DAY = 86400
START = 1_600_000_000
AS_OF = ["--as-of", "2020-12-31"]
EXIT_INPUT = 2
TIMEOUT_S = 60


def transactions(path, n=600, customers=150, **columns):
    rng = np.random.default_rng(4)
    base = {"customer_id": rng.integers(1, customers + 1, n).astype(np.int64),
            "timestamp": (START + rng.integers(0, 100 * DAY, n)).astype(np.int64),
            "amount": np.round(rng.lognormal(3, 1, n), 2)}
    labels = columns.pop("channel_labels", None)
    base.update(columns)
    with h5py.File(path, "w") as f:
        for name, values in base.items():
            f[f"transactions/{name}"] = values
        if labels is not None:
            f["transactions/channel"].attrs["labels"] = labels
    return path


def features(path, n=400, d=3):
    with h5py.File(path, "w") as f:
        f["features/matrix"] = np.random.default_rng(1).normal(size=(n, d)).astype(np.float32)
        f["features/customer_id"] = np.arange(1, n + 1, dtype=np.int64)
    return path


class Adversary:
    def __init__(self, kseg, checks):
        self.kseg, self.checks = kseg, checks

    def refused(self, label, arguments, expected, ranks, keep=(), leaves=()):
        """kseg `arguments` must fail with exit 2 and one line holding `expected`, leave `keep`
        byte-identical and create none of `leaves` (nor any .partial/.lock)."""
        before = {p: digest(p) for p in keep}
        started = time.monotonic()
        try:
            done = self.kseg.run(*arguments, ranks=ranks, check=False)
        except subprocess.TimeoutExpired:
            self.checks.expect(False, f"{label}: ended within {TIMEOUT_S} s")
            return
        seconds = time.monotonic() - started
        errors = [line for line in done.stderr.splitlines() if line.startswith("kseg:")]
        tag = f"{label} ({ranks} rank(s))"
        self.checks.expect(done.returncode == EXIT_INPUT, f"{tag}: exit {EXIT_INPUT}, got {done.returncode}")
        self.checks.expect(len(errors) == 1 and expected in errors[0], f"{tag}: one line naming {expected!r}: {errors}")
        self.checks.expect(all(line.isprintable() for line in errors), f"{tag}: no raw bytes of the input echoed")
        self.checks.expect(seconds < TIMEOUT_S, f"{tag}: every rank stopped ({seconds:.1f} s)")
        self.checks.expect(all(digest(p) == h for p, h in before.items()), f"{tag}: {list(keep)} untouched")
        left = [p for p in leaves for suffix in ("", ".partial", ".lock") if os.path.exists(p + suffix)]
        self.checks.expect(not left, f"{tag}: nothing left behind {left}")


def output_cases(kseg):
    f = features(kseg.path("f.h5"))
    previous = kseg.path("previous.h5")
    kseg.run("run", "--input", f, "--out", previous, "--k", 3, "--quiet")
    os.makedirs(kseg.path("sub"), exist_ok=True)
    run = ["run", "--input", f, "--k", 3, "--quiet", "--force"]
    return [
        ("--out is the input", run + ["--out", f], "is the input", [f], []),
        ("--out is the input by another path", run + ["--out", kseg.path("sub/../f.h5")], "is the input", [f], []),
        ("--out is a device node", run + ["--out", "/dev/null"], "not a regular file", [], []),
        ("--checkpoint is the input", run + ["--out", kseg.path("o1.h5"), "--checkpoint", f], "is the input", [f],
         [kseg.path("o1.h5")]),
        ("--checkpoint is last quarter's result", run + ["--out", kseg.path("o2.h5"), "--checkpoint", previous],
         "not a kseg checkpoint", [previous], [kseg.path("o2.h5")]),
        ("--checkpoint is a device node", run + ["--out", kseg.path("o3.h5"), "--checkpoint", "/dev/null"],
         "not a regular file", [], [kseg.path("o3.h5")]),
        ("--previous is not HDF5", run + ["--out", kseg.path("o4.h5"), "--previous", __file__], "not an HDF5 file", [],
         [kseg.path("o4.h5")]),
    ]


def transaction_cases(kseg):
    p = kseg.path
    many = 600
    big_id = np.arange(1, many + 1, dtype=np.uint64) % 150 + 1
    big_id[7] = 2 ** 63
    huge = np.ones(many) * 10.0
    huge[9] = 1e300
    early = START + np.zeros(many, dtype=np.int64)
    early[11] = np.iinfo(np.int64).min
    cases = [
        ("3 customers at more ranks", transactions(p("three.h5"), customers=3), "cannot be split over", 4),
        ("a channel code of 1,000,000", transactions(p("channel.h5"), channel=np.r_[np.zeros(many - 1), 10 ** 6].astype(np.int32)),
         "code 1000000 is too large", None),
        ("a channel code outside its labels", transactions(p("labels.h5"), channel=np.r_[np.zeros(many - 1), 5].astype(np.int32),
                                                           channel_labels=["web", "store", "app"]),
         "outside its 3 labels", None),
        ("a channel code of 2^31-1", transactions(p("int-max.h5"), channel=np.r_[np.zeros(many - 1), 2 ** 31 - 1].astype(np.int32)),
         "too large", None),
        ("an unsigned id of 2^63", transactions(p("uint.h5"), customer_id=big_id), "customer_id row 7", None),
        ("an amount of 1e300", transactions(p("huge.h5"), amount=huge), "amount row 9: 1e+300", None),
        ("a timestamp of INT64_MIN", transactions(p("early.h5"), timestamp=early), "timestamp row 11", None),
    ]
    return [(label, ["run", "--input", path, *AS_OF, "--k", 2, "--quiet", "--out", p(f"t{i}.h5")], expected, ranks,
             [path], [p(f"t{i}.h5")]) for i, (label, path, expected, ranks) in enumerate(cases)]


def feature_file_cases(kseg):
    p = kseg.path
    ids = np.arange(1, 401, dtype=np.uint64)
    ids[5] = 2 ** 63
    with h5py.File(p("uint-ids.h5"), "w") as f:
        f["features/matrix"] = np.random.default_rng(1).normal(size=(400, 3)).astype(np.float32)
        f["features/customer_id"] = ids
    twice = np.arange(1, 401, dtype=np.int64)
    twice[[3, 4]] = np.iinfo(np.int64).max
    with h5py.File(p("max-ids.h5"), "w") as f:
        f["features/matrix"] = np.random.default_rng(1).normal(size=(400, 3)).astype(np.float32)
        f["features/customer_id"] = twice
    with h5py.File(p("same.h5"), "w") as f:
        f["features/matrix"] = np.ones((400, 3), np.float32)
        f["features/customer_id"] = np.arange(1, 401, dtype=np.int64)
    run = ["run", "--k", 4, "--quiet"]
    return [
        ("a features file with an unsigned id of 2^63", run + ["--input", p("uint-ids.h5"), "--out", p("u.h5")],
         "customer_id row 5", [p("uint-ids.h5")], [p("u.h5")]),
        ("a features file with two INT64_MAX ids", run + ["--input", p("max-ids.h5"), "--out", p("m.h5")],
         "customer_id row 3", [p("max-ids.h5")], [p("m.h5")]),
        ("identical customers, k = 4", run + ["--input", p("same.h5"), "--out", p("s.h5")],
         "have the same features", [p("same.h5")], [p("s.h5")]),
    ]


def labelled_csv(path, column, rows, name_of):
    """Order lines with a fourth column `column` whose value on line i is name_of(i)."""
    with open(path, "w") as out:
        out.write(f"customer,day,amount,{column}\n")
        for i in range(rows):
            out.write(f"{i % 500 + 1},2020-0{1 + i % 9}-1{i % 10},{10 + i % 7}.5,{name_of(i)}\n")
    return path


def import_cases(kseg):
    csv = labelled_csv(kseg.path("channels.csv"), "channel", 300, lambda i: f"shop-{i}")
    garbage = kseg.path("garbage.csv")
    with open(garbage, "wb") as out:  # terminal escapes, a bell, NULs and bytes that are not UTF-8
        out.write(b"customer,day,amount\n" + b"\x1b[31m\xff\xfe,\x07\x00day,\x9b\xc3(\n" * 50)
    mapping = ["--customer", "customer", "--timestamp", "day", "--amount", "amount", "--quiet"]
    return [("300 distinct channel names", ["import", "--csv", csv, "--out", kseg.path("channels.h5"), *mapping,
                                             "--channel", "channel"], "more than 256 distinct values", [csv],
             [kseg.path("channels.h5")]),
            ("a CSV of garbage bytes", ["import", "--csv", garbage, "--out", kseg.path("garbage.h5"), *mapping],
             "customer = '\\x1B[31m\\xFF\\xFE'", [garbage], [kseg.path("garbage.h5")])]


def check_many_category_names(kseg, checks):
    """20,000 distinct categories (their labels pass HDF5's 64 KiB attribute limit) import and run."""
    csv = labelled_csv(kseg.path("categories.csv"), "category", 40_000, lambda i: f"product line number {i % 20_000}")
    out = kseg.path("categories.h5")
    done = kseg.run("import", "--csv", csv, "--out", out, "--customer", "customer", "--timestamp", "day", "--amount",
                    "amount", "--category", "category", "--quiet", check=False)
    checks.expect(done.returncode == 0, f"20,000 category names import: {done.stderr.strip()[-200:]}")
    if done.returncode != 0:
        return
    with h5py.File(out, "r") as f:
        labels = f["transactions/category"].attrs["labels"]
    checks.expect(len(labels) == 20_000, f"all 20,000 category labels are stored ({len(labels)})")
    run = kseg.run("run", "--input", out, *AS_OF, "--k", 3, "--out", kseg.path("categories-out.h5"), "--quiet",
                   check=False)
    checks.expect(run.returncode == 0, f"and the run reads them: {run.stderr.strip()[-200:]}")


def check_cr_only_csv(kseg, checks):
    """A CSV with old-Mac line ends (CR only) imports like its LF twin."""
    rows = ["customer,day,amount"] + [f"{i % 40 + 1},2020-03-{i % 28 + 1:02d},{i % 9 + 1}.25" for i in range(200)]
    counts = {}
    for name, end in [("lf", "\n"), ("cr", "\r")]:
        path = kseg.path(f"{name}.csv")
        with open(path, "w", newline="") as out:
            out.write(end.join(rows) + end)
        done = kseg.run("import", "--csv", path, "--out", kseg.path(f"{name}.h5"), "--customer", "customer",
                        "--timestamp", "day", "--amount", "amount", "--quiet", check=False)
        with h5py.File(kseg.path(f"{name}.h5"), "r") if done.returncode == 0 else open(path) as f:
            counts[name] = (done.returncode, len(f["transactions/amount"]) if done.returncode == 0 else done.stderr)
    checks.expect(counts["cr"] == counts["lf"] == (0, 200), f"CR-only line ends import like LF ones: {counts}")


def option_cases(kseg):
    f = features(kseg.path("opts.h5"), n=20)
    toml = kseg.path("bad.toml")
    with open(toml, "w") as out:
        out.write('k = 3\nfeatures = "f0,f1\n')
    run = ["run", "--input", f, "--quiet", "--out", kseg.path("opts-out.h5")]
    return [
        ("--seed -1", run + ["--k", 2, "--seed", -1], "--seed", [], []),
        ("--seed 2^64", run + ["--k", 2, "--seed", 2 ** 64], "--seed", [], []),
        ("an unterminated TOML string", run + ["--config", toml], "line 2: a string is not closed", [], []),
        ("select-k over 100,000 ks", ["select-k", "--input", f, "--k", "2..100000", "--quiet"], "at most 64", [], []),
        ("select-k beyond the customers", ["select-k", "--input", f, "--k", "2..60", "--quiet"],
         "exceeds the number of customers (20)", [], []),
    ]


def checkpoint_bytes(identity, scalars, centroids, best_centroids, best_sizes, restart_inertia, best_inertia):
    """kseg's checkpoint checksum: FNV-1a over the identity and every array's bytes, in order."""
    h = 14695981039346656037
    data = identity.encode() + struct.pack(f"<{len(scalars)}q", *scalars) + centroids.astype("<f4").tobytes() + \
        best_centroids.astype("<f4").tobytes() + best_sizes.astype("<i8").tobytes() + \
        restart_inertia.astype("<f8").tobytes() + np.array([best_inertia], "<f8").tobytes()
    for byte in data:
        h = ((h ^ byte) * 1099511628211) % 2 ** 64
    return f"{h:016x}"


def checkpoint_cases(kseg):
    f = features(kseg.path("ck.h5"), n=3000, d=4)
    run = ["run", "--input", f, "--k", 4, "--n-init", 2, "--max-iter", 2, "--tol", 0, "--seed", 0, "--quiet"]
    kseg.run(*run, "--out", kseg.path("ck-out.h5"))
    with h5py.File(kseg.path("ck-out.h5"), "r") as result:  # the run's identity, as its checkpoints carry it
        checksum = format(int(result.attrs["input_checksum"], 16), "x")
    identity = f"k=4;d=4;seed=0;init=k-means||;n_init=2;max_iter=2;tol=0;oversampling=2;init_rounds=5;init_trials=10;init_sample=16384;swap_patience=20;swap_sample=262144;input_checksum={checksum}"
    cases = []

    def variant(name, change, resign=True):
        path = kseg.path(name)
        parts = {"scalars": np.array([0, 1, -1, 0, 0], np.int64), "centroids": np.zeros(16, np.float32),
                 "best_centroids": np.zeros(0, np.float32), "best_sizes": np.zeros(0, np.int64),
                 "restart_inertia": np.zeros(0, np.float64), "best_inertia": np.zeros(1, np.float64)}
        signed = checkpoint_bytes(identity, parts["scalars"].tolist(), parts["centroids"], parts["best_centroids"],
                                  parts["best_sizes"], parts["restart_inertia"], 0.0)
        change(parts)
        if resign:
            signed = checkpoint_bytes(identity, parts["scalars"].tolist(), parts["centroids"], parts["best_centroids"],
                                      parts["best_sizes"], parts["restart_inertia"], float(parts["best_inertia"][0]))
        with h5py.File(path, "w") as out:
            out.attrs["kseg_checkpoint"] = identity
            out.attrs["checksum"] = signed
            for key, value in parts.items():
                out[key] = value
        return path

    def flipped(parts):
        parts["centroids"] = parts["centroids"].copy()
        parts["centroids"][3] = 1.0

    restart = variant("restart.ckpt", lambda c: c["scalars"].__setitem__(0, -5))
    iteration = variant("iteration.ckpt", lambda c: c["scalars"].__setitem__(1, 10 ** 12))
    short = variant("short.ckpt", lambda c: c.__setitem__("centroids", np.zeros(7, np.float32)))
    bit = variant("bit.ckpt", flipped, resign=False)
    for label, path, expected in [("restart -5", restart, "restart -5 is not 0..1"),
                                  ("iteration 10^12", iteration, "iteration 1000000000000 is not 0..2"),
                                  ("a shortened centroids dataset", short, "centroids are not 16 finite values"),
                                  ("a flipped bit", bit, "does not match its checksum")]:
        cases.append((f"resume from {label}", run + ["--out", kseg.path(f"r-{os.path.basename(path)}.h5"), "--resume", path],
                      expected, [path], []))
    return cases


def check_concurrent_runs(kseg, checks):
    """A second run on the --out of a live run is refused and leaves the live run's partial file alone."""
    f = kseg.path("slow.h5")
    with h5py.File(f, "w") as out:
        out["features/matrix"] = np.random.default_rng(2).normal(size=(400_000, 16)).astype(np.float32)
        out["features/customer_id"] = np.arange(400_000, dtype=np.int64)
    target = kseg.path("shared.h5")
    first = subprocess.Popen(kseg.command(["run", "--input", f, "--k", 64, "--max-iter", 40, "--tol", 0, "--n-init", 2,
                                           "--out", target, "--quiet"], None),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not os.path.exists(target + ".lock") and time.monotonic() < deadline:
        time.sleep(0.05)
    second = kseg.run("run", "--input", f, "--k", 3, "--out", target, "--force", "--quiet", check=False)
    still_running = first.poll() is None
    _, first_errors = first.communicate(timeout=300)
    checks.expect(still_running, "the first run was still writing when the second started")
    checks.expect(second.returncode == EXIT_INPUT and "another kseg run is writing it now" in second.stderr,
                  f"the second run on the same --out is refused: {second.stderr.strip()}")
    checks.expect(first.returncode == 0, f"the first run finished undisturbed: {first_errors.strip()[-300:]}")
    with h5py.File(target, "r") as result:
        checks.expect(result["model/centroids"].shape == (64, 16) and result.attrs["k"] == 64,
                      "the result is the first run's, whole")
    checks.expect(not os.path.exists(target + ".lock") and not os.path.exists(target + ".partial"),
                  "the lock and partial files are gone")


def check_returns_only(kseg, checks, ranks):
    rng = np.random.default_rng(3)
    path = transactions(kseg.path("returns.h5"), amount=-np.round(rng.lognormal(3, 1, 600), 2))
    out = kseg.path(f"returns-{ranks}.h5")
    done = kseg.run("run", "--input", path, *AS_OF, "--k", 2, "--out", out, ranks=ranks, check=False)
    checks.expect(done.returncode == 0, f"return lines only ({ranks} rank(s)): the run completes: {done.stderr[-300:]}")
    if done.returncode != 0:
        return
    with h5py.File(out, "r") as f:
        clv = f["segments/clv"][:]
    report = json.load(open(out[:-3] + ".report.json"))
    checks.expect(np.isnan(clv).all() and report["customers_without_clv"] == len(clv),
                  f"return lines only ({ranks} rank(s)): every CLV is unknown (NaN) and counted")
    checks.expect(all(s["mean_clv"] is None or not np.isfinite(s["mean_clv"]) for s in report["segments"]),
                  f"return lines only ({ranks} rank(s)): no segment shows a mean CLV")
    checks.expect(any("no customer bought anything" in w for w in report["warnings"]),
                  f"return lines only ({ranks} rank(s)): the report says why {report['warnings']}")


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    adversary = Adversary(kseg, checks)
    fifo = kseg.path("fifo")
    os.mkfifo(fifo)
    table = output_cases(kseg) + transaction_cases(kseg) + feature_file_cases(kseg) + import_cases(kseg) + \
        option_cases(kseg) + \
        checkpoint_cases(kseg)
    table.append(("a FIFO as --input", ["run", "--input", fifo, "--k", 2, "--out", kseg.path("fifo-out.h5"), "--quiet"],
                  "not a regular file", [], []))
    for ranks in (1, 4):
        for label, arguments, expected, *rest in table:
            fixed_ranks = rest[0] if len(rest) == 3 else None
            keep, leaves = rest[-2], rest[-1]
            if fixed_ranks is not None and fixed_ranks != ranks:
                continue
            adversary.refused(label, arguments, expected, ranks, keep, leaves)
        check_returns_only(kseg, checks, ranks)
    checks.expect(os.path.exists("/dev/null") and not os.path.isfile("/dev/null"), "/dev/null is still a device")
    check_concurrent_runs(kseg, checks)
    check_cr_only_csv(kseg, checks)
    check_many_category_names(kseg, checks)
    checks.finish()


if __name__ == "__main__":
    main()
