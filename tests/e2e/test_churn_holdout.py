"""Churn risk against what customers did next. The CDNOW sample runs to 1998-06-30; calibrated to
1997-09-30, each customer either bought again in the next --period-days (90) or did not. The
churn risk kseg stores (/segments/churn_risk, P(no purchase in the period)) must rank the
customers who did not above those who did (ROC AUC >= 0.75), and the segments' mean churn risk
must order them as their inactive shares do (Spearman >= 0.9), at 1 and 4 ranks alike. The old
figure, 1 - P(alive), is scored too and printed: it fails both (one-time buyers are "alive")."""
import json

import h5py
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from kseg_e2e import CDNOW, Checks, Kseg, parse_args

AS_OF = pd.Timestamp("1997-09-30")
PERIOD_DAYS = 90


def inactive_in_period():
    """customer id → True when the customer bought nothing in (as-of, as-of + period]."""
    lines = pd.read_csv(CDNOW, sep=r"\s+", header=None, names=["master", "customer", "date", "cds", "dollars"])
    lines["date"] = pd.to_datetime(lines["date"].astype(str), format="%Y%m%d")
    later = lines[(lines["date"] > AS_OF) & (lines["date"] <= AS_OF + pd.Timedelta(days=PERIOD_DAYS))]
    customers = lines[lines["date"] <= AS_OF]["customer"].unique()
    return pd.Series(~pd.Series(customers).isin(later["customer"]).to_numpy(), index=customers)


def spearman(a, b):
    return float(np.corrcoef(pd.Series(a).rank(), pd.Series(b).rank())[0, 1])


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    transactions = kseg.import_cdnow()
    inactive = inactive_in_period()
    columns = {}
    for ranks in (1, 4):
        out = kseg.path(f"churn-{ranks}.h5")
        kseg.run("run", "--input", transactions, "--as-of", "1997-09-30", "--time-unit", "weeks", "--k", 6,
                 "--period-days", PERIOD_DAYS, "--device", "cpu", "--out", out, "--quiet", ranks=ranks)
        with h5py.File(out, "r") as f:
            s = pd.DataFrame({name: f["segments"][name][:] for name in
                              ("customer_id", "segment", "churn_risk", "p_alive")}).set_index("customer_id")
        columns[ranks] = s
        truth = inactive.reindex(s.index)
        checks.expect(truth.notna().all(), f"{ranks} rank(s): every segmented customer bought by the as-of date")
        auc = roc_auc_score(truth.astype(int), s["churn_risk"])
        old_auc = roc_auc_score(truth.astype(int), 1 - s["p_alive"])
        checks.expect(auc >= 0.75, f"{ranks} rank(s): churn risk ROC AUC {auc:.3f} >= 0.75 (1 - P(alive): {old_auc:.3f})")
        by_segment = pd.DataFrame({"risk": s["churn_risk"], "inactive": truth.astype(float),
                                   "old": 1 - s["p_alive"], "segment": s["segment"]}).groupby("segment").mean()
        rho, old_rho = spearman(by_segment["risk"], by_segment["inactive"]), spearman(by_segment["old"], by_segment["inactive"])
        print(by_segment.round(3).to_string())
        report = json.load(open(out[:-3] + ".report.json"))
        shown = pd.Series({seg["segment"]: seg["churn_risk"] for seg in report["segments"]})
        checks.expect(np.allclose(shown.reindex(by_segment.index), by_segment["risk"], atol=1e-6),
                      f"{ranks} rank(s): the report's churn risk is each segment's mean of its customers'")
        checks.expect(rho >= 0.9, f"{ranks} rank(s): segments' mean churn risk vs inactive share, Spearman {rho:.3f} >= 0.9 "
                                  f"(1 - P(alive): {old_rho:.3f})")
        checks.expect(((s["churn_risk"] >= 0) & (s["churn_risk"] <= 1)).all() and (s["churn_risk"] >= 1 - s["p_alive"] - 1e-6).all(),
                      f"{ranks} rank(s): churn risk is a probability, never below the chance of having dropped out")
    checks.expect(columns[1]["churn_risk"].to_numpy().tobytes() == columns[4]["churn_risk"].to_numpy().tobytes(),
                  "churn risk bit-identical at 1 and 4 ranks")
    checks.finish()


if __name__ == "__main__":
    main()
