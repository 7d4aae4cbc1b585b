#pragma once

#include <omp.h>

#include <algorithm>
#include <cmath>

namespace kseg {

template <typename KeyOf>
std::vector<PointRecord> global_smallest(const Communicator& comm, const ShardView& shard, const int64_t* ids,
                                         std::size_t count, KeyOf key_of,
                                         const std::unordered_set<int64_t>& excluded) {
  struct Candidate {
    double key;
    int64_t id;
    int64_t row;
  };
  auto less = [](const Candidate& a, const Candidate& b) { return a.key < b.key || (a.key == b.key && a.id < b.id); };
  // Each thread keeps its `count` smallest in a max-heap; (key, id) orders them all, so the union's
  // smallest are the same for any thread count.
  std::vector<std::vector<Candidate>> per_thread(static_cast<std::size_t>(omp_get_max_threads()));
#pragma omp parallel
  {
    std::vector<Candidate>& heap = per_thread[static_cast<std::size_t>(omp_get_thread_num())];
#pragma omp for schedule(static)
    for (int64_t i = 0; i < shard.n; ++i) {
      if (count == 0 || (!excluded.empty() && excluded.count(ids[i]))) continue;
      const double key = key_of(i);
      if (!std::isfinite(key)) continue;
      const Candidate candidate{key, ids[i], i};
      if (heap.size() < count) {
        heap.push_back(candidate);
        std::push_heap(heap.begin(), heap.end(), less);
      } else if (less(candidate, heap.front())) {
        std::pop_heap(heap.begin(), heap.end(), less);
        heap.back() = candidate;
        std::push_heap(heap.begin(), heap.end(), less);
      }
    }
  }
  std::vector<Candidate> local;
  for (const std::vector<Candidate>& heap : per_thread) local.insert(local.end(), heap.begin(), heap.end());
  const std::size_t keep = std::min(count, local.size());
  std::partial_sort(local.begin(), local.begin() + keep, local.end(), less);

  std::vector<PointRecord> mine;
  for (std::size_t i = 0; i < keep; ++i) mine.push_back(make_record(shard, ids, local[i].row, local[i].key));
  std::vector<PointRecord> all = all_gather_points(comm, mine, shard.d);
  std::sort(all.begin(), all.end(), key_then_id_less);
  if (all.size() > count) all.resize(count);
  return all;
}

}  // namespace kseg
