"""How far to trust a customer's segment (issue 15, part 5): every result holds each customer's
margin (distance to the second-nearest centroid minus the distance to its own) and a flag for
customers farther from their centroid than 99% of the segment's customers were at fit time
(/model/distance_envelope). Margins equal numpy's from the saved centroids; the same at 1 and 4
ranks; `kseg assign` flags new customers the model does not describe (a blob it never saw) and
almost no one drawn like the customers it was fitted on."""
import h5py
import numpy as np

from kseg_e2e import Checks, Kseg, parse_args


def margins(x, centroids):
    d = np.sqrt(((x[:, None, :].astype(np.float64) - centroids[None, :, :]) ** 2).sum(axis=2))
    d.sort(axis=1)
    return d[:, 1] - d[:, 0]


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    data = kseg.generate("fit.h5", customers=40000, features=4, segments=5, separation=3)
    one, four = kseg.path("one.h5"), kseg.path("four.h5")
    for out, ranks in [(one, 1), (four, 4)]:
        kseg.run("run", "--input", data, "--out", out, "--k", 5, "--quiet", ranks=ranks)
    with h5py.File(one) as a, h5py.File(four) as b, h5py.File(data) as f:
        checks.expect(all(a[n][:].tobytes() == b[n][:].tobytes() for n in
                          ["segments/margin", "segments/out_of_envelope", "model/distance_envelope"]),
                      "margins, flags and envelopes are bit-identical at 1 and 4 ranks")
        x = f["features/matrix"][:]
        centroids = a["model/centroids"][:]
        margin = a["segments/margin"][:]
        flagged = a["segments/out_of_envelope"][:]
        segment = a["segments/segment"][:]
        envelope = a["model/distance_envelope"][:]
        distance = a["segments/distance"][:]
        quantile = a["model/distance_envelope"].attrs["quantile"]
    want = margins(x, centroids)
    checks.expect(np.allclose(margin, want, rtol=1e-4, atol=1e-4) and (margin >= 0).all(),
                  f"margins equal numpy's second-nearest minus nearest (max error {np.abs(margin - want).max():.2e})")
    per_segment = [flagged[segment == s].mean() for s in range(5)]
    checks.expect(quantile == 0.99 and all(0.005 < share < 0.015 for share in per_segment),
                  f"about 1% of each segment is out of its fit-time envelope ({[round(s, 4) for s in per_segment]})")
    checks.expect(all((flagged[segment == s] == 1).tolist() == (distance[segment == s] > envelope[s]).tolist()
                      for s in range(5)), "a customer is flagged exactly when farther than its segment's envelope")

    newer = kseg.generate("new.h5", customers=10000, features=4, segments=5, separation=3)  # same seed: same blobs
    with h5py.File(newer, "r+") as f:
        m = f["features/matrix"]
        rows = m[:]
        rows[:500] = rows[:500] + 40 * (np.abs(rows).max())  # a group of customers unlike any seen
        m[...] = rows
    scored = kseg.path("scored.h5")
    assigned = kseg.run("assign", "--input", newer, "--model", one, "--out", scored, ranks=2)
    with h5py.File(scored) as s:
        flags = s["segments/out_of_envelope"][:]
    checks.expect(flags[:500].mean() == 1.0 and flags[500:].mean() < 0.02,
                  f"assign flags the customers unlike the fitted ones ({flags[:500].mean():.0%}) and few others "
                  f"({flags[500:].mean():.2%})")
    checks.expect(f"{int(flags.sum()):,} customers" in assigned.stderr and "out_of_envelope" in assigned.stderr,
                  "assign says how many customers lie out of envelope")

    older = kseg.path("older.h5")
    with h5py.File(one) as a, h5py.File(older, "w") as o:
        for name in a:
            a.copy(name, o)
        for key, value in a.attrs.items():
            o.attrs[key] = value
        del o["model/distance_envelope"]
    old_scored = kseg.path("old_scored.h5")
    kseg.run("assign", "--input", newer, "--model", older, "--out", old_scored, "--quiet", ranks=2)
    with h5py.File(old_scored) as s:
        checks.expect("out_of_envelope" not in s["segments"] and "margin" in s["segments"],
                      "a model without an envelope still scores margins, and flags no one")
    checks.finish()


if __name__ == "__main__":
    main()
