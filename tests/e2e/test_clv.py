"""CLV end to end on the CDNOW sample: import → run (features, BG/NBD and Gamma-Gamma fitted across
ranks, k-means) reproduces the published parameters to 3 significant digits at 1 and 4 ranks, and
customer 1 (x = 2, t_x = 30.43, T = 38.86 weeks) expects 1.226 purchases in the next 39 weeks.
The run's report.json and CSV are readable without kseg, and segment names agree with R/F/M: a
segment named Champions has recency below and frequency above the population's medians."""
import json

import h5py
import numpy as np
import pandas as pd

from kseg_e2e import three_significant, check_report_html, CDNOW, Checks, Kseg, parse_args

PUBLISHED = {"bgnbd_r": 0.243, "bgnbd_alpha": 4.414, "bgnbd_a": 0.793, "bgnbd_b": 2.426,
             "gamma_gamma_p": 6.25, "gamma_gamma_q": 3.74, "gamma_gamma_v": 15.44}
WEEKS_39_IN_MONTHS = 39 * 7 / 30.4375


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    transactions = kseg.import_cdnow()
    results = {}
    for ranks in (1, 4):
        out = kseg.path(f"segments-{ranks}.h5")
        kseg.run("run", "--input", transactions, "--as-of", "1997-09-30", "--time-unit", "weeks", "--k", 4,
                 "--clv-horizon-months", WEEKS_39_IN_MONTHS, "--device", "cpu", "--out", out, "--quiet", ranks=ranks)
        with h5py.File(out, "r") as f:
            attrs = dict(f.attrs)
            segments = {name: f["segments"][name][:] for name in f["segments"]}
        results[ranks] = segments
        for name, published in PUBLISHED.items():
            checks.expect(three_significant(attrs[name], published),
                          f"{ranks} rank(s): {name} = {attrs[name]:.4f}, published {published}")
        checks.expect(abs(attrs["bgnbd_log_likelihood"] + 9582.43) < 0.01, f"{ranks} rank(s): LL −9582.43")
        first = list(segments["customer_id"]).index(1)
        checks.expect(abs(segments["expected_purchases"][first] - 1.226) < 0.0005,
                      f"{ranks} rank(s): customer 1 expects {segments['expected_purchases'][first]:.4f} purchases")
        checks.expect(((segments["p_alive"] > 0) & (segments["p_alive"] <= 1)).all() and (segments["clv"] >= 0).all(),
                      f"{ranks} rank(s): P(alive) in (0, 1], CLV >= 0")
    checks.expect(all(np.array_equal(results[1][n], results[4][n]) for n in results[1]),
                  "4 ranks bit-identical to 1 rank, CLV columns included")
    check_report(kseg, checks, transactions)
    checks.finish()


def check_report(kseg, checks, transactions):
    features = kseg.path("features.h5")
    kseg.run("features", "--input", transactions, "--as-of", "1997-09-30", "--time-unit", "weeks", "--out", features,
             "--quiet", "--device", "cpu")
    with h5py.File(features, "r") as f:
        names = list(f["features/matrix"].attrs["names"])
        matrix = f["features/matrix"][:]
    median = {name: float(np.median(matrix[:, names.index(name)])) for name in ("recency_days", "frequency")}
    report = json.load(open(kseg.path("segments-1.report.json")))
    table = pd.read_csv(kseg.path("segments-1.csv"))
    checks.expect(report["customers"] == 2357 and sum(s["customers"] for s in report["segments"]) == 2357,
                  "report.json covers every customer")
    checks.expect(len(table) == 4 and abs(table["share"].sum() - 1) < 1e-9 and table["name"].str.len().min() > 0
                  and table["action"].str.len().min() > 0, "segments.csv: one named row per segment, with an action")
    with h5py.File(kseg.path("segments-1.h5"), "r") as f:
        checks.expect(list(f["model/segment_names"].asstr()[:]) == list(table["name"]), "names stored in the model")
    with h5py.File(kseg.path("segments-1.h5"), "r") as f:
        segment_of = dict(zip(f["segments/customer_id"][:], f["segments/segment"][:]))
    with h5py.File(features, "r") as f:
        ids = f["features/customer_id"][:]
    labels = np.array([segment_of[i] for i in ids])
    recency = matrix[:, names.index("recency_days")]
    tolerance = (recency.max() - recency.min()) / 2**20 + 1e-3
    checks.expect(all(abs(s["median"]["recency_days"] - np.quantile(recency[labels == s["segment"]], 0.5,
                                                                   method="lower")) <= tolerance
                      for s in report["segments"]), "segment medians within the stated histogram accuracy")
    renamed = kseg.path("renamed.h5")
    kseg.run("run", "--input", transactions, "--as-of", "1997-09-30", "--time-unit", "weeks", "--k", 4,
             "--segment-name", "2=Weekend browsers", "--device", "cpu", "--out", renamed, "--quiet")
    with h5py.File(renamed, "r") as f:
        checks.expect(f["model/segment_names"].asstr()[2] == "Weekend browsers", "--segment-name overrides a name")
    champions = [s for s in report["segments"] if s["name"].startswith("Champions")]
    for s in champions:
        checks.expect(s["mean"]["recency_days"] < median["recency_days"] and
                      s["mean"]["frequency"] > median["frequency"],
                      f"{s['name']}: recency {s['mean']['recency_days']:.1f} < median {median['recency_days']:.1f}, "
                      f"frequency {s['mean']['frequency']:.2f} > median {median['frequency']:.2f}")
    checks.expect(len(champions) >= 1, f"CDNOW has Champions ({[s['name'] for s in report['segments']]})")
    check_report_html(kseg, checks, kseg.path("segments-1.report.html"), [s["name"] for s in report["segments"]])


if __name__ == "__main__":
    main()
