"""Behaviour is pinned: a features file (with a k sweep), a tiny generated retailer and the CDNOW
sample are segmented at 1 and 4 ranks and the results must equal, bit for bit, the golden
results kept in tests/data/golden/ (first written by the code before the pipeline
restructuring, then regenerated only for intended changes, each checked to touch nothing else):
centroids in model and original units, every customer's segment, distance and CLV columns, the
segments' names, actions and sizes, the fitted CLV parameters, the segment table of the CSV
report and report.json's segment, select-k and attribute sections.

`--write-golden` regenerates the golden files (only when a change of results is intended)."""
import argparse
import json
import os
import sys

import h5py
import numpy as np

from kseg_e2e import CDNOW, Checks, Kseg

GOLDEN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "golden")
MODEL_ARRAYS = ("centroids", "centroids_original", "segment_ids", "segment_size")
MODEL_STRINGS = ("feature_names", "segment_names", "segment_actions")
ATTRIBUTES = ("inertia", "iterations", "bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b", "gamma_gamma_p",
              "gamma_gamma_q", "gamma_gamma_v")


def result_arrays(result):
    """Every number of a result that a marketer or a later quarter reads, as named arrays."""
    arrays = {}
    with h5py.File(result, "r") as f:
        for name in f["segments"]:
            arrays[f"segments/{name}"] = f["segments"][name][:]
        for name in MODEL_ARRAYS:
            arrays[f"model/{name}"] = f["model"][name][:]
        for name in MODEL_STRINGS:
            arrays[f"model/{name}"] = np.array(f["model"][name].asstr()[:], dtype=object).astype(str)
        for name in ATTRIBUTES:
            if name in f.attrs:
                arrays[f"attrs/{name}"] = np.array(f.attrs[name])
    stem = result[:-3]
    arrays["report/csv"] = np.array(open(stem + ".csv").read().splitlines())
    report = json.load(open(stem + ".report.json"))
    for section in ("segments", "select_k", "attributes"):
        if section in report:
            arrays[f"report/{section}"] = np.array(json.dumps(report[section], sort_keys=True))
    return arrays


def cases(kseg):
    """(name, input file, kseg run options) of each pinned run."""
    retailer = kseg.path("retailer.h5")
    kseg.run("generate", "--transactions", "--customers", 2500, "--seed", 11, "--out", retailer, "--quiet", ranks=2)
    cdnow = kseg.import_cdnow()
    blobs = kseg.generate("blobs.h5", 3000, 4, 3)
    return [("blobs", blobs, ["--k", 3, "--select-k", "2..4", "--transform", "f0=winsorize+standardize"]),
            ("retailer", retailer, ["--as-of", "2024-12-31", "--k", 5, "--n-init", 2]),
            ("cdnow", cdnow, ["--as-of", "1997-09-30", "--time-unit", "weeks", "--k", 4])]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kseg", required=True)
    parser.add_argument("--mpiexec", required=True)
    parser.add_argument("--write-golden", action="store_true")
    args = parser.parse_args()
    args.kseg = os.path.abspath(args.kseg)
    kseg = Kseg(args)
    checks = Checks()
    for name, source, options in cases(kseg):
        golden_path = os.path.join(GOLDEN_DIR, f"{name}.npz")
        for ranks in (1, 4):
            out = kseg.path(f"{name}-{ranks}.h5")
            kseg.run("run", "--input", source, *options, "--device", "cpu", "--out", out, "--quiet", ranks=ranks)
            arrays = result_arrays(out)
            if args.write_golden:
                os.makedirs(GOLDEN_DIR, exist_ok=True)
                np.savez_compressed(golden_path, **arrays)
                print(f"wrote {golden_path}")
                break
            golden = np.load(golden_path)
            checks.expect(sorted(golden.files) == sorted(arrays),
                          f"{name}, {ranks} rank(s): the result holds the golden datasets {sorted(golden.files)}")
            for key in golden.files:
                mine = arrays.get(key)
                same = (mine is not None and golden[key].dtype == mine.dtype and golden[key].shape == mine.shape
                        and golden[key].tobytes() == mine.tobytes())
                checks.expect(same, f"{name}, {ranks} rank(s): {key} equals the golden result bit for bit")
    checks.finish()


if __name__ == "__main__":
    sys.exit(main())
