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

  /// The bounding box's squared diagonal: no customer is farther than this from a centroid.
  double box_diagonal_sq() const {
    double sq = 0;
    for (int j = 0; j < d; ++j) sq += (max[j] - min[j]) * (max[j] - min[j]);
    return sq;
  }
};

/// One pass over every rank's shard plus a few allreduces. Sums are exact (GridSum), so the
/// summary is bit-identical for any number of ranks.
DataSummary summarize(const ShardView& shard, const int64_t* ids, const Communicator& comm,
                      const std::string& during = "summarizing the features");

/// Distances are float32 on every backend: data whose bounding box has a squared diagonal past
/// FLT_MAX would give infinite distances, so it is refused (InputError), naming its widest column.
void refuse_unless_float_distances(const DataSummary& s);

}  // namespace kseg
