"""What clusters do to jobs: a rank killed with SIGKILL mid-run ends the whole job instead of
hanging, and leaves no result; a full disk (a 200 KiB tmpfs) gives a clear message, exit 3 (not
a crash in HDF5's exit handler) and no partial file, on every rank, within seconds, at 1 and 2
ranks; an input on which libhdf5 itself loops forever (a corrupt global heap) ends at 1 and 2
ranks through kseg's stall watchdog with exit 2, one line naming the file, and an earlier result
untouched."""
import os
import re
import signal
import subprocess
import tempfile
import time

from kseg_e2e import RUN_TIMEOUT_S, Checks, Kseg, digest, parse_args

EXIT_IO = 3
EXIT_INPUT = 2
STALL_SECONDS = 3
LOOPING_HEAP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "hdf5_corpus",
                            "features-global-heap-loop.h5")


def rank_pids(out):
    found = subprocess.run(["pgrep", "-f", f"kseg run .*--out {out}"], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found if int(p) != os.getpid()]


def killed_rank(kseg, checks, data):
    out = kseg.path("killed.h5")
    command = kseg.command(["run", "--input", data, "--out", out, "--k", 40, "--tol", 0, "--max-iter", 200,
                            "--init", "random", "--checkpoint-every", 1, "--quiet"], ranks=2)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while not os.path.exists(out + ".ckpt") and time.monotonic() < deadline:
        time.sleep(0.02)
    pids = [p for p in rank_pids(out) if "mpiexec" not in open(f"/proc/{p}/cmdline").read()]
    checks.expect(len(pids) == 2, f"two ranks running ({pids})")
    started = time.monotonic()
    os.kill(pids[-1], signal.SIGKILL)
    try:
        process.communicate(timeout=60)
        seconds = time.monotonic() - started
        checks.expect(process.returncode != 0 and seconds < 30,
                      f"job ends ({process.returncode}) {seconds:.1f} s after a rank was killed")
    except subprocess.TimeoutExpired:
        process.kill()
        checks.expect(False, "job hung after a rank was killed")
    checks.expect(not os.path.exists(out), "no result from the killed job")


def disk_full(kseg, checks, data, ranks):
    tiny = tempfile.mkdtemp(prefix="kseg-tiny-")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", tiny], capture_output=True, text=True)
    checks.expect(mounted.returncode == 0, f"a 200 KiB tmpfs to fill ({mounted.stderr.strip()})")
    if mounted.returncode != 0:
        return
    try:
        out = os.path.join(tiny, "result.h5")
        started = time.monotonic()
        done = kseg.run("run", "--input", data, "--out", out, "--k", 5, "--quiet", ranks=ranks, check=False)
        errors = [line for line in done.stderr.splitlines() if "kseg: error" in line]
        tag = f"disk full ({ranks} rank(s))"
        checks.expect(done.returncode == EXIT_IO and time.monotonic() - started < 30,
                      f"{tag}: the job stops with exit {EXIT_IO} (an I/O error, not a crash): {done.returncode}")
        checks.expect(any("cannot write" in e and "disk full" in e and out in e for e in errors),
                      f"{tag}: the message names the file ({errors})")
        checks.expect(os.listdir(tiny) == [], f"{tag}: nothing left behind ({os.listdir(tiny)})")
        whole = re.compile(r"^kseg: error( on rank \d+)?: (?!.*kseg:)")
        checks.expect(all(whole.match(e) for e in errors), f"{tag}: each rank's line whole, not interleaved ({errors})")
    finally:
        subprocess.run(["umount", tiny])


def library_loops(kseg, checks, data, ranks):
    out = kseg.path(f"kept-{ranks}.h5")
    kseg.run("run", "--input", data, "--out", out, "--k", 5, "--quiet", "--force")
    before = digest(out)
    os.environ["KSEG_HDF5_STALL_SECONDS"] = str(STALL_SECONDS)  # mpiexec passes the environment on
    started = time.monotonic()
    done = kseg.run("run", "--input", LOOPING_HEAP, "--out", out, "--k", 3, "--force", "--quiet", ranks=ranks,
                    check=False)
    del os.environ["KSEG_HDF5_STALL_SECONDS"]
    tag = f"libhdf5 loops ({ranks} rank(s))"
    errors = [line for line in done.stderr.splitlines() if line.startswith("kseg: error")]
    checks.expect(done.returncode == EXIT_INPUT and time.monotonic() - started < 10 * STALL_SECONDS,
                  f"{tag}: the job ends with exit {EXIT_INPUT} within seconds: {done.returncode}")
    checks.expect(errors and all(LOOPING_HEAP in e and "no progress" in e for e in errors),
                  f"{tag}: the line names the file and the stall ({errors})")
    checks.expect(digest(out) == before, f"{tag}: the earlier result is untouched")


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    data = kseg.generate("customers.h5", customers=300000, features=16, segments=40, separation=1.5)
    killed_rank(kseg, checks, data)
    for ranks in (1, 2):
        disk_full(kseg, checks, data, ranks)
        library_loops(kseg, checks, data, ranks)
    checks.finish()


if __name__ == "__main__":
    main()
