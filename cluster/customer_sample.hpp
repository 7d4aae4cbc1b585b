#pragma once

#include <cstdint>
#include <vector>

#include "kernels/backend.hpp"

namespace kseg {

/// A copy of some of a rank's customers: their rows, ids, and where each sat in the shard.
struct CustomerSample {
  int d = 0;
  std::vector<float> x;          ///< ids.size() × d
  std::vector<int64_t> ids;
  std::vector<int64_t> origin;   ///< each one's row in the shard it was drawn from

  ShardView view() const { return {x.data(), static_cast<int64_t>(ids.size()), d}; }
};

/// Each customer of the shard with probability `share`, by a Philox draw keyed by (seed, customer
/// id, stream, counter): the same customers for any number of ranks and any order of rows.
CustomerSample draw_customer_sample(const ShardView& shard, const int64_t* ids, uint64_t seed, uint32_t stream,
                                    uint32_t counter, double share);

}  // namespace kseg
