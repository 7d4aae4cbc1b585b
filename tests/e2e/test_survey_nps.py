"""Psychographics and satisfaction (issue 15, part 3): the synthetic retailer writes a survey for
30% of its customers (nps 0-10, price_sensitivity 1-5, interest) that depends on the persona, and
each segment's Net Promoter Score (% promoters 9-10 minus % detractors 0-6, with its respondents)
goes into the reports. Checked against pandas from the result and /customers at 1 and 4 ranks,
against the personas (loyal customers recommend, lapsed ones do not), in the HTML (rendered in
headless Chromium with the --stability column too), and an answer
outside 0-10 is refused in one line that names the column and the customer."""
import json
import os
import shutil

import h5py
import numpy as np
import pandas as pd

from kseg_e2e import Checks, Kseg, check_report_html, parse_args

AS_OF = "2024-12-31"


def nps_by_pandas(result, data):
    with h5py.File(result) as r, h5py.File(data) as f:
        seg = pd.DataFrame({"customer_id": r["segments/customer_id"][:], "segment": r["segments/segment"][:]})
        c = f["customers"]
        people = pd.DataFrame({k: c[k][:] for k in ["customer_id", "nps", "persona"]})
    joined = seg.merge(people, on="customer_id")
    answered = joined.dropna(subset=["nps"])
    out = {}
    for s, g in answered.groupby("segment"):
        out[int(s)] = (len(g), 100.0 * ((g.nps >= 9).sum() - (g.nps <= 6).sum()) / len(g))
    return out, joined, people


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    data = kseg.path("shop.h5")
    kseg.run("generate", "--transactions", "--customers", 40000, "--out", data, "--quiet", ranks=2)
    with h5py.File(data) as f:
        c = f["customers"]
        people = pd.DataFrame({k: c[k][:] for k in ["persona", "nps", "price_sensitivity", "interest"]})
        personas = list(c["persona"].attrs["labels"])
        checks.expect(list(c["interest"].attrs["labels"]) == ["fashion", "home", "sports", "tech", "beauty"],
                      "interest is a categorical column with its labels")
    answered = people.nps.notna()
    checks.expect(0.28 < answered.mean() < 0.32 and (people.interest[answered] >= 0).all()
                  and (people.interest[~answered] == -1).all() and people.price_sensitivity.notna().eq(answered).all(),
                  f"about 30% answered the survey ({answered.mean():.3f}); the others are unknown")
    by_persona = people[answered].groupby("persona").agg(nps=("nps", "mean"), price=("price_sensitivity", "mean"))
    loyal, bargain, lapsed = (personas.index(p) for p in ["loyal_high_spender", "bargain_hunter", "lapsed"])
    checks.expect(by_persona.nps[loyal] > 8.5 and by_persona.nps[lapsed] < 4.5 and
                  by_persona.price.idxmax() == bargain,
                  f"answers depend on the persona (mean NPS loyal {by_persona.nps[loyal]:.2f}, lapsed "
                  f"{by_persona.nps[lapsed]:.2f}; bargain hunters mind prices most)")

    reports = {}
    for ranks in (1, 4):
        out = kseg.path(f"q{ranks}.h5")
        stability = ["--stability", 2] if ranks == 1 else []  # for the page: its stability column renders too
        kseg.run("run", "--input", data, "--out", out, "--as-of", AS_OF, "--k", 6, *stability, "--quiet", ranks=ranks)
        reports[ranks] = json.load(open(out.replace(".h5", ".report.json")))
    same = [(s["nps"], s["nps_respondents"]) for s in reports[1]["segments"]] == \
           [(s["nps"], s["nps_respondents"]) for s in reports[4]["segments"]]
    checks.expect(same, "NPS and respondents are the same at 1 and 4 ranks")
    want, joined, _ = nps_by_pandas(kseg.path("q1.h5"), data)
    got = {s["segment"]: (s["nps_respondents"], s["nps"]) for s in reports[1]["segments"]}
    checks.expect(all(got[s][0] == want[s][0] and abs(got[s][1] - want[s][1]) < 1e-9 for s in want),
                  f"each segment's NPS equals pandas' ({ {s: round(v[1], 1) for s, v in got.items()} })")
    loyal_share = joined.groupby("segment").persona.apply(lambda p: (p == loyal).mean())
    lapsed_share = joined.groupby("segment").persona.apply(lambda p: (p == lapsed).mean())
    checks.expect(got[int(loyal_share.idxmax())][1] > 30 and got[int(lapsed_share.idxmax())][1] < -30,
                  f"the segment of loyal customers has a high NPS ({got[int(loyal_share.idxmax())][1]:.1f}), "
                  f"the lapsed customers' a negative one ({got[int(lapsed_share.idxmax())][1]:.1f})")
    html = open(kseg.path("q1.report.html")).read()
    csv = pd.read_csv(kseg.path("q1.csv"))
    checks.expect(">NPS</th>" in html and "nps" in csv.columns and "nps_respondents" in csv.columns
                  and ">stability</th>" in html, "the HTML segment table and the CSV show NPS with its respondents")
    check_report_html(kseg, checks, kseg.path("q1.report.html"), [s["name"] for s in reports[1]["segments"]])

    bad = kseg.path("bad.h5")
    shutil.copy(data, bad)
    with h5py.File(bad, "r+") as f:
        answers = f["customers/nps"][:]
        first = int(np.flatnonzero(~np.isnan(answers))[0])
        answers[first] = 11
        f["customers/nps"][...] = answers
        bad_id = int(f["customers/customer_id"][first])
    out = kseg.path("bad_result.h5")
    failed = kseg.run("run", "--input", bad, "--out", out, "--as-of", AS_OF, "--k", 6, "--quiet", ranks=2, check=False)
    lines = [l for l in failed.stderr.splitlines() if l.startswith("kseg:")]
    checks.expect(failed.returncode != 0 and len(lines) == 1 and "/customers/nps" in lines[0] and str(bad_id) in lines[0]
                  and not os.path.exists(out), f"an answer of 11 is refused in one line, nothing written ({lines})")
    checks.finish()


if __name__ == "__main__":
    main()
