"""A stop request (SIGUSR1, as Slurm sends before a time limit; mpiexec forwards it to every rank)
that arrives outside Lloyd's iterations — while the features are computed or the CLV models fit,
while the initial centroids are chosen, during a select-k sweep — ends the job within a few
seconds with exit 75 and one line saying where it stopped. Before any restart has finished there
is nothing to keep: no output and no partial or lock file is left, and the line asks for a rerun.
Stopped in the initialization of a later restart, it writes a checkpoint, and resuming from it
gives the uninterrupted result bit for bit. At 1 and 4 ranks."""
import os
import signal
import subprocess
import time

import h5py

from kseg_e2e import RUN_TIMEOUT_S, Checks, Kseg, parse_args

EXIT_STOPPED = 75
STOP_WITHIN_S = 10  # from the signal to every rank's exit
OUTPUT_SUFFIXES = (".h5", ".csv", ".report.json", ".report.html")


def stopped_when(kseg, arguments, ranks, marker):
    """Runs kseg, sends SIGUSR1 once a progress line holding `marker` appears; returns
    (exit code, the kseg: lines, seconds from the signal to the exit)."""
    process = subprocess.Popen(kseg.command(arguments, ranks), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    lines = []
    for line in process.stderr:
        lines.append(line)
        if marker in line or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGUSR1)
    signalled = time.monotonic()
    _, rest = process.communicate(timeout=RUN_TIMEOUT_S)
    seconds = time.monotonic() - signalled
    messages = [line for line in lines + rest.splitlines() if line.startswith("kseg:")]
    return process.returncode, messages, seconds


def left_behind(stem):
    return [stem + suffix + extra for suffix in OUTPUT_SUFFIXES for extra in ("", ".partial", ".lock")
            if os.path.exists(stem + suffix + extra)]


def check_stop(kseg, checks, label, arguments, ranks, marker, during, stem):
    code, messages, seconds = stopped_when(kseg, arguments, ranks, marker)
    tag = f"stopped {label} ({ranks} rank(s))"
    checks.expect(code == EXIT_STOPPED, f"{tag}: exit {EXIT_STOPPED}, got {code} {messages}")
    checks.expect(len(messages) == 1 and during in messages[0] and "rerun" in messages[0],
                  f"{tag}: one line saying it stopped {during!r} and to rerun: {messages}")
    checks.expect(seconds < STOP_WITHIN_S, f"{tag}: every rank ended {seconds:.1f} s after the signal")
    checks.expect(not left_behind(stem), f"{tag}: nothing left behind {left_behind(stem)}")


def check_checkpoint_in_init(kseg, checks, data, ranks):
    fit = ["--k", 400, "--n-init", 2, "--max-iter", 2, "--tol", 0]
    reference = kseg.path(f"init-reference-{ranks}.h5")
    kseg.run("run", "--input", data, "--out", reference, *fit, "--quiet", ranks=ranks)
    out = kseg.path(f"init-stopped-{ranks}.h5")
    code, messages, seconds = stopped_when(kseg, ["run", "--input", data, "--out", out, *fit], ranks, "restart   1/2")
    tag = f"stopped in the second restart's initialization ({ranks} rank(s))"
    checks.expect(code == EXIT_STOPPED and any("--resume" in m for m in messages),
                  f"{tag}: exit {EXIT_STOPPED} and how to resume: {code} {messages}")
    checks.expect(seconds < STOP_WITHIN_S, f"{tag}: every rank ended {seconds:.1f} s after the signal")
    checks.expect(os.path.exists(out + ".ckpt") and not os.path.exists(out), f"{tag}: a checkpoint, no result")
    if not os.path.exists(out + ".ckpt"):
        return
    kseg.run("run", "--input", data, "--out", out, *fit, "--resume", out + ".ckpt", "--quiet", ranks=ranks)
    with h5py.File(out, "r") as got, h5py.File(reference, "r") as want:
        same = all(got[name][:].tobytes() == want[name][:].tobytes()
                   for name in ("model/centroids", "segments/segment", "segments/distance"))
    checks.expect(same, f"{tag}: the resumed result equals the uninterrupted one bit for bit")


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    retailer = kseg.path("retailer.h5")
    kseg.run("generate", "--transactions", "--customers", 60_000, "--out", retailer, "--quiet", ranks=2)
    blobs = kseg.generate("blobs.h5", customers=120_000, features=16, segments=40, separation=1.0)
    for ranks in (1, 4):
        stem = kseg.path(f"features-{ranks}")
        check_stop(kseg, checks, "after reading the transactions",
                   ["run", "--input", retailer, "--as-of", "2024-12-31", "--k", 8, "--out", stem + ".h5"], ranks,
                   " transaction lines from ", "while ", stem)
        stem = kseg.path(f"init-{ranks}")
        check_stop(kseg, checks, "choosing the initial centroids",
                   ["run", "--input", blobs, "--k", 800, "--out", stem + ".h5"], ranks, "backend ",
                   "while choosing the initial centroids", stem)
        check_stop(kseg, checks, "in a select-k sweep", ["select-k", "--input", blobs, "--k", "2..40"], ranks, "k=2 ",
                   "during the sweep", kseg.path("no-output"))
        check_checkpoint_in_init(kseg, checks, blobs, ranks)
    checks.finish()


if __name__ == "__main__":
    main()
