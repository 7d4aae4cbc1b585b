// Run under mpiexec with 1, 2 and 4 ranks: without --threads, the ranks on a node together run no
// more OpenMP threads than it has cores; --threads wins.
#include <gtest/gtest.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>

#include "pipeline/thread_choice.hpp"

namespace kseg {
namespace {

TEST(ThreadChoice, SharesTheNodesCoresAmongItsRanksUnlessThreadsAreGiven) {
  const Communicator world(MPI_COMM_WORLD);
  const int before = omp_get_max_threads();
  const int ranks_here = world.node_local_size();
  const int cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  EXPECT_GE(ranks_here, 1);
  EXPECT_LE(ranks_here, world.size());

  omp_set_num_threads(4 * cores);  // as OMP_NUM_THREADS too high for the node would
  choose_threads_per_rank(0, world);
  EXPECT_EQ(omp_get_max_threads(), std::max(1, cores / ranks_here));

  omp_set_num_threads(1);
  choose_threads_per_rank(0, world);
  EXPECT_EQ(omp_get_max_threads(), 1) << "fewer threads than the share are left alone";

  choose_threads_per_rank(3 * cores, world);
  EXPECT_EQ(omp_get_max_threads(), 3 * cores) << "--threads is obeyed";
  omp_set_num_threads(before);
}

}  // namespace
}  // namespace kseg
