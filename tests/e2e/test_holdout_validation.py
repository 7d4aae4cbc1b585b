"""Every run whose transactions go on past --as-of checks its predictions against what the
customers did next. On the CDNOW sample (calibrated to 1997-09-30, holdout to 1998-06-30) and on
a generated retailer whose future is its generated log, /validation and report.json must equal a
pandas computation from the raw lines: actual holdout purchases (purchase days), spend and
inactive share by calibration frequency, by segment and in total; predicted purchases must equal
an independent BG/NBD conditional expectation (scipy's 2F1) from the stored parameters; the churn
AUC equals scikit-learn's, the Brier score numpy's; the results are bit-identical at 1 and 4
ranks, and report.html shows the section."""
import json

import h5py
import numpy as np
import pandas as pd
from scipy.special import hyp2f1
from sklearn.metrics import roc_auc_score

from kseg_e2e import CDNOW, Checks, Kseg, parse_args

PERIOD_DAYS = 90
GROUPS = ("total", "by_frequency", "by_segment", "by_spend_decile")


def day_number(date):
    return (pd.Timestamp(date) - pd.Timestamp("1970-01-01")).days


def truth_from_lines(lines, as_of_day, end_day):
    """Per customer seen by the as-of day: calibration repeat days, holdout purchase days, net
    holdout spend, and whether they bought nothing in the churn period (pandas, from raw lines)."""
    lines = lines.assign(purchase=lines["amount"] >= 0)
    calibration = lines[lines["day"] <= as_of_day]
    later = lines[(lines["day"] > as_of_day) & (lines["day"] <= end_day)]
    bought = later[later["purchase"]]
    out = pd.DataFrame(index=pd.Index(np.sort(calibration["customer"].unique()), name="customer"))
    out["x"] = calibration[calibration["purchase"]].groupby("customer")["day"].nunique().reindex(out.index).fillna(1) - 1
    out["purchases"] = bought.groupby("customer")["day"].nunique().reindex(out.index).fillna(0)
    out["spend"] = later.groupby("customer")["amount"].sum().reindex(out.index).fillna(0)
    in_period = bought[bought["day"] <= as_of_day + PERIOD_DAYS]["customer"].unique()
    out["inactive"] = ~out.index.isin(in_period)
    return out


def bgnbd_expected(attrs, x, t_x, T, t):
    r, alpha, a, b = (attrs[k] for k in ("bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b"))
    head = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) *
                                        hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t)))
    odds = np.where(x > 0, a / np.maximum(b + x - 1, 1e-300) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0)
    return head / (1 + odds)


def read_result(out):
    with h5py.File(out, "r") as f:
        segments = pd.DataFrame({k: f["segments"][k][:] for k in ("customer_id", "segment", "churn_risk")})
        validation = {g: {k: f["validation"][g][k][:] for k in f["validation"][g]} for g in GROUPS}
        return segments.set_index("customer_id"), validation, dict(f["validation"].attrs), dict(f.attrs)


def check_case(kseg, checks, name, source, run_options, truth):
    results = {}
    for ranks in (1, 4):
        out = kseg.path(f"{name}-{ranks}.h5")
        kseg.run("run", "--input", source, *run_options, "--period-days", PERIOD_DAYS, "--device", "cpu", "--out", out,
                 "--quiet", ranks=ranks)
        results[ranks] = read_result(out)
    segments, validation, vattrs, attrs = results[1]
    for group in GROUPS:
        checks.expect(all(validation[group][k].tobytes() == results[4][1][group][k].tobytes() for k in validation[group]),
                      f"{name}: /validation/{group} bit-identical at 1 and 4 ranks")
    t = truth.reindex(segments.index)
    t["segment"] = segments["segment"]
    t["bucket"] = np.minimum(t["x"], 7).astype(int)
    total = validation["total"]
    checks.expect(total["customers"][0] == len(t) and total["actual_purchases"][0] == t["purchases"].sum() and
                  abs(total["actual_spend"][0] - t["spend"].sum()) < 1e-6 * max(1, abs(t["spend"].sum())),
                  f"{name}: {len(t)} customers bought {t['purchases'].sum():.0f} times in the holdout and spent "
                  f"{t['spend'].sum():.2f}, as pandas counts")
    by_frequency = t.groupby("bucket").agg(customers=("x", "size"), purchases=("purchases", "sum"))
    got = validation["by_frequency"]
    checks.expect(np.array_equal(got["customers"][by_frequency.index], by_frequency["customers"]) and
                  np.array_equal(got["actual_purchases"][by_frequency.index], by_frequency["purchases"]),
                  f"{name}: actual holdout purchases by calibration frequency equal pandas' {list(by_frequency['purchases'])}")
    by_segment = t.groupby("segment").agg(inactive=("inactive", "mean"), purchases=("purchases", "sum"))
    seg = validation["by_segment"]
    rows = pd.Series(range(len(seg["segment"])), index=seg["segment"])
    checks.expect(np.allclose(seg["inactive_share"][rows[by_segment.index]], by_segment["inactive"], atol=1e-12) and
                  np.array_equal(seg["actual_purchases"][rows[by_segment.index]], by_segment["purchases"]),
                  f"{name}: each segment's inactive share and holdout purchases equal pandas'")
    auc = roc_auc_score(t["inactive"].astype(int), segments["churn_risk"])
    brier = float(np.mean((segments["churn_risk"].astype(np.float64) - t["inactive"]) ** 2))
    checks.expect(abs(vattrs["churn_auc"] - auc) < 1e-3 and abs(vattrs["churn_brier"] - brier) < 1e-6,
                  f"{name}: churn AUC {vattrs['churn_auc']:.4f} (scikit-learn {auc:.4f}), Brier {vattrs['churn_brier']:.4f} "
                  f"(numpy {brier:.4f})")
    checks.expect(vattrs["churn_auc"] >= 0.7, f"{name}: churn risk ranks who bought nothing next (AUC >= 0.7)")
    return results[1], attrs, t


def predicted_by_frequency(features, attrs, t, holdout_days, unit_days):
    """Σ of the independent BG/NBD expectation per calibration-frequency bucket."""
    with h5py.File(features, "r") as f:
        names = list(f["features/matrix"].attrs["names"])
        m = pd.DataFrame(f["features/matrix"][:], columns=names, index=f["features/customer_id"][:])
    m = m.reindex(t.index)
    expected = bgnbd_expected(attrs, m["bgnbd_x"].to_numpy(np.float64), m["bgnbd_t_x"].to_numpy(np.float64),
                              m["bgnbd_T"].to_numpy(np.float64), holdout_days / unit_days)
    return pd.Series(expected, index=t.index).groupby(t["bucket"]).sum()


def cdnow(kseg, checks):
    transactions = kseg.import_cdnow()
    lines = pd.read_csv(CDNOW, sep=r"\s+", header=None, names=["master", "customer", "date", "cds", "amount"])
    lines["day"] = (pd.to_datetime(lines["date"].astype(str), format="%Y%m%d") - pd.Timestamp("1970-01-01")).dt.days
    as_of, end = day_number("1997-09-30"), day_number("1998-06-30")
    truth = truth_from_lines(lines, as_of, end)
    (segments, validation, vattrs, _), attrs, t = check_case(
        kseg, checks, "cdnow", transactions, ["--as-of", "1997-09-30", "--time-unit", "weeks", "--k", 6], truth)
    checks.expect(vattrs["holdout_start"] == "1997-10-01" and vattrs["holdout_end"] == "1998-06-30" and
                  vattrs["holdout_days"] == 273, f"cdnow: the holdout is 1997-10-01 .. 1998-06-30 ({vattrs['holdout_days']} days)")
    features = kseg.path("cdnow-features.h5")
    kseg.run("features", "--input", transactions, "--as-of", "1997-09-30", "--time-unit", "weeks", "--out", features,
             "--quiet", "--device", "cpu")
    expected = predicted_by_frequency(features, attrs, t, 273, 7)
    got = validation["by_frequency"]["predicted_purchases"][expected.index]
    checks.expect(np.allclose(got, expected, rtol=1e-5),
                  f"cdnow: predicted holdout purchases by frequency equal scipy's BG/NBD {np.round(expected.to_numpy(), 1)}")
    report = json.load(open(kseg.path("cdnow-1.report.json")))["validation"]
    checks.expect(report["churn_auc"] == vattrs["churn_auc"] and len(report["by_frequency"]) == 8 and
                  len(report["segments"]) == 6 and len(report["by_spend_decile"]) == 10,
                  "cdnow: report.json holds the validation tables")
    html = open(kseg.path("cdnow-1.report.html")).read()
    checks.expect("Checked against what customers did next" in html and "holdout-chart" in html,
                  "cdnow: report.html shows the holdout check and its chart")
    facts = json.load(open(kseg.path("cdnow-1.report.json")))
    window = (lines["day"].min(), lines["day"].max())
    checks.expect(facts["as_of"] == "1997-09-30" and facts["first_transaction"] == "1997-01-01" and
                  facts["last_transaction"] == "1998-06-30" and window == (day_number("1997-01-01"), end) and
                  facts["transaction_lines_used"] == (lines["day"] <= as_of).sum() and
                  facts["transaction_lines_after_as_of"] == (lines["day"] > as_of).sum() and facts["time_unit"] == "weeks",
                  "cdnow: report.json says when and on what (as-of, the log's window, lines used and left out)")
    checks.expect(all(label in html for label in ("as of", "holdout", "CLV model", "BG/NBD r 0.2", "CLV horizon")),
                  "cdnow: report.html's header names the as-of date, holdout and the CLV model with its parameters")
    stale = kseg.path("stale.h5")
    run = kseg.run("run", "--input", transactions, "--as-of", "2000-01-01", "--k", 3, "--device", "cpu", "--out", stale)
    warnings = json.load(open(kseg.path("stale.report.json")))["warnings"]
    checks.expect(len(warnings) == 1 and "550 days after the last transaction (1998-06-30)" in warnings[0] and
                  "warning   the as-of date 2000-01-01" in run.stderr and
                  "Before you act on these figures" in open(kseg.path("stale.report.html")).read(),
                  f"an as-of date 550 days after the log ends is warned about in the log and both reports {warnings}")


def retailer(kseg, checks):
    source = kseg.path("retailer.h5")
    kseg.run("generate", "--transactions", "--customers", 4000, "--seed", 5, "--out", source, "--quiet", ranks=2)
    with h5py.File(source, "r") as f:
        lines = pd.DataFrame({"customer": f["transactions/customer_id"][:], "amount": f["transactions/amount"][:],
                              "day": f["transactions/timestamp"][:] // 86400})
    as_of, end = day_number("2024-06-30"), day_number("2024-12-31")
    check_case(kseg, checks, "retailer", source, ["--as-of", "2024-06-30", "--k", 5], truth_from_lines(lines, as_of, end))


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    cdnow(kseg, checks)
    retailer(kseg, checks)
    checks.finish()


if __name__ == "__main__":
    main()
