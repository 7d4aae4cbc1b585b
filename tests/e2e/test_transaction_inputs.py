"""Transactions in, segments out: `kseg features` and `kseg run` on a transactions file, results
identical for 1, 2 and 4 ranks, and each bad transactions file refused with one line naming the
dataset and first bad row, with no output left behind."""
import os

import h5py
import numpy as np

from kseg_e2e import Checks, Kseg, parse_args

DAY = 86400
START = 1_600_000_000


def write_transactions(path, n=3000, drop=(), replace=None):
    rng = np.random.default_rng(5)
    columns = {
        "customer_id": rng.integers(1, 400, n).astype(np.int64),
        "timestamp": (START + rng.integers(0, 300 * DAY, n)).astype(np.int64),
        "amount": np.round(rng.lognormal(3, 1, n), 2) * np.where(rng.random(n) < 0.05, -1, 1),
        "order_id": rng.integers(0, 1500, n).astype(np.int64),
        "quantity": rng.integers(1, 5, n).astype(np.int32),
        "category": rng.integers(0, 5, n).astype(np.int32),
    }
    columns.update(replace or {})
    with h5py.File(path, "w") as f:
        for name, values in columns.items():
            if name not in drop:
                f[f"transactions/{name}"] = values
        if "category" in f["transactions"]:
            f["transactions/category"].attrs["labels"] = ["books", "music", "toys", "games", "food"]
    return path


def read_features(path):
    with h5py.File(path, "r") as f:
        return (f["features/customer_id"][:], f["features/matrix"][:],
                list(f["features/matrix"].attrs["names"]), dict(f["features"].attrs))


def check_features(kseg, checks, data):
    as_of = "2021-05-01"
    results = {}
    for ranks in (1, 2, 4):
        out = kseg.path(f"features-{ranks}.h5")
        kseg.run("features", "--input", data, "--as-of", as_of, "--out", out, "--quiet", ranks=ranks)
        results[ranks] = read_features(out)
    ids, matrix, names, attrs = results[1]
    checks.expect(np.all(np.diff(ids) > 0), "features: customers in increasing id order")
    checks.expect(all(np.array_equal(results[r][0], ids) and results[r][1].tobytes() == matrix.tobytes()
                      for r in (2, 4)), "features: 2 and 4 ranks bit-identical to 1 rank")
    for name in ["recency_days", "frequency", "monetary", "aov", "items_per_order", "return_rate",
                 "category_share_books", "category_share_other", "bgnbd_x", "bgnbd_T", "bgnbd_zbar"]:
        checks.expect(name in names, f"features: column {name}")
    with h5py.File(data, "r") as f:
        day = f["transactions/timestamp"][:] // DAY
        later = int((day > np.datetime64(as_of).astype("datetime64[D]").astype(np.int64)).sum())
    checks.expect(attrs["lines_after_as_of"] == later, f"features: {later} lines after --as-of counted")
    checks.expect(np.isfinite(matrix).all(), "features: all finite")


def check_run(kseg, checks, data):
    outs = []
    for ranks in (1, 4):
        out = kseg.path(f"segments-{ranks}.h5")
        kseg.run("run", "--input", data, "--as-of", "2021-05-01", "--k", 4, "--out", out, "--quiet", ranks=ranks)
        outs.append(out)
    with h5py.File(outs[0], "r") as a, h5py.File(outs[1], "r") as b:
        names = list(a["model/feature_names"].asstr()[:])
        checks.expect(names == ["recency_days", "frequency", "monetary", "aov", "tenure_days", "return_rate"],
                      f"run on transactions: the default RFM feature set ({names})")
        steps = list(a["model/scaler/steps"].asstr()[:])
        checks.expect(steps[0] == "log1p+standardize" and steps[4] == "standardize", "run: default transforms stored")
        centroids = a["model/centroids"][:]
        checks.expect(abs(centroids.mean()) < 1.5, "run: centroids in standardized units")
        original = a["model/centroids_original"][:]
        checks.expect((original[:, 1] >= 1).all() and (original[:, 0] >= 0).all(),
                      "run: centroids_original in the features' units (frequency >= 1, recency >= 0)")
        checks.expect(all(np.array_equal(a[n][:], b[n][:]) for n in
                          ["segments/customer_id", "segments/segment", "model/centroids"]),
                      "run on transactions: 4 ranks bit-identical to 1 rank")


def check_errors(kseg, checks):
    cases = [
        ("missing amount", write_transactions(kseg.path("no-amount.h5"), drop=("amount",)),
         "missing dataset /transactions/amount"),
        ("float timestamps", write_transactions(kseg.path("float-ts.h5"),
                                                replace={"timestamp": np.linspace(0, 1, 3000)}),
         "/transactions/timestamp: expected integers, found floating-point numbers"),
        ("unequal lengths", write_transactions(kseg.path("short.h5"),
                                               replace={"quantity": np.ones(2999, dtype=np.int32)}),
         "/transactions/quantity: has 2999 rows but /transactions/customer_id has 3000"),
        ("NaN amount", write_transactions(kseg.path("nan.h5"), replace={"amount": np.r_[np.ones(2100), np.nan,
                                                                                       np.ones(899)]}),
         "/transactions/amount row 2100: nan is not an amount kseg takes"),
    ]
    for label, path, expected in cases:
        for command in ("features", "run"):
            out = kseg.path(f"bad-{command}.h5")
            done = kseg.run(command, "--input", path, "--as-of", "2021-05-01", "--out", out, "--quiet", ranks=2,
                            check=False)
            errors = [line for line in done.stderr.splitlines() if line.startswith("kseg: error")]
            checks.expect(done.returncode != 0 and len(errors) == 1 and expected in errors[0],
                          f"{command}, {label}: one line naming the problem ({errors})")
            checks.expect(not os.path.exists(out) and not os.path.exists(out + ".partial"),
                          f"{command}, {label}: no output left")
    early = kseg.run("features", "--input", write_transactions(kseg.path("ok.h5")), "--as-of", "2019-01-01",
                     "--out", kseg.path("early.h5"), ranks=2, check=False)
    checks.expect(early.returncode != 0 and "is before every transaction (the first is on 2020-09-13)" in early.stderr,
                  "--as-of before every transaction is refused with the first date")
    missing = kseg.run("run", "--input", kseg.path("ok.h5"), "--out", kseg.path("x.h5"), ranks=1, check=False)
    checks.expect(missing.returncode != 0 and "needs --as-of" in missing.stderr, "run on transactions needs --as-of")


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    data = write_transactions(kseg.path("transactions.h5"))
    check_features(kseg, checks, data)
    check_run(kseg, checks, data)
    check_errors(kseg, checks)
    checks.finish()


if __name__ == "__main__":
    main()
