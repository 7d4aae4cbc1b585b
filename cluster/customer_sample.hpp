#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cluster/fit_context.hpp"
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

/// A sample of about `size` customers loaded on the CPU backend (bit-identical to CUDA's), so that
/// what runs on it is the same for any number of ranks and either device.
struct SampleOnCpu {
  CustomerSample customers;
  std::unique_ptr<ShardOnDevice> device;

  FitContext context() const { return device->context(); }
};

/// About `size` customers of all ranks (the caller decides when a sample pays), drawn as
/// draw_customer_sample does; none where it holds fewer than `at_least`: work on all of them.
/// Collective; a stop request while it is summarized says the job stopped while `during`.
std::unique_ptr<SampleOnCpu> sample_on_cpu(const FitContext& ctx, int64_t size, int64_t at_least, uint64_t seed,
                                           uint32_t stream, uint32_t counter, const std::string& during);

}  // namespace kseg
