#pragma once

#include <cstdint>
#include <vector>

#include "cluster/fit_context.hpp"

namespace kseg {

/// Every customer of the shard in its nearest centroid's segment.
struct Assignment {
  std::vector<int32_t> row;            ///< per customer: the nearest centroid's row (ties: the smaller row)
  std::vector<float> squared_distance;  ///< per customer: to that centroid, as the fused kernel computes it
  std::vector<float> runner_up_squared_distance;  ///< per customer: to the second-nearest centroid (INFINITY with one)
  std::vector<int64_t> sizes;          ///< per centroid row: customers over all ranks

  /// Per customer: the Euclidean distance (float square root of squared_distance).
  std::vector<float> distances() const;
  /// Per customer: ids[row], the stable id of the segment.
  std::vector<int32_t> segment_ids(const std::vector<int32_t>& ids) const;
};

/// Collective: the one assignment pass of the fused kernel with fixed centroids (k × d, model
/// units), shared by a run's final assignment, `kseg assign` and the model-selection metrics,
/// so that a saved model scores a customer exactly as the run that fitted it did.
Assignment predict(const FitContext& ctx, const std::vector<float>& centroids, int k);

}  // namespace kseg
