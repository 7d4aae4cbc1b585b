"""Clustering on customer attributes (issue 15, part 1): --features names /customers columns beside
the features. A categorical column enters as one indicator per label, the block scaled to weigh
like one standardized feature; a quantity is standardized, its unknown values filled with the mean
of the known ones. The true groups here live only in the attributes (the features are one blob),
so only a run that really clusters on them finds them. The same result at 1 and 4 ranks; the
centroids' indicator columns are the segments' label shares; `kseg assign` scores the fitted
customers bit for bit and names a label the model never saw; bad names get one clear line and
leave nothing behind."""
import os

import h5py
import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from kseg_e2e import Checks, Kseg, check_report_html, parse_args

CUSTOMERS = 30000
REGIONS = ["north", "south", "east"]


def add_customers(path, group, seed, extra_label=False):
    """A /customers table: region is the customer's group (5% drawn at random, 2% unknown), age
    depends on the group (10% unknown), and a column the model will not use."""
    rng = np.random.default_rng(seed)
    with h5py.File(path, "r+") as f:
        ids = f["features/customer_id"][:]
        region = group.copy()
        noisy = rng.random(len(ids)) < 0.05
        region[noisy] = rng.integers(0, 3, noisy.sum())
        region[rng.random(len(ids)) < 0.02] = -1
        labels = REGIONS + (["west"] if extra_label else [])
        if extra_label:
            region[rng.random(len(ids)) < 0.1] = 3
        age = np.array([30.0, 45.0, 60.0])[group] + rng.normal(0, 4, len(ids))
        age[rng.random(len(ids)) < 0.1] = np.nan
        order = rng.permutation(len(ids))  # /customers rows in another order than the features'
        c = f.create_group("customers")
        c["customer_id"] = ids[order]
        c["region"] = region[order].astype(np.int32)
        c["region"].attrs["labels"] = labels
        c["age"] = age[order]
        c["loyalty_points"] = rng.integers(0, 1000, len(ids))[order]
    return ids, region, age


def run(kseg, data, out, ranks, *extra):
    return kseg.run("run", "--input", data, "--out", out, "--k", 3, "--features", "f0,f1,region,age", "--transform", "*=standardize",
                    "--device", "cpu", *extra, ranks=ranks)


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    data = kseg.generate("shop.h5", customers=CUSTOMERS, features=2, segments=1)
    group = np.random.default_rng(3).integers(0, 3, CUSTOMERS)
    ids, region, age = add_customers(data, group, seed=5)

    one, four = kseg.path("one.h5"), kseg.path("four.h5")
    run(kseg, data, one, 1, "--quiet")
    run(kseg, data, four, 4, "--quiet")
    with h5py.File(one) as a, h5py.File(four) as b:
        names = [n.decode() for n in a["model/feature_names"][:]]
        checks.expect(names == ["f0", "f1", "region=north", "region=south", "region=east", "age"],
                      f"region expands into one indicator per label ({names})")
        checks.expect(all(a[n][:].tobytes() == b[n][:].tobytes() for n in
                          ["segments/customer_id", "segments/segment", "segments/distance", "model/centroids"]),
                      "1 and 4 ranks give bit-identical segments, distances and centroids")
        segment = pd.Series(a["segments/segment"][:], index=a["segments/customer_id"][:])
        centroids = a["model/centroids_original"][:]
        scale = a["model/scaler/scale"][:]
        fill = a["model/scaler/fill"][:]
    truth = pd.Series(group, index=ids)
    ari = adjusted_rand_score(truth.loc[segment.index], segment)
    checks.expect(ari > 0.85, f"the groups that live only in the attributes are found (ARI {ari:.3f})")
    features_only = kseg.path("features_only.h5")
    kseg.run("run", "--input", data, "--out", features_only, "--k", 3, "--quiet", ranks=2)
    with h5py.File(features_only) as f:
        blind = adjusted_rand_score(truth.loc[f["segments/customer_id"][:]], f["segments/segment"][:])
    checks.expect(blind < 0.05, f"without the attributes they are not (ARI {blind:.3f})")

    by_segment = pd.DataFrame({"segment": segment.loc[ids].values, "region": region})
    expected = np.array([[(by_segment.region[by_segment.segment == s] == l).mean() for l in range(3)] for s in range(3)])
    checks.expect(np.allclose(centroids[:, 2:5], expected, atol=1e-5),
                  f"the centroids' region columns are each segment's label shares ({centroids[:, 2:5].round(3).tolist()})")
    p = np.array([(region == l).mean() for l in range(3)])
    checks.expect(np.allclose(scale[2:5], np.sqrt((p * (1 - p)).sum())),
                  f"the region block is divided by √Σp(1−p) = {np.sqrt((p * (1 - p)).sum()):.4f} ({scale[2:5]})")
    checks.expect(abs(fill[5] - np.nanmean(age)) < 1e-9 * abs(fill[5]),
                  f"an unknown age is the mean of the known ages ({fill[5]:.6f} vs {np.nanmean(age):.6f})")

    weighted = kseg.path("weighted.h5")
    run(kseg, data, weighted, 2, "--weight", "region=4", "--quiet")
    with h5py.File(weighted) as f:
        weighted_scale = f["model/scaler/scale"][:]
        checks.expect(np.allclose(weighted_scale[2:5], scale[2:5] / 2) and
                      weighted_scale[[0, 1, 5]].tobytes() == scale[[0, 1, 5]].tobytes(),
                      "--weight region=4 divides the block by √4 more and leaves the rest")

    report = one.replace(".h5", ".report.html")
    html = open(report).read()
    checks.expect("share with region north" in html, "the report reads the indicator as a share with that label")
    check_report_html(kseg, checks, report, [])

    rescored = kseg.path("rescored.h5")
    kseg.run("assign", "--input", data, "--model", one, "--out", rescored, "--quiet", ranks=2)
    with h5py.File(rescored) as f, h5py.File(one) as a:
        checks.expect(f["segments/segment"][:].tobytes() == a["segments/segment"][:].tobytes() and
                      f["segments/distance"][:].tobytes() == a["segments/distance"][:].tobytes(),
                      "kseg assign gives the fitted customers their segments and distances bit for bit")
    newer = kseg.generate("newer.h5", customers=5000, features=2, segments=1, seed=9)
    _, new_region, _ = add_customers(newer, np.random.default_rng(4).integers(0, 3, 5000), seed=6, extra_label=True)
    scored = kseg.run("assign", "--input", newer, "--model", one, "--out", kseg.path("newer_scored.h5"), ranks=2)
    unseen = int((new_region == 3).sum())
    checks.expect(f"{unseen:,} customers have a region label the model was not fitted with" in scored.stderr,
                  f"assign names the {unseen} customers with an unseen region label")

    for bad, says in [(["--features", "f0,f1,nosuch"], "nosuch"), (["--features", "f0,region", "--weight", "region=x"], "--weight"),
                      (["--features", "f0,region", "--weight", "age=2"], "age")]:
        out = kseg.path("bad.h5")
        failed = kseg.run("run", "--input", data, "--out", out, "--k", 3, *bad, "--quiet", ranks=2, check=False)
        lines = [l for l in failed.stderr.splitlines() if l.startswith("kseg:")]
        checks.expect(failed.returncode != 0 and len(lines) == 1 and says in lines[0] and not os.path.exists(out),
                      f"{' '.join(bad)}: one clear line, nothing written ({lines})")
    checks.finish()


if __name__ == "__main__":
    main()
