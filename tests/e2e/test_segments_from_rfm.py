"""`kseg run --segments-from rfm`: the per-customer RFM classes are the segments. On the CDNOW
sample, every customer's segment is their RFM class code (/segments/segment == rfm_segment), the
model holds exactly the classes that have customers with their names, the profiles (size, mean
CLV, churn risk) are those of the classes' customers, and 1 and 4 ranks write bit-identical
results. Quarter over quarter (as-of 1997-09-30, then 1997-12-31 with --previous), the migration
matrix is the crosstab of each customer's class in the two quarters. Mixing the two kinds of
segments, or giving k-means options, is refused with one clear line."""
import json

import h5py
import numpy as np
import pandas as pd

from kseg_e2e import Checks, Kseg, parse_args

QUARTERS = ("1997-09-30", "1997-12-31")


def read(path):
    with h5py.File(path, "r") as f:
        s = f["segments"]
        table = pd.DataFrame({name: s[name][:] for name in ("segment", "rfm_segment", "clv", "churn_risk")},
                             index=s["customer_id"][:])
        model = {"ids": f["model/segment_ids"][:], "names": list(f["model/segment_names"].asstr()[:]),
                 "sizes": f["model/segment_size"][:], "centroids": f["model/centroids"][:],
                 "labels": list(s["rfm_segment"].attrs["labels"]), "from": f.attrs["segments_from"]}
        migration = {name: f[f"migration/{name}"][:] for name in ("from_segment", "to_segment", "customers")} \
            if "migration" in f else None
    return table, model, migration


def run(kseg, source, as_of, out, ranks, *extra, check=True):
    return kseg.run("run", "--input", source, "--as-of", as_of, "--time-unit", "weeks", "--segments-from", "rfm",
                    "--device", "cpu", "--out", out, "--quiet", *extra, ranks=ranks, check=check)


def check_quarter(checks, tag, out):
    table, model, _ = read(out)
    checks.expect(model["from"] == "rfm", f"{tag}: the result says its segments come from RFM")
    checks.expect((table["segment"] == table["rfm_segment"]).all(), f"{tag}: every customer's segment is their RFM class")
    present = np.sort(table["rfm_segment"].unique())
    checks.expect(np.array_equal(model["ids"], present), f"{tag}: the segments are the classes with customers {present}")
    checks.expect(model["names"] == [model["labels"][c] for c in model["ids"]], f"{tag}: each named by its class {model['names']}")
    sizes = table.groupby("segment").size()
    checks.expect(np.array_equal(model["sizes"], sizes.reindex(model["ids"]).to_numpy()), f"{tag}: sizes are the class counts")
    report = json.load(open(out[:-3] + ".report.json"))
    means = table.groupby("segment")[["clv", "churn_risk"]].mean()
    checks.expect(all(abs(s["mean_clv"] - means.loc[s["segment"], "clv"]) <= 1e-4 * max(1, means.loc[s["segment"], "clv"])
                      and abs(s["churn_risk"] - means.loc[s["segment"], "churn_risk"]) <= 1e-5 for s in report["segments"]),
                  f"{tag}: report.json's mean CLV and churn risk are the classes' own")
    return table, model


def check_migration(checks, tag, q1, q2):
    t1, _, _ = read(q1)
    t2, _, m = read(q2)
    checks.expect(m is not None, f"{tag}: the second quarter has a migration matrix")
    if m is None:
        return
    joined = t1[["segment"]].join(t2[["segment"]], how="outer", lsuffix="_before", rsuffix="_after").fillna(-1)
    want = pd.crosstab(joined["segment_before"].astype(int), joined["segment_after"].astype(int))
    want = want.reindex(index=m["from_segment"], columns=m["to_segment"], fill_value=0).to_numpy()
    checks.expect(np.array_equal(m["customers"], want), f"{tag}: migration counts equal the crosstab of the two quarters' classes")


def expect_refused(checks, completed, words, what):
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    checks.expect(completed.returncode != 0 and any(all(w in line for w in words) for line in lines),
                  f"{what} is refused in one line naming {words}: {lines[-1:] if lines else completed.returncode}")


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    source = kseg.import_cdnow()
    results = {}
    for ranks in (1, 4):
        q1, q2 = kseg.path(f"q1-{ranks}.h5"), kseg.path(f"q2-{ranks}.h5")
        run(kseg, source, QUARTERS[0], q1, ranks)
        run(kseg, source, QUARTERS[1], q2, ranks, "--previous", q1)
        check_quarter(checks, f"{ranks} rank(s), {QUARTERS[0]}", q1)
        results[ranks] = check_quarter(checks, f"{ranks} rank(s), {QUARTERS[1]}", q2)
        check_migration(checks, f"{ranks} rank(s)", q1, q2)
    (t1, m1), (t4, m4) = results[1], results[4]
    checks.expect(t1.to_numpy().tobytes() == t4.to_numpy().tobytes() and m1["centroids"].tobytes() == m4["centroids"].tobytes(),
                  "1 and 4 ranks write bit-identical segments, CLV, churn risk and centroids")

    q1 = kseg.path("q1-1.h5")
    expect_refused(checks, run(kseg, source, QUARTERS[1], kseg.path("k.h5"), None, "--k", 5, check=False),
                   ["--segments-from rfm", "--k"], "--k with --segments-from rfm")
    kmeans = kseg.path("kmeans.h5")
    kseg.run("run", "--input", source, "--as-of", QUARTERS[0], "--time-unit", "weeks", "--k", 4, "--device", "cpu",
             "--out", kmeans, "--quiet")
    expect_refused(checks, run(kseg, source, QUARTERS[1], kseg.path("mixed.h5"), None, "--previous", kmeans, check=False),
                   ["--previous", kmeans, "k-means"], "an RFM run with a k-means last quarter")
    mixed = kseg.run("run", "--input", source, "--as-of", QUARTERS[1], "--time-unit", "weeks", "--device", "cpu",
                     "--out", kseg.path("mixed2.h5"), "--quiet", "--previous", q1, check=False)
    expect_refused(checks, mixed, ["--previous", q1, "RFM"], "a k-means run with an RFM last quarter")
    assign = kseg.run("assign", "--model", q1, "--input", source, "--as-of", QUARTERS[1], "--time-unit", "weeks",
                      "--out", kseg.path("assigned.h5"), "--quiet", check=False)
    expect_refused(checks, assign, [q1, "RFM", "--segments-from rfm"], "kseg assign with an RFM model")
    checks.finish()


if __name__ == "__main__":
    main()
