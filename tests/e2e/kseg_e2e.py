"""Shared helpers for kseg's end-to-end tests: run the real binary (under mpiexec where asked)
and read its HDF5 output with h5py, as a user would, without any kseg code."""
import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

RUN_TIMEOUT_S = 120  # a run that takes longer has hung: every test fails instead of blocking CI

# The CDNOW sample (Fader, Hardie & Lee 2005) kept in the repository, and how `kseg import` maps it.
CDNOW_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "cdnow")
CDNOW = os.path.join(CDNOW_DIR, "CDNOW_sample.txt")
CDNOW_SUMMARY = os.path.join(CDNOW_DIR, "cdnow_customers_summary_with_transactions.csv")
CDNOW_MAPPING = ["--whitespace", "--no-header", "--customer", 2, "--timestamp", 3, "--quantity", 4, "--amount", 5]


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kseg", required=True, help="path of the kseg binary")
    parser.add_argument("--mpiexec", required=True, help="path of mpiexec")
    args = parser.parse_args()
    args.kseg = os.path.abspath(args.kseg)
    return args


class Kseg:
    def __init__(self, args):
        self.binary = args.kseg
        self.mpiexec = args.mpiexec
        self.workdir = tempfile.mkdtemp(prefix="kseg-e2e-")

    def path(self, name):
        return os.path.join(self.workdir, name)

    def command(self, arguments, ranks):
        base = [self.binary] + [str(a) for a in arguments]
        if ranks is None:
            return base
        return [self.mpiexec, "-n", str(ranks), "--oversubscribe"] + base

    def run(self, *arguments, ranks=None, check=True):
        """Runs kseg (under mpiexec -n ranks when given); returns the CompletedProcess."""
        completed = subprocess.run(self.command(arguments, ranks), capture_output=True, text=True,
                                   timeout=RUN_TIMEOUT_S)
        if check and completed.returncode != 0:
            sys.exit(f"kseg {' '.join(map(str, arguments))} failed with {completed.returncode}:\n"
                     f"{completed.stdout}\n{completed.stderr}")
        return completed

    def import_cdnow(self, name="cdnow.h5"):
        """The CDNOW sample as a transactions file, as `kseg import` maps it."""
        out = self.path(name)
        self.run("import", "--csv", CDNOW, "--out", out, *CDNOW_MAPPING, "--quiet")
        return out

    def generate(self, name, customers, features, segments, seed=7, **extra):
        out = self.path(name)
        options = [f"--{key.replace('_', '-')}={value}" for key, value in extra.items()]
        self.run("generate", "--customers", customers, "--features", features, "--segments", segments,
                 "--seed", seed, "--out", out, "--quiet", "--force", *options, ranks=2)
        return out


def three_significant(value, published):
    """Equal to the published figure in its 3 significant digits."""
    return abs(value - published) < 0.5 * 10 ** (np.floor(np.log10(abs(published))) - 2)


def digest(path):
    """SHA-256 of a file's bytes: to prove a file was left untouched."""
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Checks:
    """Collects failures so one run reports every broken expectation, then exits non-zero."""

    def __init__(self):
        self.failures = []

    def expect(self, condition, message):
        status = "ok  " if condition else "FAIL"
        print(f"{status} {message}", flush=True)
        if not condition:
            self.failures.append(message)

    def finish(self):
        if self.failures:
            sys.exit(f"{len(self.failures)} check(s) failed:\n  " + "\n  ".join(self.failures))
        print("all checks passed")


def check_report_html(kseg, checks, page, names):
    """The report renders in headless Chromium: a screenshot that is not blank, no script errors,
    nothing fetched from the network."""
    html = open(page).read()
    checks.expect("<script" not in html and not re.search(r"(src|href)=['\"]https?:", html),
                  "report.html is self-contained (no scripts, no remote resources)")
    checks.expect(all(name.replace("&", "&amp;") in html for name in names) and html.count("<svg") >= 3,
                  "report.html names every segment and holds its charts")
    shot = kseg.path("report.png")
    render = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                             "--window-size=1400,1400", "--enable-logging=stderr", "--v=0", f"file://{page}"],
                            capture_output=True, text=True, timeout=120)
    console_errors = [line for line in render.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    checks.expect(render.returncode == 0 and not console_errors, f"Chromium renders it without script errors {console_errors}")
    from PIL import Image
    image = Image.open(shot).convert("RGB")
    pixels = list(image.getdata())
    ink = sum(1 for p in pixels if p != (255, 255, 255)) / len(pixels)
    checks.expect(ink > 0.03 and len(set(pixels)) > 20, f"the screenshot is not blank ({100 * ink:.1f}% ink)")
