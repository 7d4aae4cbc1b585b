"""Segment profiles a marketer acts on, checked against pandas on a generated retailer.

`kseg run` on transactions with a /customers table, at 1 and 4 ranks, with --select-k: every
segment's retention (bought in both the previous and the current --period-days), the customer
attributes' per-segment means and category shares, CLV/CAC and the CLV quantiles equal what pandas
computes from the files' own rows; the sweep is in the report and its recommended k was used; the
report files agree across rank counts; report.html renders with every section; `kseg assign`
on the same transactions reproduces the run's assignments bit for bit."""
import json
import os
import shutil

import h5py
import numpy as np
import pandas as pd

from kseg_e2e import check_report_html, Checks, Kseg, parse_args

AS_OF = "2024-12-31"
PERIOD_DAYS = 60


def expected_retention(transactions):
    with h5py.File(transactions, "r") as f:
        lines = pd.DataFrame({name: f[f"transactions/{name}"][:] for name in ("customer_id", "timestamp", "amount")})
    as_of_day = int(np.datetime64(AS_OF, "D").astype(np.int64))
    lines["day"] = lines["timestamp"] // 86400
    bought = lines[(lines["amount"] >= 0) & (lines["day"] <= as_of_day)]
    current = set(bought.loc[bought["day"] > as_of_day - PERIOD_DAYS, "customer_id"])
    previous = set(bought.loc[(bought["day"] <= as_of_day - PERIOD_DAYS) & (bought["day"] > as_of_day - 2 * PERIOD_DAYS),
                              "customer_id"])
    return current & previous


def expected_web_share(transactions):
    """Each customer's share of purchase value bought on the web (channel 0), up to the as-of day."""
    with h5py.File(transactions, "r") as f:
        lines = pd.DataFrame({name: f[f"transactions/{name}"][:] for name in ("customer_id", "timestamp", "amount",
                                                                              "channel")})
    as_of_day = int(np.datetime64(AS_OF, "D").astype(np.int64))
    bought = lines[(lines["amount"] >= 0) & (lines["timestamp"] // 86400 <= as_of_day)]
    web = bought["amount"].where(bought["channel"] == 0, 0.0).groupby(bought["customer_id"]).sum()
    return (web / bought.groupby("customer_id")["amount"].sum()).fillna(0.0)


def customers_table(transactions, result):
    with h5py.File(transactions, "r") as f:
        table = pd.DataFrame({name: f[f"customers/{name}"][:] for name in f["customers"]})
        labels = {name: list(f[f"customers/{name}"].attrs["labels"]) for name in ("persona", "region")}
    with h5py.File(result, "r") as f:
        segments = pd.DataFrame({name: f[f"segments/{name}"][:] for name in ("customer_id", "segment", "clv")})
    return segments.merge(table, on="customer_id", how="left"), labels


def check_profiles(checks, transactions, result, report, tag):
    joined, labels = customers_table(transactions, result)
    retained = expected_retention(transactions)
    joined["retained"] = joined["customer_id"].isin(retained)
    joined["web_share"] = joined["customer_id"].map(expected_web_share(transactions)).astype(np.float32)
    by_segment = joined.groupby("segment")
    segments = {s["segment"]: s for s in report["segments"]}
    retention_ok = clv_cac_ok = means_ok = shares_ok = quantiles_ok = channel_ok = True
    for segment, rows in by_segment:
        s = segments[segment]
        retention_ok &= abs(s["retention"] - rows["retained"].mean()) < 1e-9
        channel_ok &= abs(s["mean"]["channel_share_web"] - rows["web_share"].astype(np.float64).mean()) < 1e-6
        clv_cac_ok &= abs(s["clv_per_cac"] - rows["clv"].astype(np.float64).sum() / rows["acquisition_cost"].sum()) < 1e-6 * s["clv_per_cac"]
        for name in ("age", "email_opens", "acquisition_cost"):
            means_ok &= abs(s["attributes"][name] - rows[name].mean()) < 1e-9 * max(1, abs(rows[name].mean()))
        for name in ("persona", "region"):
            shares = rows[name].value_counts(normalize=True)
            shares_ok &= all(abs(s["attributes"][name][label] - shares.get(code, 0.0)) < 1e-12
                             for code, label in enumerate(labels[name]))
        clv = rows["clv"].to_numpy()
        tolerance = (clv.max() - clv.min()) / 2**20 + 1e-3
        quantiles_ok &= all(abs(s["clv_quantiles"][key] - np.quantile(clv, q, method="lower")) <= tolerance
                            for key, q in (("p05", 0.05), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p95", 0.95)))
    checks.expect(retention_ok, f"{tag}: retention per segment = pandas' (bought in both {PERIOD_DAYS}-day periods)")
    checks.expect(channel_ok, f"{tag}: the web share of each segment's channel mix = pandas'")
    checks.expect(clv_cac_ok, f"{tag}: CLV/CAC per segment = pandas' sum(clv) / sum(acquisition_cost)")
    checks.expect(means_ok, f"{tag}: age, email opens and acquisition cost means per segment = pandas'")
    checks.expect(shares_ok, f"{tag}: persona and region shares per segment = pandas'")
    checks.expect(quantiles_ok, f"{tag}: CLV quantiles per segment within the histogram's accuracy")
    checks.expect(report["attributes_matched_customers"] == len(joined), f"{tag}: every customer found in /customers")


def check_bad_attributes(kseg, checks, transactions):
    """A broken /customers table stops the run with one line naming the dataset (and row)."""
    cases = {
        "short column": (lambda f: (f.__delitem__("customers/age"), f.create_dataset("customers/age", data=np.zeros(5))),
                         "customers/age: has 5 rows but /customers/customer_id has 6000"),
        "bad code": (lambda f: f["customers/region"].__setitem__(17, 9), "customers/region row 17: not a code of its 4 labels"),
        "text column": (lambda f: f.create_dataset("customers/note", data=np.array([b"x"] * 6000)),
                        "customers/note: customer attributes must be 1-D columns of numbers"),
    }
    for name, (damage, message) in cases.items():
        broken = kseg.path("broken.h5")
        shutil.copy(transactions, broken)
        with h5py.File(broken, "r+") as f:
            damage(f)
        out = kseg.path("broken-result.h5")
        run = kseg.run("run", "--input", broken, "--as-of", AS_OF, "--out", out, "--quiet", "--k", 3, ranks=2,
                       check=False)
        errors = [line for line in run.stderr.splitlines() if line.startswith("kseg:")]
        checks.expect(run.returncode == 2 and len(errors) == 1 and message in errors[0] and not os.path.exists(out),
                      f"{name} in /customers: {errors}")


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    transactions = kseg.path("retailer.h5")
    kseg.run("generate", "--transactions", "--customers", 6000, "--seed", 5, "--out", transactions, "--quiet", ranks=2)
    reports = {}
    for ranks in (1, 4):
        result = kseg.path(f"segments-{ranks}.h5")
        kseg.run("run", "--input", transactions, "--as-of", AS_OF, "--period-days", PERIOD_DAYS, "--select-k", "3..7",
                 "--out", result, "--device", "cpu", "--quiet", ranks=ranks)
        reports[ranks] = json.load(open(result.replace(".h5", ".report.json")))
        report = reports[ranks]
        sweep = report["select_k"]
        checks.expect([row["k"] for row in sweep["sweep"]] == list(range(3, 8)) and
                      report["k"] == sweep["recommended_k"] == len(report["segments"]),
                      f"{ranks} rank(s): --select-k swept 3..7 and used the recommended k = {sweep['recommended_k']}")
        check_profiles(checks, transactions, result, report, f"{ranks} rank(s)")
    checks.expect(reports[1]["segments"] == reports[4]["segments"] and reports[1]["select_k"] == reports[4]["select_k"],
                  "1 and 4 ranks write the same profiles and sweep")
    assigned = kseg.path("assigned.h5")
    kseg.run("assign", "--model", kseg.path("segments-4.h5"), "--input", transactions, "--as-of", AS_OF, "--out",
             assigned, "--device", "cpu", "--quiet", ranks=2)
    with h5py.File(assigned, "r") as a, h5py.File(kseg.path("segments-4.h5"), "r") as r:
        same = all((a[f"segments/{n}"][:] == r[f"segments/{n}"][:]).all() for n in ("customer_id", "segment", "distance"))
    checks.expect(same, "assign on the transactions (features, log1p, winsorize, standardize from the saved model) "
                        "reproduces the run's segments and distances bit for bit")
    html = open(kseg.path("segments-1.report.html")).read()
    for heading in ("Choosing k", "CLV distribution", "Customer attributes"):
        checks.expect(heading in html, f"report.html has its '{heading}' section")
    check_report_html(kseg, checks, kseg.path("segments-1.report.html"), [s["name"] for s in reports[1]["segments"]])
    check_bad_attributes(kseg, checks, transactions)
    checks.finish()


if __name__ == "__main__":
    main()
