"""One answer by either route: `kseg features` then `kseg run` on its file gives the same segments,
distances, names, centroids, CLV, P(alive), churn risk and RFM classes, bit for bit, as `kseg run`
on the transactions, because the features file records the default model features, their
transforms and the CLV inputs' unit and period (attributes of /features/matrix). Checked on the
CDNOW sample in weeks and on a generated retailer in days, at 1 and 4 ranks."""
import h5py

from kseg_e2e import CDNOW, Checks, Kseg, parse_args

COMPARED = ("segments/customer_id", "segments/segment", "segments/distance", "segments/clv", "segments/p_alive",
            "segments/churn_risk", "segments/rfm_segment", "model/centroids", "model/centroids_original")


def read(path):
    with h5py.File(path, "r") as f:
        arrays = {name: f[name][:].tobytes() for name in COMPARED}
        arrays["names"] = list(f["model/segment_names"].asstr()[:])
        arrays["features"] = list(f["model/feature_names"].asstr()[:])
    return arrays


def check(kseg, checks, name, source, step_options, k):
    features = kseg.path(f"{name}-features.h5")
    kseg.run("features", "--input", source, *step_options, "--out", features, "--quiet", "--device", "cpu")
    with h5py.File(features, "r") as f:
        recorded = {a: list(f["features/matrix"].attrs[a]) for a in ("model_features", "model_transforms")}
    checks.expect(recorded["model_features"][:3] == ["recency_days", "frequency", "monetary"] and
                  "log1p+winsorize+standardize" in recorded["model_transforms"],
                  f"{name}: the features file records the default model features and transforms {recorded}")
    for ranks in (1, 4):
        direct, via = kseg.path(f"{name}-direct-{ranks}.h5"), kseg.path(f"{name}-via-{ranks}.h5")
        common = ["--k", k, "--device", "cpu", "--quiet"]
        kseg.run("run", "--input", source, *step_options, *common, "--out", direct, ranks=ranks)
        kseg.run("run", "--input", features, *common, "--out", via, ranks=ranks)
        a, b = read(direct), read(via)
        differing = [key for key in a if a[key] != b[key]]
        checks.expect(not differing, f"{name}, {ranks} rank(s): run on the features file equals run on the transactions "
                                     f"(differing: {differing}; names {b['names']})")


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    cdnow = kseg.import_cdnow()
    check(kseg, checks, "cdnow", cdnow, ["--as-of", "1997-09-30", "--time-unit", "weeks"], 5)
    retailer = kseg.path("retailer.h5")
    kseg.run("generate", "--transactions", "--customers", 3000, "--seed", 9, "--out", retailer, "--quiet", ranks=2)
    check(kseg, checks, "retailer", retailer, ["--as-of", "2024-12-31"], 6)
    checks.finish()


if __name__ == "__main__":
    main()
