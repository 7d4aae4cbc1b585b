"""The command line as a new user meets it: --version, --help that teaches, the demo, --json."""
import json
import os
import re

import h5py
import numpy as np

from kseg_e2e import Checks, Kseg, parse_args


def main():
    kseg = Kseg(parse_args())
    checks = Checks()

    version = kseg.run("--version").stdout
    checks.expect(re.match(r"kseg \d+\.\d+\.\d+", version) is not None, f"--version prints a version ({version.strip()})")
    top_help = kseg.run("--help").stdout
    checks.expect(all(cmd in top_help for cmd in ["generate", "run", "demo", "bench"]), "--help lists every subcommand")
    run_help = kseg.run("run", "--help").stdout
    for option, default in [("--k", "8"), ("--seed", "42"), ("--n-init", "1"), ("--max-iter", "300"),
                            ("--tol", "0.0001"), ("--init", "k-means||"), ("--init-trials", "10"),
                            ("--init-sample", "16384"), ("--swap-patience", "20")]:
        checks.expect(re.search(re.escape(option) + r"\b.*=" + re.escape(default), run_help) is not None,
                      f"run --help shows {option} with its default {default}")
    checks.expect("--config" in run_help and "--json" in run_help, "run --help documents --config and --json")
    missing = kseg.run("run", check=False)
    checks.expect(missing.returncode != 0 and "--input is required" in missing.stderr, "run without --input explains")

    demo_dir = kseg.path("demo")
    demo = kseg.run("demo", "--dir", demo_dir, ranks=2)
    checks.expect("Results: " + os.path.join(demo_dir, "segments.h5") in demo.stdout, "demo says where results are")
    table_rows = [line for line in demo.stdout.splitlines() if re.match(r"^\d+\s+[\d,]+\s+[\d.]+%", line)]
    checks.expect(len(table_rows) == 5 and all(re.search(r"%\s+[A-Z][^:]+: [A-Z]", row) for row in table_rows),
                  f"demo prints a table of 5 named segments with their actions ({len(table_rows)} rows)")
    checks.expect(os.path.exists(os.path.join(demo_dir, "segments.report.html")), "demo writes the report page")
    checks.expect(demo.stdout.count("kseg: error") == 0 and "iter" in demo.stderr, "demo logs progress on stderr")
    with h5py.File(os.path.join(demo_dir, "segments.h5"), "r") as f:
        sizes = f["model/segment_size"][:]
        checks.expect(sizes.sum() == 50000 and len(f["segments/segment"]) == 50000, "demo result covers every customer")

    data = kseg.generate("json.h5", customers=5000, features=3, segments=3)
    summary = kseg.run("run", "--input", data, "--out", kseg.path("json-result.h5"), "--k", 3, "--json", "--quiet",
                       ranks=2)
    parsed = json.loads(summary.stdout)
    checks.expect(parsed["k"] == 3 and parsed["ranks"] == 2 and sum(parsed["segment_size"]) == 5000,
                  "--json prints one parseable summary from rank 0")
    checks.expect(summary.stderr.strip() == "", "--quiet keeps stderr empty")

    log = kseg.run("run", "--input", data, "--out", kseg.path("log-result.h5"), "--k", 3, ranks=2).stderr
    iteration_lines = [line for line in log.splitlines()
                       if re.search(r"iter \d+\s+moved [\d,]+\s+searched [\d.]+%\s+shift", line)]
    checks.expect(len(iteration_lines) >= 1 and log.count("inputs ") == 1,
                  "rank 0 alone logs phases and one line per iteration")
    checks.finish()


if __name__ == "__main__":
    main()
