#pragma once

// Work split over the threads of an OpenMP team in contiguous runs, and folds whose per-thread
// parts are merged exactly, so that any thread count gives the same bits.

#include <omp.h>

#include <cstdint>
#include <utility>

namespace kseg {

/// Inside a parallel region: this thread's run [begin, end) of n items; the team's runs are
/// contiguous, in thread order, and cover [0, n).
inline std::pair<int64_t, int64_t> run_of_thread(int64_t n) {
  const int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
  return {n * thread / threads, n * (thread + 1) / threads};
}

/// Folds items [0, n) on every thread: each thread adds its run into its own copy of `empty`
/// (add(part, i)), then the parts are merged into the total one at a time, in no fixed order
/// (merge(total, part)). `merge` must be exact (integer or exact sums, min, max, and) for the
/// result not to depend on the thread count. A part starts from `empty`, never from the total
/// other threads may be merging into.
template <typename Part, typename Add, typename Merge>
Part fold_over_threads(int64_t n, const Part& empty, Add add, Merge merge) {
  Part total = empty;
#pragma omp parallel
  {
    Part part = empty;
    const auto [begin, end] = run_of_thread(n);
    for (int64_t i = begin; i < end; ++i) add(part, i);
#pragma omp critical(kseg_fold_over_threads)
    merge(total, part);
  }
  return total;
}

}  // namespace kseg
