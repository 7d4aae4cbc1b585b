#pragma once

#include <cstdint>
#include <vector>

#include "kernels/detail/distance_bounds.hpp"
#include "kernels/detail/group_bounds.hpp"

namespace kseg {

/// How far each centroid moved between two bounded passes and how far apart the new ones stand:
/// all a point's bounds need to follow them (kernels/detail/distance_bounds.hpp). Computed once
/// per iteration, in double, rounded outwards, the same on every rank.
struct CentroidMotion {
  std::vector<double> moved;     ///< k: ≥ the distance centroid s moved
  std::vector<double> half_gap;  ///< k: ≤ half the distance from centroid s to its nearest other
  std::vector<double> group_moved;  ///< per group of detail::kCentroidsPerGroup: its largest move
  int farthest_mover = 0;
  double most_moved = 0;
  double second_most_moved = 0;

  detail::CentroidMotionView view() const {
    return {moved.data(), half_gap.data(), group_moved.data(), farthest_mover, most_moved, second_most_moved};
  }
};

/// The motion from `before` to `after` (k × d each).
CentroidMotion measure_motion(const std::vector<float>& before, const std::vector<float>& after, int k, int d);

/// The rows in which `before` and `after` (k × d each) differ in some value, ascending: what
/// Backend::reassign_changed takes (a row whose values are equal gives the same distances).
std::vector<int32_t> changed_centroids(const std::vector<float>& before, const std::vector<float>& after, int k, int d);

}  // namespace kseg
