#include "pipeline/thread_choice.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>

namespace kseg {

void choose_threads_per_rank(int requested, const Communicator& comm) {
  if (requested > 0) {
    omp_set_num_threads(requested);
    return;
  }
  const long node_cores = sysconf(_SC_NPROCESSORS_ONLN);
  const int fair_share = std::max(1, static_cast<int>(node_cores / comm.node_local_size()));
  if (omp_get_max_threads() > fair_share) omp_set_num_threads(fair_share);
}

}  // namespace kseg
