"""Quarterly re-segmentation on two generated quarters whose truth is known.

Quarter 1: five personas (well-separated Gaussian blobs). Quarter 2: the personas' centres drift a
little, some customers switch persona, some leave, new ones arrive, persona 4 is gone and a new
persona 5 appears far from every other. Checks, at 1 and 4 ranks: unchanged personas keep their
segment ids and names; the new persona gets a new id and is flagged, id 4 is reported vanished;
the migration matrix (counts and revenue) equals the truth's; drift figures follow the truth;
`kseg assign` reproduces each run's own assignments bit for bit and scores new customers; 1 and 4
ranks write the same segments, migration and drift; mismatched inputs are refused clearly."""
import json
import os
import shutil

import h5py
import numpy as np

from kseg_e2e import Checks, Kseg, parse_args

FEATURES = ["recency_days", "frequency", "monetary", "aov"]
CENTRES = np.array([[10, 20, 900, 45], [30, 8, 300, 38], [80, 3, 120, 40], [200, 1, 40, 40],
                    [140, 12, 600, 50], [60, 40, 2000, 50]], dtype=np.float64)
SPREAD = np.array([2.0, 0.5, 10.0, 0.3])
DRIFT = np.array([1.0, 0.3, 5.0, 0.3])  # a fraction of a spread: the personas move a little
STANDARDIZE = ["--transform", "*=standardize"]  # centroid distances (and the match threshold) in standard deviations


def persona_rows(rng, personas, centres):
    return (centres[personas] + rng.normal(size=(len(personas), len(FEATURES))) * SPREAD).astype(np.float32)


def write_features(path, ids, matrix):
    with h5py.File(path, "w") as f:
        f["features/customer_id"] = ids.astype(np.int64)
        f["features/matrix"] = matrix
        f["features/matrix"].attrs["names"] = FEATURES


def make_quarters(kseg):
    """Returns the two files and the truth: id → persona per quarter."""
    rng = np.random.default_rng(2026)
    ids1 = np.arange(1, 6001, dtype=np.int64) * 7  # sparse ids, as a retailer's are
    persona1 = rng.choice(5, size=len(ids1), p=[0.15, 0.25, 0.25, 0.2, 0.15])
    x1 = persona_rows(rng, persona1, CENTRES)

    stays = rng.random(len(ids1)) >= 0.1  # 10% leave
    persona2 = persona1.copy()
    switch = rng.random(len(ids1)) < 0.1  # 10% change persona
    persona2[switch] = rng.choice(4, size=switch.sum())
    persona2[persona1 == 4] = rng.choice([0, 1, 2, 3, 5], size=(persona1 == 4).sum())  # persona 4 is gone
    new_ids = 100_000 + np.arange(800, dtype=np.int64) * 3
    new_persona = rng.choice([0, 1, 2, 3, 5], size=len(new_ids))
    ids2 = np.concatenate([ids1[stays], new_ids])
    persona2 = np.concatenate([persona2[stays], new_persona])
    centres2 = CENTRES + DRIFT
    x2 = persona_rows(rng, persona2, centres2)
    order = rng.permutation(len(ids2))  # the file's row order owes nothing to the first quarter's
    ids2, persona2, x2 = ids2[order], persona2[order], x2[order]

    q1, q2 = kseg.path("q1.h5"), kseg.path("q2.h5")
    write_features(q1, ids1, x1)
    write_features(q2, ids2, x2)
    return q1, q2, dict(zip(ids1.tolist(), persona1.tolist())), dict(zip(ids2.tolist(), persona2.tolist()))


def read_result(path):
    with h5py.File(path, "r") as f:
        r = {name: f[f"segments/{name}"][:] for name in ("customer_id", "segment", "distance")}
        r["monetary"] = f["segments/monetary"][:]
        r["ids"] = f["model/segment_ids"][:]
        r["names"] = list(f["model/segment_names"].asstr()[:])
        if "migration" in f:
            for name in ("from_segment", "to_segment", "customers", "revenue"):
                r[name] = f[f"migration/{name}"][:]
            r["psi"] = f["drift"].attrs["psi"]
            r["changed_share"] = f["drift"].attrs["changed_share"]
            r["vanished"] = f["drift/vanished_segments"][:]
            r["status"] = list(f["model/segment_status"].asstr()[:])
            r["shift"] = f["drift/centroid_shift"][:]
    return r


def persona_to_segment(result, truth):
    """Each persona's segment id: the one nearly all its customers got."""
    mapping = {}
    for persona in sorted(set(truth.values())):
        segments = [s for i, s in zip(result["customer_id"].tolist(), result["segment"].tolist()) if truth[i] == persona]
        values, counts = np.unique(segments, return_counts=True)
        mapping[persona] = int(values[np.argmax(counts)])
    return mapping


def expected_migration(r1, r2, m):
    """The migration matrix from the results' own per-customer rows: the truth of what moved."""
    before = dict(zip(r1["customer_id"].tolist(), r1["segment"].tolist()))
    revenue_before = dict(zip(r1["customer_id"].tolist(), r1["monetary"].astype(np.float64).tolist()))
    rows = {s: i for i, s in enumerate(m["from_segment"].tolist())}
    columns = {s: j for j, s in enumerate(m["to_segment"].tolist())}
    counts = np.zeros_like(m["customers"])
    revenue = np.zeros_like(m["revenue"])
    for i, s, money in zip(r2["customer_id"].tolist(), r2["segment"].tolist(), r2["monetary"].astype(np.float64).tolist()):
        cell = (rows[before.pop(i, -1)], columns[s])
        counts[cell] += 1
        revenue[cell] += money
    for i, s in before.items():  # gone
        counts[rows[s], columns[-1]] += 1
        revenue[rows[s], columns[-1]] += revenue_before[i]
    return counts, revenue


def check_quarters(checks, kseg, q1, q2, truth1, truth2, ranks):
    tag = f"{ranks} rank(s)"
    r1_path, r2_path = kseg.path(f"r1_{ranks}.h5"), kseg.path(f"r2_{ranks}.h5")
    common = ["--k", 5, "--n-init", 3, "--device", "cpu", "--quiet", "--force", "--seed", 3, *STANDARDIZE]
    kseg.run("run", "--input", q1, "--out", r1_path, *common, ranks=ranks)
    kseg.run("run", "--input", q2, "--out", r2_path, "--previous", r1_path, *common, ranks=ranks)
    r1, r2 = read_result(r1_path), read_result(r2_path)

    map1, map2 = persona_to_segment(r1, truth1), persona_to_segment(r2, truth2)
    for persona in range(4):
        checks.expect(map2[persona] == map1[persona],
                      f"{tag}: persona {persona} keeps segment id {map1[persona]} (now {map2[persona]})")
        checks.expect(r2["names"][list(r2["ids"]).index(map2[persona])] == r1["names"][list(r1["ids"]).index(map1[persona])],
                      f"{tag}: persona {persona}'s segment keeps its name")
    new_id = map2[5]
    checks.expect(new_id == max(r1["ids"]) + 1, f"{tag}: the new persona gets a new id ({new_id})")
    checks.expect(r2["status"][list(r2["ids"]).index(new_id)] == "new segment", f"{tag}: it is flagged 'new segment'")
    checks.expect(r2["status"].count("matched") == 4, f"{tag}: the other four segments are matched")
    checks.expect(list(r2["vanished"]) == [map1[4]], f"{tag}: persona 4's segment {map1[4]} is reported vanished")

    def segment_of(result, mapping, truth):
        return np.array([mapping[truth[i]] for i in result["customer_id"].tolist()])
    checks.expect(np.array_equal(r2["segment"], segment_of(r2, map2, truth2)),
                  f"{tag}: every quarter-2 customer is in their persona's segment")
    counts, revenue = expected_migration(r1, r2, r2)
    checks.expect(np.array_equal(r2["customers"], counts), f"{tag}: migration counts equal the truth's")
    checks.expect(np.allclose(r2["revenue"], revenue, rtol=1e-9, atol=1e-6), f"{tag}: migration revenue equals the truth's")
    rows, columns = r2["from_segment"].tolist(), r2["to_segment"].tolist()
    new_customers = r2["customers"][rows.index(-1)].sum()
    gone = r2["customers"][:, columns.index(-1)].sum()
    checks.expect(new_customers == 800 and gone == len(truth1) - (len(truth2) - 800),
                  f"{tag}: 800 new customers, {gone} gone")
    returning = [i for i in truth2 if i in truth1]
    changed = sum(map1[truth1[i]] != map2[truth2[i]] for i in returning) / len(returning)
    checks.expect(abs(r2["changed_share"] - changed) < 1e-12,
                  f"{tag}: changed share {r2['changed_share']:.4f} = truth {changed:.4f}")
    checks.expect(r2["psi"] > 0.1, f"{tag}: a vanished and a new segment give a large PSI ({r2['psi']:.3f})")
    matched = [s for s, status in zip(r2["shift"], r2["status"]) if status == "matched"]
    checks.expect(all(0 < s < 1.0 for s in matched), f"{tag}: matched centroids moved a little ({np.round(matched, 3)})")

    assigned = kseg.path(f"a2_{ranks}.h5")
    kseg.run("assign", "--model", r2_path, "--input", q2, "--out", assigned, "--device", "cpu", "--quiet",
             "--force", ranks=ranks)
    with h5py.File(assigned, "r") as f:
        columns = ("customer_id", "segment", "distance", "monetary")
        same = all(np.array_equal(f[f"segments/{n}"][:], r2[n]) for n in columns)
    checks.expect(same, f"{tag}: assign on the training data reproduces the run's segments and distances bit for bit")
    return r2


def check_assign_new_customers(checks, kseg, r2_path, truth_map):
    rng = np.random.default_rng(5)
    personas = rng.choice([0, 1, 2, 3, 5], size=300)
    ids = 900_000 + np.arange(300, dtype=np.int64)
    fresh = kseg.path("fresh.h5")
    write_features(fresh, ids, persona_rows(rng, personas, CENTRES + DRIFT))
    out = kseg.path("fresh_assigned.h5")
    kseg.run("assign", "--model", r2_path, "--input", fresh, "--out", out, "--quiet", "--device", "cpu", ranks=2)
    with h5py.File(out, "r") as f:
        segments = f["segments/segment"][:]
    checks.expect(np.array_equal(segments, [truth_map[p] for p in personas]),
                  "assign scores 300 new customers into their personas' segments")


def check_refusals(checks, kseg, q2, r1_path):
    other = kseg.path("other_features.h5")
    with h5py.File(q2, "r") as f, h5py.File(other, "w") as g:
        g["features/customer_id"] = f["features/customer_id"][:]
        g["features/matrix"] = f["features/matrix"][:, :3]
        g["features/matrix"].attrs["names"] = FEATURES[:3]
    out = kseg.path("refused.h5")
    bad = kseg.run("run", "--input", other, "--out", out, "--previous", r1_path, "--quiet", ranks=2, check=False)
    checks.expect(bad.returncode == 2 and "last quarter's model has features" in bad.stderr and r1_path in bad.stderr,
                  f"--previous with other features is refused naming the file: {bad.stderr.strip()[:160]}")
    bad = kseg.run("run", "--input", q2, "--out", out, "--previous", r1_path, "--warm-start", "--k", 6, "--quiet",
                   *STANDARDIZE, ranks=2, check=False)
    checks.expect(bad.returncode == 2 and "--warm-start needs --k 5" in bad.stderr, "--warm-start with another k is refused")
    bad = kseg.run("assign", "--model", q2, "--input", q2, "--out", out, "--quiet", ranks=2, check=False)
    checks.expect(bad.returncode == 2 and "not a kseg result" in bad.stderr, "assign --model with a non-result is refused")
    damaged = kseg.path("damaged_r1.h5")
    shutil.copy(r1_path, damaged)
    with h5py.File(damaged, "r+") as f:
        segments = f["segments/segment"][:-1]
        del f["segments/segment"]
        f["segments/segment"] = segments
    bad = kseg.run("run", "--input", q2, "--out", out, "--previous", damaged, "--quiet", *STANDARDIZE, ranks=2,
                   check=False)
    checks.expect(bad.returncode == 2 and "damaged_r1.h5:/segments/segment: not one per customer" in bad.stderr,
                  "a last-quarter result with a short /segments/segment is refused naming the dataset")
    checks.expect(not os.path.exists(out), "no output is left by the refused runs")


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    q1, q2, truth1, truth2 = make_quarters(kseg)
    results = {ranks: check_quarters(checks, kseg, q1, q2, truth1, truth2, ranks) for ranks in (1, 4)}
    same = all(np.array_equal(results[1][n], results[4][n], equal_nan=results[1][n].dtype.kind == "f") for n in
               ("customer_id", "segment", "distance", "customers", "revenue", "shift", "ids"))
    checks.expect(same and results[1]["psi"] == results[4]["psi"], "1 and 4 ranks write the same result")

    r1_path, r2_path = kseg.path("r1_1.h5"), kseg.path("r2_1.h5")
    warm = kseg.path("r2_warm.h5")
    kseg.run("run", "--input", q2, "--out", warm, "--previous", r1_path, "--warm-start", "--device", "cpu", "--quiet",
             *STANDARDIZE, ranks=2)
    w = read_result(warm)
    checks.expect(sorted(w["ids"].tolist()) == sorted(results[1]["ids"].tolist()) and
                  np.array_equal(np.sort(w["customers"], axis=None), np.sort(results[1]["customers"], axis=None)),
                  "--warm-start (k from --previous) finds the same segments and migration")
    lenient = kseg.path("r2_lenient.h5")
    kseg.run("run", "--input", q2, "--out", lenient, "--previous", r1_path, "--k", 5, "--n-init", 3, "--seed", 3,
             "--drift-psi-warning", 100, "--drift-changed-warning", 0.9, "--device", "cpu", "--quiet", *STANDARDIZE,
             ranks=2)
    with h5py.File(lenient, "r") as f, h5py.File(r2_path, "r") as g:
        strict_warnings = list(g["drift/warnings"].asstr()[:])
        lenient_warnings = list(f["drift/warnings"].asstr()[:])
    checks.expect(any("PSI" in w for w in strict_warnings) and not any("PSI" in w or "returning" in w
                                                                         for w in lenient_warnings)
                  and len(lenient_warnings) == 2,
                  f"--drift-psi-warning and --drift-changed-warning set the thresholds ({lenient_warnings})")
    check_assign_new_customers(checks, kseg, r2_path, persona_to_segment(results[1], truth2))
    with open(r2_path.replace(".h5", ".report.json")) as f:
        report = json.load(f)
    checks.expect("comparison" in report and report["comparison"]["drift"]["warnings"],
                  "report.json has the comparison and its drift warnings")
    with open(r2_path.replace(".h5", ".report.html")) as f:
        html = f.read()
    checks.expect("gone customers" in html and "<path" in html, "report.html has the migration table and flow chart")
    check_refusals(checks, kseg, q2, r1_path)
    checks.finish()


if __name__ == "__main__":
    main()
