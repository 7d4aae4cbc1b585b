"""How far to trust a segment (issue 15, part 5): `kseg run --stability B` refits on B random
80% subsets and reports each segment's mean Jaccard with its best match. Three well-separated
blobs and a round disk of customers that k-means must cut in two (a continuum: the cut's direction
is arbitrary, so each refit cuts elsewhere): the blobs score >= 0.85, the disk's halves lower; the
same figures at 1 and 4 ranks, in report.json, the CSV and the HTML."""
import json

import h5py
import numpy as np
import pandas as pd

from kseg_e2e import Checks, Kseg, parse_args

BLOB = 3000
DISK = 6000


def write_customers(path):
    rng = np.random.default_rng(11)
    blobs = [rng.normal(centre, 0.5, (BLOB, 2)) for centre in [(-20, 0), (0, 20), (20, 0)]]
    radius, angle = 6 * np.sqrt(rng.random(DISK)), 2 * np.pi * rng.random(DISK)
    disk = np.column_stack([radius * np.cos(angle), -15 + radius * np.sin(angle)])
    x = np.vstack(blobs + [disk]).astype(np.float32)
    truth = np.repeat([0, 1, 2, 3], [BLOB, BLOB, BLOB, DISK])
    order = rng.permutation(len(x))
    with h5py.File(path, "w") as f:
        f["features/customer_id"] = np.arange(1, len(x) + 1, dtype=np.int64)
        f["features/matrix"] = x[order]
        f["features/matrix"].attrs["names"] = ["x", "y"]
    return truth[order]


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    data = kseg.path("shapes.h5")
    truth = write_customers(data)
    reports = {}
    for ranks in (1, 4):
        out = kseg.path(f"r{ranks}.h5")
        kseg.run("run", "--input", data, "--out", out, "--k", 5, "--stability", 10, "--quiet", ranks=ranks)
        reports[ranks] = json.load(open(out.replace(".h5", ".report.json")))
    stability = {s["segment"]: s["stability"] for s in reports[1]["segments"]}
    checks.expect(stability == {s["segment"]: s["stability"] for s in reports[4]["segments"]},
                  "the same stability at 1 and 4 ranks")
    with h5py.File(kseg.path("r1.h5")) as f:
        segment = f["segments/segment"][:]
    kind = {}
    for s in stability:
        members = truth[segment == s]
        kind[s] = "disk" if (members == 3).mean() > 0.9 else "blob" if np.bincount(members).max() > 0.99 * len(members) else "mixed"
    blobs = [stability[s] for s in stability if kind[s] == "blob"]
    halves = [stability[s] for s in stability if kind[s] == "disk"]
    checks.expect(len(blobs) == 3 and len(halves) == 2, f"the blobs are three segments, the disk two ({kind})")
    checks.expect(all(j >= 0.85 for j in blobs), f"well-separated segments are highly stable ({[round(j, 3) for j in blobs]})")
    checks.expect(all(j < 0.85 for j in halves) and max(halves) < min(blobs),
                  f"the halves of a continuum are less stable ({[round(j, 3) for j in halves]})")
    readings = {s["segment"]: s["stability_reading"] for s in reports[1]["segments"]}
    checks.expect(all(readings[s] == "highly stable" for s in stability if kind[s] == "blob"),
                  f"the reading follows Hennig's guide ({readings})")
    csv = pd.read_csv(kseg.path("r1.csv"))
    html = open(kseg.path("r1.report.html")).read()
    checks.expect("stability" in csv.columns and ">stability</th>" in html and "highly stable" in html,
                  "the CSV and the HTML segment table show it")
    checks.finish()


if __name__ == "__main__":
    main()
