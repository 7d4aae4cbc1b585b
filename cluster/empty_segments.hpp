#pragma once

#include <cstdint>
#include <vector>

#include "cluster/init.hpp"

namespace kseg {

/// Segments that received no customer in the last pass. Each is moved onto one of the customers
/// farthest from the centroid they were assigned to (largest distance first, ties: smaller
/// customer id), so a centroid is never NaN and every segment is used again. `assigned_to` are
/// the centroids of that pass; `centroids` the updated ones, changed in place. Returns how many
/// segments were re-seeded.
int reseed_empty_segments(const FitContext& ctx, const std::vector<float>& assigned_to,
                          const std::vector<int64_t>& counts, std::vector<float>& centroids);

}  // namespace kseg
