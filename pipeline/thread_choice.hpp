#pragma once

#include "common/communicator.hpp"

namespace kseg {

/// Sets the OpenMP threads of this rank: `requested` when it is positive (--threads); else
/// OpenMP's default, but no more than the node's cores shared among the ranks on it. Ranks that
/// oversubscribe a node (4 ranks of 2 threads on 2 cores) spend their time in idle threads
/// spinning for cores that a rank with work needs: a run with the trials' many small collectives
/// took 6.1 s instead of 0.66 (README, Quick start). Collective.
void choose_threads_per_rank(int requested, const Communicator& comm);

}  // namespace kseg
