"""Mutation fuzzing of kseg's HDF5 readers through the real binary: valid feature, transaction and
result files that kseg wrote get bytes flipped, runs of bytes set to 0xFF (huge sizes in the
metadata), or are cut short; `kseg run` (and `kseg assign` on a result) must then end within a
timeout with exit 0, 2 (bad input) or 3 (I/O) and at most one error line: never a crash, a hang
or an internal error.

What it found: kseg's own code survives every mutation; libhdf5 1.10 (Debian 12) itself still
segfaults on some corrupt files, in its global-heap read of variable-length strings (H5HG_read
copying a length taken from the corrupt heap). Those crashes are told apart by the backtrace Open
MPI prints (the first frame past libc is in libhdf5), listed and counted, and fail the run only if
they pass a quarter of the cases; any crash whose first frame is elsewhere fails it at once. On
other corrupt heaps libhdf5 loops forever in the same read; kseg's stall watchdog ends such a run
with exit 2 and one line (KSEG_HDF5_STALL_SECONDS, set short here). Files that once found a defect
are kept in hdf5_corpus/ (features-*.h5: run as a feature matrix) and run first, every time.

Corrupt metadata can make libhdf5 ask for any amount of memory. The process runs under an
address-space limit (RLIMIT_AS), so such an allocation fails inside the library, which reports
an error that kseg turns into exit 2 or 3, instead of the machine swapping or the OOM killer
striking. The cases are a fixed count drawn from a fixed seed, so a run in CI tries what a run here tried;
explore with other seeds. Usage: fuzz_hdf5_inputs.py --kseg K --mpiexec M [--cases C] [--seed N]"""
import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile

ADDRESS_SPACE = 6 << 30  # bytes: far above a run on these inputs, far below the machine
LIBHDF5_CRASH_SHARE = 0.25
TIMEOUT_S = 30
STALL_SECONDS = 5  # the watchdog's limit for these runs: far below TIMEOUT_S
CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hdf5_corpus")
ACCEPTED = {0: "done", 2: "bad input", 3: "I/O error"}


def bounded():
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def kseg(binary, *arguments, bound=False):
    return subprocess.run([binary] + [str(a) for a in arguments], capture_output=True, timeout=TIMEOUT_S,
                          preexec_fn=bounded if bound else None,
                          env=dict(os.environ, KSEG_HDF5_STALL_SECONDS=str(STALL_SECONDS)))


def seeds(binary, work):
    features, retailer, result = (os.path.join(work, name) for name in ("features.h5", "retailer.h5", "result.h5"))
    for arguments in (["generate", "--customers", 300, "--features", 3, "--segments", 3, "--out", features],
                      ["generate", "--transactions", "--customers", 80, "--out", retailer],
                      ["run", "--input", features, "--k", 3, "--out", result]):
        done = kseg(binary, *arguments, "--quiet")
        if done.returncode != 0:
            sys.exit(f"cannot make the seed files: {done.stderr.decode(errors='replace')}")
    run_features = lambda path, out: ["run", "--input", path, "--k", 3, "--out", out, "--quiet", "--force"]
    run_retailer = lambda path, out: ["run", "--input", path, "--as-of", "2024-12-31", "--k", 3, "--out", out,
                                      "--quiet", "--force"]
    assign = lambda path, out: ["assign", "--model", path, "--input", features, "--out", out, "--quiet", "--force"]
    return [(features, run_features), (retailer, run_retailer), (result, assign)]


def crashed_in_libhdf5(stderr):
    """Whether Open MPI's backtrace of a crash starts (past the signal frame and libc) in libhdf5."""
    frames = [line.split("] ", 2)[-1] for line in stderr.splitlines() if "] [" in line and "]" in line.split("] [", 1)[1]]
    for frame in frames[1:]:
        if "libc.so" not in frame:
            return "libhdf5" in frame
    return False


def mutate(data, rng):
    data = bytearray(data)
    kind = rng.choice(["flip", "flip-metadata", "ones", "truncate"])
    if kind == "truncate":
        return bytes(data[:rng.randrange(1, len(data))]), kind
    for _ in range(rng.randint(1, 12)):
        span = 4096 if kind == "flip-metadata" else len(data)
        at = rng.randrange(min(span, len(data)))
        if kind == "ones":
            data[at:at + 8] = b"\xff" * len(data[at:at + 8])
        else:
            data[at] ^= 1 << rng.randrange(8)
    return bytes(data), kind


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kseg", required=True)
    parser.add_argument("--mpiexec", required=True)  # the e2e tests' interface; one process suffices here
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="kseg-fuzz-h5-")
    rng = random.Random(args.seed)
    cases = seeds(os.path.abspath(args.kseg), work)
    originals = [(open(path, "rb").read(), command) for path, command in cases]
    run_features = cases[0][1]
    corpus = [(os.path.join(CORPUS, name), run_features) for name in sorted(os.listdir(CORPUS))]
    failures, library_crashes, tried, outcomes = [], [], 0, {}
    while corpus or tried < args.cases:
        if corpus:
            kept, command = corpus.pop(0)
            data, kind = open(kept, "rb").read(), "corpus " + os.path.basename(kept)
        else:
            original, command = rng.choice(originals)
            data, kind = mutate(original, rng)
        path = os.path.join(work, f"case-{tried}.h5")
        with open(path, "wb") as out:
            out.write(data)
        try:
            done = kseg(args.kseg, *command(path, os.path.join(work, "out.h5")), bound=True)
            stderr = done.stderr.decode(errors="replace")
            code, errors = done.returncode, [line for line in stderr.splitlines() if line.startswith("kseg:")]
            ok = code in ACCEPTED and (code == 0 or len(errors) == 1)
        except subprocess.TimeoutExpired:
            code, errors, ok, stderr = "timeout", [], False, ""
        outcomes[code] = outcomes.get(code, 0) + 1
        tried += 1
        if ok:
            os.remove(path)
        elif code in (-11, 128 + 11) and crashed_in_libhdf5(stderr):
            library_crashes.append(f"{path} ({kind})")
        else:
            failures.append(f"{path} ({kind}): exit {code} {errors}")
    print(f"{tried} mutated files, outcomes {outcomes}")
    for crash in library_crashes:
        print("libhdf5 crashed inside its own code on", crash)
    for failure in failures[:20]:
        print("FAIL", failure)
    if failures:
        sys.exit(f"{len(failures)} of {tried} mutated files crashed in kseg, hung or gave an internal error (kept in {work})")
    if len(library_crashes) > LIBHDF5_CRASH_SHARE * tried:
        sys.exit(f"{len(library_crashes)} of {tried} mutated files crashed libhdf5: more than a known defect explains")
    shutil.rmtree(work)
    print("all mutated files ended with exit 0, 2 or 3 and at most one error line")


if __name__ == "__main__":
    main()
