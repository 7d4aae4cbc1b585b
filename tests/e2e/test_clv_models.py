"""More than one CLV model, chosen by evidence. On the CDNOW sample (calibrated to 1997-09-30)
`--clv-model pareto-nbd` and `mbgnbd` reproduce the published fits to 3 significant digits
(Pareto/NBD r 0.553, alpha 10.578, s 0.606, beta 11.669; MBG/NBD r 0.525, alpha 6.183, a 0.891,
b 1.614) at 1 and 4 ranks, bit for bit alike; `auto` fits all three, says its rule and the
scores in the log and the report, and uses the model with the smallest holdout error."""
import json
import re

import h5py
import numpy as np

from kseg_e2e import three_significant, CDNOW, Checks, Kseg, parse_args

PUBLISHED = {"pareto-nbd": {"pareto_nbd_r": 0.553, "pareto_nbd_alpha": 10.578, "pareto_nbd_s": 0.606,
                            "pareto_nbd_beta": 11.669},
             "mbgnbd": {"mbgnbd_r": 0.525, "mbgnbd_alpha": 6.183, "mbgnbd_a": 0.891, "mbgnbd_b": 1.614}}
CALIBRATION = ["--as-of", "1997-09-30", "--time-unit", "weeks", "--k", 4, "--device", "cpu"]


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    transactions = kseg.import_cdnow()
    for model, published in PUBLISHED.items():
        columns = {}
        for ranks in (1, 4):
            out = kseg.path(f"{model}-{ranks}.h5")
            kseg.run("run", "--input", transactions, *CALIBRATION, "--clv-model", model, "--out", out, "--quiet",
                     ranks=ranks)
            with h5py.File(out, "r") as f:
                attrs = dict(f.attrs)
                columns[ranks] = {k: f["segments"][k][:] for k in ("clv", "p_alive", "churn_risk", "expected_purchases")}
            for name, value in published.items():
                checks.expect(three_significant(attrs[name], value), f"{model}, {ranks} rank(s): {name} = {attrs[name]:.4f}, "
                                                                     f"published {value}")
            checks.expect(attrs["clv_model"] == model, f"{model}, {ranks} rank(s): the result names its CLV model")
            c = columns[ranks]
            checks.expect(((c["p_alive"] > 0) & (c["p_alive"] <= 1)).all() and (c["churn_risk"] >= 0).all() and
                          (c["churn_risk"] <= 1).all() and (c["clv"] >= 0).all(),
                          f"{model}, {ranks} rank(s): P(alive) and churn risk are probabilities, CLV >= 0")
        checks.expect(all(columns[1][k].tobytes() == columns[4][k].tobytes() for k in columns[1]),
                      f"{model}: CLV, P(alive), churn risk bit-identical at 1 and 4 ranks")
    auto = kseg.path("auto.h5")
    run = kseg.run("run", "--input", transactions, *CALIBRATION, "--clv-model", "auto", "--out", auto)
    line = next((l for l in run.stderr.splitlines() if "clv       model " in l), "")
    scores = {m: float(v) for m, v in re.findall(r"(bgnbd|mbgnbd|pareto-nbd) ([0-9.]+)", line)}
    chosen = re.search(r"model (\S+) \(", line)
    checks.expect(len(scores) == 3 and chosen and chosen.group(1) == min(scores, key=scores.get) and
                  "holdout error" in line, f"auto picks the smallest holdout error and says so: {line.strip()}")
    facts = json.load(open(kseg.path("auto.report.json")))
    with h5py.File(auto, "r") as f:
        stored = f.attrs["clv_model"]
    checks.expect(chosen and facts["clv_model"] == chosen.group(1) == stored and "holdout error" in facts["clv_model_choice"],
                  f"report.json and the result record the chosen model ({facts['clv_model']}) and the rule")
    weeks, months = kseg.path("horizon-39w.h5"), kseg.path("horizon-months.h5")
    kseg.run("run", "--input", transactions, *CALIBRATION, "--clv-horizon", "39w", "--out", weeks, "--quiet")
    kseg.run("run", "--input", transactions, *CALIBRATION, "--clv-horizon-months", 39 * 7 / 30.4375, "--out", months,
             "--quiet")
    with h5py.File(weeks, "r") as a, h5py.File(months, "r") as b:
        checks.expect(a["segments/clv"][:].tobytes() == b["segments/clv"][:].tobytes(),
                      "--clv-horizon 39w is --clv-horizon-months 39·7/30.4375")
    bad = kseg.run("run", "--input", transactions, *CALIBRATION, "--clv-horizon", "12y", "--out", kseg.path("bad.h5"),
                   check=False)
    checks.expect(bad.returncode == 2 and "--clv-horizon '12y' must be a number and a unit" in bad.stderr,
                  f"--clv-horizon 12y is refused in one line ({bad.stderr.strip()})")
    usage = kseg.run("run", "--help").stdout
    checks.expect(all(name in usage for name in ("BG/NBD", "MBG/NBD", "Pareto/NBD", "pareto-nbd", "mbgnbd", "auto")),
                  "kseg run --help names each model")
    checks.finish()


if __name__ == "__main__":
    main()
