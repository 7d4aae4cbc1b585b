"""Segment names come from the customers inside, not from the segment's means. On the CDNOW sample
with heavy returners and return-only customers added, each segment's name must be the documented
rule applied to its customers, re-implemented in pandas: "Serial Returners" when more than half
returned at least half of what they bought, "New" when more than half first bought less than a
period before the as-of date, "One-Time Buyers" when more than half bought once, else the
plurality of their RFM classes; an equal name is told apart by a phrase after " — ". The heavy
returners get "Serial Returners", never "Can't Lose Them". Names are unique, the R/F/M scores
shown are the customers' medians, and customers who only returned goods have no CLV (NaN),
are counted in report.json and the CSV, and leave every segment's mean CLV the mean of the others.
Same answers at 1 and 4 ranks."""
import json

import h5py
import numpy as np
import pandas as pd

from kseg_e2e import CDNOW, CDNOW_MAPPING, Checks, Kseg, check_report_html, parse_args

AS_OF = "1997-09-30"
PERIOD_DAYS = 90
SERIAL_RETURN_RATE = 0.5
RETURNS_ONLY = range(900001, 900013)  # customer ids with nothing but returns


def with_returners(kseg):
    """CDNOW plus: 250 repeat buyers return 90% of their spend the day after their last purchase;
    12 new customers only return goods."""
    lines = pd.read_csv(CDNOW, sep=r"\s+", header=None, names=["master", "customer", "date", "cds", "dollars"])
    calibration = lines[lines["date"] <= 19970930]
    repeat = calibration.groupby("customer").filter(lambda g: g["date"].nunique() >= 2)
    chosen = np.sort(repeat["customer"].unique())[::4][:250]
    spend = calibration[calibration["customer"].isin(chosen)].groupby("customer").agg(dollars=("dollars", "sum"),
                                                                                      date=("date", "max"))
    day_after = (pd.to_datetime(spend["date"].astype(str)) + pd.Timedelta(days=1)).dt.strftime("%Y%m%d").astype(int)
    returns = pd.DataFrame({"master": 0, "customer": spend.index, "date": np.minimum(day_after, 19970930),
                            "cds": -1, "dollars": -0.9 * spend["dollars"]})
    only = pd.DataFrame({"master": 0, "customer": list(RETURNS_ONLY), "date": 19970601, "cds": -1, "dollars": -20.0})
    csv = kseg.path("returners.txt")
    pd.concat([lines, returns, only]).to_csv(csv, sep=" ", header=False, index=False)
    out = kseg.path("returners.h5")
    kseg.run("import", "--csv", csv, "--out", out, *CDNOW_MAPPING, "--quiet")
    return out


def expected_base_name(customers, labels):
    n = len(customers)
    if (customers["return_rate"] >= SERIAL_RETURN_RATE).sum() * 2 > n: return "Serial Returners"
    if (customers["tenure_days"] < PERIOD_DAYS).sum() * 2 > n: return "New"
    if (customers["frequency"] == 1).sum() * 2 > n: return "One-Time Buyers"
    counts = customers["rfm"].value_counts()
    return labels[min(counts[counts == counts.max()].index)]  # ties: the earlier class (codes are in table order)


def median_score(scores):
    counts = np.bincount(scores, minlength=6)[1:]
    return int(np.argmax(np.cumsum(counts) * 2 >= len(scores)) + 1)


def run(kseg, source, ranks):
    out = kseg.path(f"names-{ranks}.h5")
    kseg.run("run", "--input", source, "--as-of", AS_OF, "--time-unit", "weeks", "--k", 8, "--period-days", PERIOD_DAYS,
             "--device", "cpu", "--out", out, "--quiet", ranks=ranks)
    features = kseg.path(f"names-features-{ranks}.h5")
    kseg.run("features", "--input", source, "--as-of", AS_OF, "--time-unit", "weeks", "--out", features, "--quiet")
    with h5py.File(features, "r") as f:
        m = pd.DataFrame(f["features/matrix"][:], columns=list(f["features/matrix"].attrs["names"]),
                         index=f["features/customer_id"][:])
    with h5py.File(out, "r") as f:
        s = f["segments"]
        table = pd.DataFrame({"segment": s["segment"][:], "rfm": s["rfm_segment"][:], "r": s["r_score"][:],
                              "f": s["f_score"][:], "m": s["m_score"][:], "clv": s["clv"][:]},
                             index=s["customer_id"][:])
        names = dict(zip(f["model/segment_ids"][:], f["model/segment_names"].asstr()[:]))
        labels = list(s["rfm_segment"].attrs["labels"])
    return out, table.join(m), names, labels


def check_names(checks, ranks, table, names, labels, report):
    for segment, customers in table.groupby("segment"):
        base, name = expected_base_name(customers, labels), names[segment]
        checks.expect(name == base or name.startswith(base + " — "),
                      f"{ranks} rank(s): segment {segment} '{name}' is named by its customers' rule: {base}")
        shown = next(s for s in report["segments"] if s["segment"] == segment)["rfm_scores"]
        want = [median_score(customers[c].to_numpy()) for c in ("r", "f", "m")]
        checks.expect(shown == want, f"{ranks} rank(s): segment {segment} shows its customers' median R/F/M {want}: {shown}")
    checks.expect(len(set(names.values())) == len(names), f"{ranks} rank(s): names are unique {sorted(names.values())}")
    returners = table.groupby("segment")["return_rate"].mean().idxmax()
    checks.expect(names[returners].startswith("Serial Returners") and "Can't Lose Them" not in names[returners],
                  f"{ranks} rank(s): the heavy returners' segment is '{names[returners]}'")


def check_without_clv(checks, ranks, table, report, out):
    only = table.index.isin(list(RETURNS_ONLY))
    checks.expect(table.loc[only, "clv"].isna().all() and table.loc[~only, "clv"].notna().all(),
                  f"{ranks} rank(s): exactly the {only.sum()} return-only customers have no CLV (NaN)")
    counted = {s["segment"]: s["customers_without_clv"] for s in report["segments"]}
    want = table[only].groupby("segment").size().reindex(list(counted), fill_value=0).to_dict()
    checks.expect(counted == want and report["customers_without_clv"] == len(RETURNS_ONLY),
                  f"{ranks} rank(s): report.json counts them per segment {counted} and in all")
    means = table.groupby("segment")["clv"].mean()  # pandas skips NaN
    shown = {s["segment"]: s["mean_clv"] for s in report["segments"]}
    checks.expect(all(abs(shown[s] - means[s]) <= 1e-4 * max(1, abs(means[s])) for s in shown),
                  f"{ranks} rank(s): mean CLV per segment is over the customers who have one")
    csv = pd.read_csv(out[:-3] + ".csv")
    checks.expect(csv.set_index("segment")["customers_without_clv"].to_dict() == counted,
                  f"{ranks} rank(s): the segment CSV counts them too")


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    source = with_returners(kseg)
    names_at = {}
    for ranks in (1, 4):
        out, table, names, labels = run(kseg, source, ranks)
        report = json.load(open(out[:-3] + ".report.json"))
        check_names(checks, ranks, table, names, labels, report)
        check_without_clv(checks, ranks, table, report, out)
        names_at[ranks] = names
        if ranks == 1:
            print(table.groupby("segment").agg(customers=("rfm", "size"), return_rate=("return_rate", "mean"),
                                               frequency=("frequency", "median")).assign(name=pd.Series(names)).to_string())
            check_report_html(kseg, checks, out[:-3] + ".report.html", list(names.values()))
    checks.expect(names_at[1] == names_at[4], "1 and 4 ranks give the same names")
    checks.finish()


if __name__ == "__main__":
    main()
