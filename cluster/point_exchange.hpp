#pragma once

#include <cstdint>
#include <unordered_set>
#include <vector>

#include "common/communicator.hpp"
#include "kernels/backend.hpp"

namespace kseg {

/// A customer's features with a sort key, as exchanged between ranks when choosing centroids.
struct PointRecord {
  double key = 0;
  int64_t id = 0;
  std::vector<float> x;
};

/// Orders by key, then by the smaller customer id: the canonical tie-break.
bool key_then_id_less(const PointRecord& a, const PointRecord& b);

PointRecord make_record(const ShardView& shard, const int64_t* ids, int64_t row, double key);

/// Every rank's records, on every rank (order unspecified: callers sort).
std::vector<PointRecord> all_gather_points(const Communicator& comm, const std::vector<PointRecord>& local, int d);

/// The `count` records with the smallest (key, id) over all ranks, sorted; rows whose id is in
/// `excluded` or whose key is not finite are skipped. key_of(row) gives a local row's key.
template <typename KeyOf>
std::vector<PointRecord> global_smallest(const Communicator& comm, const ShardView& shard, const int64_t* ids,
                                         std::size_t count, KeyOf key_of,
                                         const std::unordered_set<int64_t>& excluded = {});

/// Flattens records into a k × d centroid array.
std::vector<float> coordinates(const std::vector<PointRecord>& records, int d);

}  // namespace kseg

#include "cluster/point_exchange_impl.hpp"
