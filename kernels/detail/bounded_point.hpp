#pragma once

// A bounded pass one point at a time, as the CUDA backend runs it (a thread per point): the
// Hamerly test of distance_bounds.hpp, then the point's own distance, then, with group bounds
// (group_bounds.hpp), one test per group and a search of the groups left open. The CPU backend
// applies the same rules to tiles of points in SIMD (fused_assign_cpu.cpp, grouped_pass_cpu.cpp);
// tests/unit/test_bounded_point.cpp runs these functions on the host against full passes.

#include <cmath>
#include <cstdint>

#include "common/hd.hpp"
#include "kernels/detail/distance_bounds.hpp"
#include "kernels/detail/group_bounds.hpp"
#include "kernels/distance.hpp"

namespace kseg::detail {

/// Every point's state between bounded passes, an array each (device memory on CUDA).
struct PointStates {
  int32_t* label;
  float* upper;        ///< ≥ the true distance to its centroid
  float* lower;        ///< ≤ the true distance to every other centroid
  float* group_lower;  ///< `groups` per point: ≤ the true distance to each member of the group but its centroid
  int32_t* stamp;      ///< the GroupDrift row its group bounds are as of, or kNoGroupBounds
  int groups;          ///< 0: Hamerly bounds alone (group_lower and stamp unused)
};

/// A GroupDrift's table as a pass reads it: `now` is the row of this pass.
struct GroupDriftView {
  const double* table;
  int32_t pass;
};

/// The nearest of centroids [first, end) to a row, in canonical order (ties: the smaller
/// index), and the second smallest distance.
KSEG_HD inline GroupNearest nearest_in_range(const float* row, const float* centroids, int first, int end, int d) {
  GroupNearest found{INFINITY, first, INFINITY};
  for (int c = first; c < end; ++c) {
    const float distance = squared_distance(row, centroids + static_cast<int64_t>(c) * d, d);
    if (distance < found.best) found.second = found.best, found.best = distance, found.index = c;
    else if (distance < found.second) found.second = distance;
  }
  return found;
}

/// A full search of point i (the nearest of all k and the second): its segment and Hamerly
/// bounds; its group bounds, none yet, are set by its first search in a bounded pass.
KSEG_HD inline void start_point(const PointStates& p, int64_t i, const GroupNearest& all, int d) {
  p.label[i] = all.index;
  bounds_from_search(all.best, all.second, d, p.upper[i], p.lower[i]);
  if (p.groups > 0) p.stamp[i] = kNoGroupBounds;
}

/// What a bounded pass did with one point.
struct FollowedPoint {
  int32_t from, to;  ///< its segment before and after
  int32_t searched;  ///< the centroids its search computed the distance to (0: its bounds proved its segment)
};

/// The point's search when its own distance `own` leaves its Hamerly bounds (`upper`, `lower`
/// as moved in this pass, `others` with the gap between centroids) unproven: every group whose
/// bound, brought up to date, does not prove its centroid nearer than all the group's members.
KSEG_HD inline FollowedPoint search_groups(const float* row, const float* centroids, int k, int d, int64_t i,
                                           float own, float upper, float lower, float others,
                                           const GroupDriftView& drift, const PointStates& p) {
  const int32_t label = p.label[i];
  float* group_lower = p.group_lower + i * p.groups;
  const int32_t stamp = p.stamp[i];
  p.stamp[i] = drift.pass;
  const double* now = drift.table + static_cast<int64_t>(drift.pass) * p.groups;
  const double* then = stamp == kNoGroupBounds ? now : drift.table + static_cast<int64_t>(stamp) * p.groups;
  const double proving = proving_square(upper, d);
  PointSearch search = PointSearch::from_own(own, label);
  int32_t searched = 0;
  float least = INFINITY;
  for (int g = 0; g < p.groups; ++g) {
    if (stamp != kNoGroupBounds) {
      group_lower[g] = drifted_group_lower(group_lower[g], now[g], then[g]);
      const double bound = group_lower[g] > others ? group_lower[g] : others;
      if (bound * bound > proving) {
        least = fminf(least, group_lower[g]);
        continue;
      }
    }
    const int first = g * kCentroidsPerGroup, end = first + kCentroidsPerGroup < k ? first + kCentroidsPerGroup : k;
    const GroupNearest found = nearest_in_range(row, centroids, first, end, d);
    group_lower[g] = lower_from_squared(found.best, d);
    search.merge(g, found);
    searched += end - first;
  }
  if (searched == 0) {  // settled by its groups' bounds
    p.upper[i] = upper;
    p.lower[i] = least > lower ? least : lower;
    return {label, label, 0};
  }
  search.settle(d, group_lower);
  least = INFINITY;
  for (int g = 0; g < p.groups; ++g) least = fminf(least, group_lower[g]);
  p.label[i] = search.index;
  p.upper[i] = upper_from_squared(search.best, d);
  p.lower[i] = least;
  return {label, search.index, searched};
}

/// Point i in a bounded pass: its bounds follow the centroids' motion, and it is searched (all
/// k, or the groups its group bounds leave open) only where they do not prove its segment.
KSEG_HD inline FollowedPoint follow_point(const float* row, const float* centroids, int k, int d, int64_t i,
                                          const CentroidMotionView& motion, const GroupDriftView& drift,
                                          const PointStates& p) {
  const int32_t label = p.label[i];
  float upper = p.upper[i], lower = p.lower[i];
  if (!proves_label(upper, move_bounds(upper, lower, label, motion), d)) {
    const float own = squared_distance(row, centroids + static_cast<int64_t>(label) * d, d);
    upper = upper_from_squared(own, d);
    const float others = gap_lower(upper, lower, label, motion);
    if (!proves_label(upper, others, d)) {
      if (p.groups > 0) return search_groups(row, centroids, k, d, i, own, upper, lower, others, drift, p);
      const GroupNearest all = nearest_in_range(row, centroids, 0, k, d);
      start_point(p, i, all, d);
      return {label, all.index, k};
    }
  }
  p.upper[i] = upper;
  p.lower[i] = lower;
  return {label, label, 0};
}

}  // namespace kseg::detail
