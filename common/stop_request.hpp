#pragma once

#include <string>

#include "common/communicator.hpp"

namespace kseg {

/// Installs handlers so that SIGUSR1 (Slurm's warning before a time limit, forwarded by srun and
/// mpirun) and SIGTERM (preemption, scancel) ask the job to stop at its next stop point instead of
/// dying mid-write. Jobs that check for the request install them; the others keep the default.
void install_stop_handlers();

/// True once this process received one of those signals.
bool stop_requested();

/// A stop point outside Lloyd's iterations (collective: every rank decides alike). When any rank
/// was asked to stop, throws Interrupted on every rank: the job ends with exit 75, says it stopped
/// while `during`, and, since there is nothing worth keeping yet, asks for a rerun.
void stop_if_requested(const Communicator& comm, const std::string& during);

}  // namespace kseg
