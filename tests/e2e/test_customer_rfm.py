"""Per-customer RFM: /segments/{r,f,m}_score and /segments/rfm_segment must equal a pandas
re-implementation of the documented rule (midrank quintiles of all customers, values within
1/65,536 of a column's range tied, recency reversed, then the README's rule table) on the CDNOW
sample and a generated retailer, at 1 and 4 ranks; tied customers share a score; report.json's
cross-table of segments against RFM classes equals pandas' crosstab, and report.html shows it;
segment names are unique and free of column names."""
import json

import h5py
import numpy as np
import pandas as pd

from kseg_e2e import CDNOW, Checks, Kseg, parse_args

BINS = 1 << 16
LABELS = ["Champions", "Loyal", "Potential Loyalist", "New", "Promising", "Need Attention", "About to Sleep",
          "At Risk", "Can't Lose Them", "Hibernating", "Lost"]


def midrank_scores(values):
    v = values.astype(np.float64)
    low, width = v.min(), v.max() - v.min()
    bins = np.minimum(BINS - 1, ((v - low) / width * BINS).astype(np.int64)) if width > 0 else np.zeros(len(v), np.int64)
    counts = np.bincount(bins, minlength=BINS)
    below = np.concatenate([[0], np.cumsum(counts)[:-1]])
    score_of_bin = 1 + np.minimum(4, (2 * below + counts) * 5 // (2 * len(v)))
    return score_of_bin[bins]


def rfm_class(r, f, m):
    if r >= 4 and f >= 4 and m >= 4: return "Champions"
    if r >= 3 and f >= 4: return "Loyal"
    if r <= 2 and f >= 4 and m >= 4: return "Can't Lose Them"
    if r <= 2 and f >= 3: return "At Risk"
    if r == 5 and f <= 1: return "New"
    if r >= 4 and f <= 1: return "Promising"
    if r >= 4: return "Potential Loyalist"
    if r == 3 and f >= 3: return "Need Attention"
    if r == 3: return "About to Sleep"
    if r == 2: return "Hibernating"
    return "Lost"


def check(kseg, checks, name, source, options):
    features = kseg.path(f"{name}-features.h5")
    kseg.run("features", "--input", source, *options[:2], "--out", features, "--quiet", "--device", "cpu")
    with h5py.File(features, "r") as f:
        names = list(f["features/matrix"].attrs["names"])
        m = pd.DataFrame(f["features/matrix"][:], columns=names, index=f["features/customer_id"][:])
    want = pd.DataFrame({"r": 6 - midrank_scores(m["recency_days"].to_numpy()),
                         "f": midrank_scores(m["frequency"].to_numpy()),
                         "m": midrank_scores(m["monetary"].to_numpy())}, index=m.index)
    want["rfm"] = [rfm_class(*row) for row in want[["r", "f", "m"]].itertuples(index=False)]
    got = {}
    for ranks in (1, 4):
        out = kseg.path(f"{name}-{ranks}.h5")
        kseg.run("run", "--input", source, *options, "--device", "cpu", "--out", out, "--quiet", ranks=ranks)
        with h5py.File(out, "r") as f:
            s = f["segments"]
            labels = list(s["rfm_segment"].attrs["labels"])
            got[ranks] = pd.DataFrame({"r": s["r_score"][:], "f": s["f_score"][:], "m": s["m_score"][:],
                                       "rfm": [labels[c] for c in s["rfm_segment"][:]], "segment": s["segment"][:],
                                       "dtype": s["r_score"].dtype.name}, index=s["customer_id"][:])
        g = got[ranks].reindex(want.index)
        checks.expect(labels == LABELS and g["dtype"].iloc[0] == "int8", f"{name}, {ranks} rank(s): int8 scores, labelled classes")
        checks.expect((g[["r", "f", "m"]].to_numpy() == want[["r", "f", "m"]].to_numpy()).all(),
                      f"{name}, {ranks} rank(s): every customer's R, F, M score equals pandas'")
        checks.expect((g["rfm"] == want["rfm"]).all(), f"{name}, {ranks} rank(s): every customer's RFM class equals pandas'")
        report = json.load(open(out[:-3] + ".report.json"))["rfm_classes"]
        table = pd.crosstab(g["segment"], g["rfm"]).reindex(columns=LABELS, fill_value=0)
        checks.expect(report["labels"] == LABELS and all(
            list(table.loc[row["segment"]]) == row["customers"] for row in report["segments"]),
                      f"{name}, {ranks} rank(s): report.json's segment × RFM class table equals pandas' crosstab")
        with h5py.File(out, "r") as f:
            names = list(f["model/segment_names"].asstr()[:])
        checks.expect(len(set(names)) == len(names) and not any("_" in n for n in names),
                      f"{name}, {ranks} rank(s): segment names are unique and read as words, not columns {names}")
        html = open(out[:-3] + ".report.html").read()
        checks.expect("Segments against classic RFM classes" in html, f"{name}, {ranks} rank(s): report.html shows it")
    checks.expect(got[1].drop(columns="dtype").equals(got[4].drop(columns="dtype")), f"{name}: 1 and 4 ranks agree")
    tied = pd.concat([m["frequency"], want["f"]], axis=1, keys=["value", "score"]).groupby("value")["score"].nunique()
    checks.expect((tied == 1).all(), f"{name}: customers with the same frequency share an F score")
    spread = sorted(want["f"].unique())
    checks.expect(len(spread) >= 3, f"{name}: heavily tied frequency still spreads over F scores {spread}")
    print(want["rfm"].value_counts().to_string())


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    cdnow = kseg.import_cdnow()
    check(kseg, checks, "cdnow", cdnow, ["--as-of", "1997-09-30", "--time-unit", "weeks", "--k", 5])
    retailer = kseg.path("retailer.h5")
    kseg.run("generate", "--transactions", "--customers", 3000, "--seed", 3, "--out", retailer, "--quiet", ranks=2)
    check(kseg, checks, "retailer", retailer, ["--as-of", "2024-12-31", "--k", 5])
    checks.finish()


if __name__ == "__main__":
    main()
