#pragma once

#include <cstdint>
#include <vector>

#include "common/communicator.hpp"
#include "kernels/backend.hpp"

namespace kseg {

/// Global facts about the whole feature matrix, identical on every rank.
struct DataSummary {
  int64_t total_points = 0;
  int d = 0;
  std::vector<double> min, max, mean, variance;  ///< per feature
  double mean_variance = 0;                      ///< scale for the convergence test
  Quantization quantization;                     ///< grids for exact sums
  uint64_t checksum = 0;                         ///< order- and partition-independent content hash
};

/// One pass over every rank's shard plus a few allreduces. Sums are exact (fixed point), so the
/// summary is bit-identical for any number of ranks.
DataSummary summarize(const ShardView& shard, const int64_t* ids, const Communicator& comm);

}  // namespace kseg
