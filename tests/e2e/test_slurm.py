"""The real batch script on a real (one-node, localhost) Slurm cluster: slurm/kseg-quarterly.sbatch
with 2 tasks (CPU device) produces the same result as mpiexec; signalled before its time limit
(USR1 to the batch script, as --signal=B:USR1@300 does) it checkpoints, requeues itself, resumes
and still produces a bit-identical result. Every daemon started is stopped, by pid, even on
failure."""
import os
import re
import subprocess
import tempfile
import time

import h5py

from kseg_e2e import Checks, Kseg, parse_args

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER = os.path.join(REPO, "slurm", "local-cluster.sh")
SBATCH = os.path.join(REPO, "slurm", "kseg-quarterly.sbatch")
REQUEUE_SETTLE_S = 3
FIT = ["--k", 40, "--tol", 0, "--max-iter", 40, "--init", "random", "--n-init", 2]


def slurm(*command):
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, check=True, timeout=60).stdout


def job_field(job, field):
    match = re.search(rf"\b{field}=(\S+)", slurm("scontrol", "show", "job", job))
    return match.group(1) if match else ""


def node_idle():
    return slurm("sinfo", "-h", "-o", "%T").split() == ["idle"]


def wait_for(job, states, timeout=180):
    deadline = time.monotonic() + timeout
    waiting_since = None
    while time.monotonic() < deadline:
        state = job_field(job, "JobState")
        if state in states:
            return state
        if state == "PENDING" and job_field(job, "Reason") == "BeginTime" and node_idle():
            # Requeued jobs wait ~2 min otherwise (the credential lifetime). slurmd revokes the
            # first run's credential with a time in whole seconds and refuses a new one created in
            # that same second ("Job credential revoked"), so release the job only after the node
            # has been idle for a few seconds.
            waiting_since = waiting_since or time.monotonic()
            if time.monotonic() - waiting_since > REQUEUE_SETTLE_S:
                slurm("scontrol", "update", f"JobId={job}", "StartTime=now")
        time.sleep(0.3)
    return f"timeout ({job_field(job, 'JobState')})"


def submit(kseg, workdir, data, result, *options):
    env = f"ALL,KSEG={kseg.binary},KSEG_DEVICE=cpu"
    return slurm("sbatch", "--parsable", "--ntasks=2", "--ntasks-per-node=2", f"--chdir={workdir}", f"--export={env}",
                 SBATCH, data, result, *options).strip()


def same_result(a, b):
    with h5py.File(a, "r") as x, h5py.File(b, "r") as y:
        return all(x[n][:].tobytes() == y[n][:].tobytes()
                   for n in ["segments/customer_id", "segments/segment", "segments/distance", "model/centroids"])


def what_happened(workdir, job):
    """The job's output, errors and what slurmctld logged of it: enough to tell a failure apart."""
    def tail(path, lines=12):
        try:
            with open(path) as f:
                return "".join(f.readlines()[-lines:])
        except OSError as error:
            return str(error)
    controller = [line for line in tail(os.path.join(os.path.dirname(os.environ["SLURM_CONF"]), "log", "slurmctld.log"),
                                        400).splitlines(True) if f"JobId={job}" in line or f"job {job}" in line.lower()]
    return (f"its output:\n{tail(os.path.join(workdir, f'kseg-quarterly.{job}.out'))}\nits errors:\n"
            f"{tail(os.path.join(workdir, f'kseg-quarterly.{job}.err'))}\nslurmctld of it:\n{''.join(controller[-15:])}")


def run_jobs(kseg, checks, workdir):
    small = kseg.generate("small.h5", customers=20000, features=5, segments=4)
    direct = kseg.path("direct.h5")
    kseg.run("run", "--input", small, "--out", direct, "--k", 4, "--device", "cpu", "--quiet", ranks=2)
    job = submit(kseg, workdir, small, os.path.join(workdir, "quarterly.h5"), "--k", 4, "--quiet")
    checks.expect(wait_for(job, {"COMPLETED", "FAILED"}) == "COMPLETED", "sbatch job with 2 tasks completes")
    checks.expect(same_result(direct, os.path.join(workdir, "quarterly.h5")), "its result equals mpiexec's")

    data = kseg.generate("large.h5", customers=1_000_000, features=16, segments=40, separation=1.5)
    reference = kseg.path("reference.h5")
    kseg.run("run", "--input", data, "--out", reference, *FIT, "--quiet", ranks=2)
    result = os.path.join(workdir, "requeued.h5")
    job = submit(kseg, workdir, data, result, *FIT, "--checkpoint-every", 2, "--quiet")
    deadline = time.monotonic() + 120
    while not os.path.exists(result + ".ckpt") and time.monotonic() < deadline:
        time.sleep(0.02)
    slurm("scancel", "--signal=USR1", "--batch", job)
    state = wait_for(job, {"COMPLETED", "FAILED"})
    log = open(os.path.join(workdir, f"kseg-quarterly.{job}.out")).read()
    checks.expect(state == "COMPLETED", f"signalled job requeues and completes ({state}; {what_happened(workdir, job)})")
    checks.expect("checkpointed; requeueing" in log and "resuming from" in log, "it checkpointed and resumed")
    checks.expect(job_field(job, "Restarts") == "1", "exactly one requeue")
    checks.expect(os.path.exists(result) and same_result(reference, result),
                  "resumed result bit-identical to an uninterrupted run")


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    cluster = tempfile.mkdtemp(prefix="kseg-slurm-")
    os.chmod(cluster, 0o711)  # munged runs as user munge and must reach its socket below
    try:
        started = subprocess.run([CLUSTER, "start", cluster], capture_output=True, text=True, timeout=120)
        checks.expect(started.returncode == 0, f"local Slurm cluster up ({started.stderr.strip()[-200:]})")
        if started.returncode == 0:
            os.environ["SLURM_CONF"] = os.path.join(cluster, "slurm.conf")
            run_jobs(kseg, checks, kseg.workdir)
    finally:
        subprocess.run([CLUSTER, "stop", cluster], timeout=60)
    daemons = subprocess.run(["pgrep", "-f", cluster], capture_output=True, text=True).stdout.strip()
    checks.expect(daemons == "", "every daemon stopped")
    checks.finish()


if __name__ == "__main__":
    main()
