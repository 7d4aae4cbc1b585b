#pragma once

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
  std::vector<Candidate> local;
  for (int64_t i = 0; i < shard.n; ++i) {
    if (excluded.count(ids[i])) continue;
    const double key = key_of(i);
    if (std::isfinite(key)) local.push_back({key, ids[i], i});
  }
  auto less = [](const Candidate& a, const Candidate& b) { return a.key < b.key || (a.key == b.key && a.id < b.id); };
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
