"""Checkpoint and resume: a run signalled mid-fit (SIGUSR1, as Slurm sends before a time limit)
finishes its iteration, writes a checkpoint, exits with 75 and no result; resuming it gives a
result bit-identical to an uninterrupted run; a checkpoint from other inputs or another k is
refused."""
import os
import signal
import subprocess
import time

import h5py

from kseg_e2e import RUN_TIMEOUT_S, Checks, Kseg, parse_args

SETTINGS = ["--tol", 0, "--max-iter", 40, "--init", "random", "--n-init", 2]
FIT = ["--k", 40, *SETTINGS]
ARRAYS = ["segments/customer_id", "segments/segment", "segments/distance", "model/centroids", "model/segment_size"]


def arrays(path):
    with h5py.File(path, "r") as f:
        return {name: f[name][:].tobytes() for name in ARRAYS}, f.attrs["inertia"]


def interrupted_run(kseg, data, out):
    """Starts a 2-rank run, signals it once its first checkpoint exists, returns the finished process."""
    command = kseg.command(["run", "--input", data, "--out", out, "--checkpoint-every", 3, *FIT], ranks=2)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while not os.path.exists(out + ".ckpt") and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGUSR1)  # mpiexec forwards SIGUSR1 to every rank
    stdout, stderr = process.communicate(timeout=RUN_TIMEOUT_S)
    return process.returncode, stderr


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    data = kseg.generate("customers.h5", customers=1_000_000, features=16, segments=40, separation=1.5)
    reference = kseg.path("uninterrupted.h5")
    kseg.run("run", "--input", data, "--out", reference, *FIT, "--quiet", ranks=2)

    out = kseg.path("interrupted.h5")
    code, stderr = interrupted_run(kseg, data, out)
    checks.expect(code == 75, f"signalled run exits with 75 ({code})")
    checks.expect("kseg: stopped" in stderr and "--resume" in stderr, "it says how to resume")
    checks.expect(not os.path.exists(out) and os.path.exists(out + ".ckpt"), "checkpoint written, no result")

    other = kseg.generate("other.h5", customers=1000, features=16, segments=3)
    for label, extra, expected in [("another k", ["--input", data, "--k", 41], "k=40, this run has k=41"),
                                   ("other inputs", ["--input", other, "--k", 40], "input_checksum=")]:
        refused = kseg.run("run", *extra, *SETTINGS, "--out", kseg.path("refused.h5"), "--resume", out + ".ckpt",
                           ranks=2, check=False)
        checks.expect(refused.returncode == 2 and "written by another run" in refused.stderr and
                      expected in refused.stderr, f"checkpoint of {label} refused: {refused.stderr.strip()[-160:]}")

    kseg.run("run", "--input", data, "--out", out, *FIT, "--resume", out + ".ckpt", "--quiet", ranks=2)
    checks.expect(arrays(out) == arrays(reference), "resumed result bit-identical to the uninterrupted one")
    checks.expect(not os.path.exists(out + ".ckpt"), "checkpoint removed once the result exists")

    periodic = kseg.path("periodic.h5")
    kseg.run("run", "--input", data, "--out", periodic, *FIT, "--checkpoint-every", 5, "--quiet", ranks=1)
    checks.expect(arrays(periodic) == arrays(reference), "periodic checkpoints do not change the result (1 rank)")
    checks.finish()


if __name__ == "__main__":
    main()
