"""Every bad input gets one clear line naming the file, dataset or row and what is wrong, a
non-zero exit, every rank stopped, and no output file; an earlier result is never overwritten."""
import os
import time

import h5py
import numpy as np

from kseg_e2e import Checks, Kseg, digest, parse_args

N, D = 500, 4


def write_features(path, matrix=None, ids=None, skip=()):
    rng = np.random.default_rng(1)
    matrix = rng.normal(size=(N, D)).astype(np.float32) if matrix is None else matrix
    ids = np.arange(N, dtype=np.int64) + 1 if ids is None else ids
    with h5py.File(path, "w") as f:
        if "matrix" not in skip:
            f["features/matrix"] = matrix
        if "ids" not in skip:
            f["features/customer_id"] = ids
    return path


def with_value(row, column, value):
    matrix = np.random.default_rng(2).normal(size=(N, D)).astype(np.float32)
    matrix[row, column] = value
    return matrix


class BadInputs:
    def __init__(self, kseg, checks):
        self.kseg, self.checks = kseg, checks
        self.good = write_features(kseg.path("good.h5"))

    def refused(self, label, expected, input_path=None, ranks=2, extra=(), out_name=None, k=3):
        """Runs kseg run and checks it fails cleanly with `expected` in its single error line."""
        out = self.kseg.path(out_name or f"out-{label.replace(' ', '-')}.h5")
        started = time.monotonic()
        done = self.kseg.run("run", "--input", input_path or self.good, "--out", out, "--k", k, "--quiet", *extra,
                             ranks=ranks, check=False)
        seconds = time.monotonic() - started
        errors = [line for line in done.stderr.splitlines() if line.startswith("kseg: error") or "must be" in line]
        self.checks.expect(done.returncode != 0, f"{label}: non-zero exit ({done.returncode})")
        self.checks.expect(any(expected in line for line in errors),
                           f"{label}: message names the problem ({expected!r}); got {errors}")
        self.checks.expect(len(errors) == 1, f"{label}: reported once, not once per rank")
        self.checks.expect(seconds < 30, f"{label}: every rank stopped ({seconds:.1f} s)")
        if out_name is None:
            self.checks.expect(not os.path.exists(out) and not os.path.exists(out + ".partial"),
                               f"{label}: no output file left behind")
        return out

    def file_cases(self):
        k = self.kseg
        self.refused("missing file", "no such file", k.path("nowhere.h5"))
        with open(k.path("text.h5"), "w") as f:
            f.write("customer_id,recency\n1,2\n")
        self.refused("not HDF5", "not an HDF5 file", k.path("text.h5"))
        open(k.path("empty-bytes.h5"), "w").close()
        self.refused("zero-byte file", "not an HDF5 file", k.path("empty-bytes.h5"))
        with open(self.good, "rb") as f:
            whole = f.read()
        with open(k.path("truncated.h5"), "wb") as f:
            f.write(whole[: len(whole) // 2])
        self.refused("truncated file", "truncated or corrupt", k.path("truncated.h5"))

    def dataset_cases(self):
        k = self.kseg
        self.refused("missing matrix", "missing dataset /features/matrix",
                     write_features(k.path("no-matrix.h5"), skip=("matrix",)))
        self.refused("missing ids", "missing dataset /features/customer_id",
                     write_features(k.path("no-ids.h5"), skip=("ids",)))
        self.refused("wrong rank", "expected 2 dimensions",
                     write_features(k.path("rank1.h5"), matrix=np.zeros(N, dtype=np.float32)))
        self.refused("integer features", "expected floating-point features, found integers",
                     write_features(k.path("ints.h5"), matrix=np.zeros((N, D), dtype=np.int32)))
        self.refused("string features", "found strings",
                     write_features(k.path("strings.h5"), matrix=np.array([[b"a"] * D] * N)))
        self.refused("float ids", "expected integer customer ids",
                     write_features(k.path("float-ids.h5"), ids=np.arange(N, dtype=np.float64)))
        self.refused("unequal lengths", f"has {N - 1} rows but /features/matrix has {N}",
                     write_features(k.path("short-ids.h5"), ids=np.arange(N - 1, dtype=np.int64)))
        repeated = np.arange(N, dtype=np.int64) + 1
        repeated[411] = repeated[17]
        self.refused("duplicate customer ids", "customer_id 18 appears on rows 17 and 411",
                     write_features(k.path("duplicates.h5"), ids=repeated), ranks=4)
        self.refused("no customers", "has no rows",
                     write_features(k.path("empty.h5"), matrix=np.zeros((0, D), dtype=np.float32),
                                    ids=np.zeros(0, dtype=np.int64)))

    def value_cases(self):
        k = self.kseg
        # Row 377 lies in rank 1's block: the message must still come out once, naming row and customer.
        self.refused("NaN", "row 377 (customer_id 378, feature 'f2'): value is NaN",
                     write_features(k.path("nan.h5"), matrix=with_value(377, 2, np.nan)))
        self.refused("Inf", "row 12 (customer_id 13, feature 'f0'): value is infinite",
                     write_features(k.path("inf.h5"), matrix=with_value(12, 0, -np.inf)))
        self.refused("k < 1", "--k: must be at least 1", k=0)
        self.refused("k > N", f"exceeds the number of customers ({N})", k=N + 1)
        tiny = write_features(k.path("tiny.h5"), matrix=np.ones((3, D), dtype=np.float32),
                              ids=np.arange(3, dtype=np.int64))
        self.refused("more ranks than rows", "cannot be split over 4 ranks", tiny, ranks=4)

    def output_cases(self):
        k = self.kseg
        self.refused("missing output folder", "does not exist", out_name="no/such/dir/result.h5")
        earlier = k.path("earlier.h5")
        k.run("run", "--input", self.good, "--out", earlier, "--k", 3, "--quiet", ranks=2)
        before = digest(earlier)
        self.refused("existing result", "already exists", out_name="earlier.h5")
        self.checks.expect(digest(earlier) == before, "existing result: untouched without --force")
        nan_file = k.path("nan.h5")
        self.refused("failed run with --force", "value is NaN", nan_file, extra=("--force",), out_name="earlier.h5")
        self.checks.expect(digest(earlier) == before, "a failed run never overwrites an earlier result")
        k.run("run", "--input", self.good, "--out", earlier, "--k", 4, "--force", "--quiet", ranks=2)
        with h5py.File(earlier, "r") as f:
            self.checks.expect(f.attrs["k"] == 4, "--force replaces the result after a successful run")


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    cases = BadInputs(kseg, checks)
    cases.file_cases()
    cases.dataset_cases()
    cases.value_cases()
    cases.output_cases()
    checks.finish()


if __name__ == "__main__":
    main()
