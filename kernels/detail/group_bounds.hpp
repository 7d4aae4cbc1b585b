#pragma once

// The per-point rules of the grouped (Yinyang, Ding et al. 2015) bounded pass. Centroids are cut
// into groups of kCentroidsPerGroup consecutive indices; a point keeps the upper bound of the
// Hamerly pass (distance_bounds.hpp) and, instead of one lower bound for every other centroid,
// one per group: ≤ the true distance to each centroid of the group but its own. A group whose
// bound proves the point's own centroid strictly nearer than every member is not searched; a
// point is searched only in the groups its bounds leave open, so at many segments a point near
// one boundary costs a few groups' distances, not all K. The margins are those of the Hamerly
// pass, so the labels stay those of a full pass, bit for bit.

#include <cstdint>

#include "common/hd.hpp"
#include "kernels/detail/distance_bounds.hpp"

namespace kseg::detail {

/// Centroids per group: one AVX-512 block of the CPU's tile search.
inline constexpr int kCentroidsPerGroup = 8;

KSEG_HD inline int group_count(int k) { return (k + kCentroidsPerGroup - 1) / kCentroidsPerGroup; }

/// The nearest of a group's centroids to a point as a search saw it: the smallest canonical
/// squared distance and its centroid (ties: the smaller index), and the second smallest.
struct GroupNearest {
  float best;
  int32_t index;
  float second;
};

/// The canonical order of candidates: nearer, or as near with the smaller index.
KSEG_HD inline bool precedes(float sq, int32_t index, float other_sq, int32_t other_index) {
  return sq < other_sq || (sq == other_sq && index < other_index);
}

/// What a point's search has found so far, over its own centroid and the groups searched.
struct PointSearch {
  float best;               ///< canonical squared distance to the nearest so far
  int32_t index;            ///< its centroid
  float best_group_second;  ///< the second smallest distance in that centroid's group, once searched
  bool best_group_searched;
  bool own_group_searched;  ///< the group of the centroid the point had before the pass
  float own;                ///< the distance to that centroid
  int32_t label;            ///< that centroid

  KSEG_HD static PointSearch from_own(float own, int32_t label) { return {own, label, 0.0f, false, false, own, label}; }

  /// Takes in the search of group `group`.
  KSEG_HD void merge(int group, const GroupNearest& g) {
    if (group == label / kCentroidsPerGroup) own_group_searched = true;
    if (g.index == index) {  // the nearest so far leads its group: that group's bound needs the second
      best_group_second = g.second;
      best_group_searched = true;
    } else if (precedes(g.best, g.index, best, index)) {
      best = g.best;
      index = g.index;
      best_group_second = g.second;
      best_group_searched = true;
    }
  }

  /// The point's group bounds once every open group was merged, given that each searched group's
  /// bound already holds lower_from_squared() of its nearest member: the new centroid's group
  /// bounds its other members, and the group of a centroid the point left, unsearched, must now
  /// bound that centroid too.
  KSEG_HD void settle(int d, float* lower) const {
    if (best_group_searched) lower[index / kCentroidsPerGroup] = lower_from_squared(best_group_second, d);
    if (index != label && !own_group_searched) {
      float& left = lower[label / kCentroidsPerGroup];
      const float to_left = lower_from_squared(own, d);
      if (to_left < left) left = to_left;
    }
  }
};

}  // namespace kseg::detail
