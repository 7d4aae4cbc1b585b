#pragma once

namespace kseg {

/// Installs handlers so that SIGUSR1 (Slurm's warning before a time limit, forwarded by srun and
/// mpirun) and SIGTERM (preemption, scancel) ask the job to checkpoint and stop after the current
/// iteration instead of dying mid-write.
void install_stop_handlers();

/// True once this process received one of those signals.
bool stop_requested();

}  // namespace kseg
