"""The published CDNOW calibration summary, reproduced end to end: `kseg import` of the raw
CDNOW_sample.txt, then `kseg features` with weeks as the unit and the calibration ending
1997-09-30, on 1, 2 and 4 ranks. x, t_x, T and zbar of all 2,357 customers must equal
cdnow_customers_summary_with_transactions.csv (x exactly; the others to 0.01, as published)."""
import csv

import h5py
import numpy as np

from kseg_e2e import CDNOW, CDNOW_SUMMARY, Checks, Kseg, parse_args


def published():
    with open(CDNOW_SUMMARY) as f:
        rows = list(csv.DictReader(f))
    return {int(r["ID"]): (int(r["x"]), float(r["t_x"]), float(r["T"]), float(r["zbar"])) for r in rows}


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    transactions = kseg.import_cdnow()
    expected = published()
    files = {}
    for ranks in (1, 2, 4):
        out = kseg.path(f"cdnow-features-{ranks}.h5")
        kseg.run("features", "--input", transactions, "--as-of", "1997-09-30", "--time-unit", "weeks", "--out", out,
                 "--quiet", ranks=ranks)
        with h5py.File(out, "r") as f:
            names = list(f["features/matrix"].attrs["names"])
            files[ranks] = (f["features/customer_id"][:], f["features/matrix"][:])
        ids, matrix = files[ranks]
        column = {name: matrix[:, names.index(f"bgnbd_{name}")].astype(np.float64) for name in ("x", "t_x", "T", "zbar")}
        checks.expect(len(ids) == 2357 and set(ids.tolist()) == set(expected), f"{ranks} rank(s): all 2,357 customers")
        want = np.array([expected[int(i)] for i in ids])
        checks.expect(np.array_equal(column["x"], want[:, 0]), f"{ranks} rank(s): x equals the published x exactly")
        for k, name in enumerate(("t_x", "T", "zbar"), start=1):
            worst = float(np.abs(column[name] - want[:, k]).max())
            checks.expect(worst <= 0.01, f"{ranks} rank(s): {name} equals the published value to 0.01 ({worst:.4f})")
    reference = files[1]
    checks.expect(all(np.array_equal(files[r][0], reference[0]) and files[r][1].tobytes() == reference[1].tobytes()
                      for r in (2, 4)), "2 and 4 ranks bit-identical to 1 rank")
    checks.finish()


if __name__ == "__main__":
    main()
