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
#include <vector>

#include "common/hd.hpp"
#include "kernels/detail/distance_bounds.hpp"

namespace kseg::detail {

/// Centroids per group: one AVX-512 block of the CPU's tile search.
inline constexpr int kCentroidsPerGroup = 8;

KSEG_HD inline int group_count(int k) { return (k + kCentroidsPerGroup - 1) / kCentroidsPerGroup; }

/// Each group's largest moves summed over the bounded passes since a full pass, rounded up: a
/// point's group bounds are brought up to date only when it needs them, by the difference of two
/// rows. Row p holds the sums as of pass p (row 0: the full pass).
class GroupDrift {
 public:
  void reset(int groups) {
    groups_ = groups;
    sums_.assign(groups, 0.0);
  }
  /// Before a bounded pass: `group_moved` (group_count(k)) is how far each group moved since the last.
  void advance(const double* group_moved) {
    const std::size_t last = sums_.size() - groups_;
    for (int g = 0; g < groups_; ++g) sums_.push_back((sums_[last + g] + group_moved[g]) * (1.0 + 0x1p-50));
  }
  int32_t pass() const { return static_cast<int32_t>(sums_.size() / groups_ - 1); }
  const std::vector<double>& table() const { return sums_; }

 private:
  int groups_ = 0;
  std::vector<double> sums_;  // (passes + 1) × groups
};

/// A point's stamp before its first group bounds: the pass after a full pass searches every group.
inline constexpr int32_t kNoGroupBounds = -1;

/// A group bound set as of one row of GroupDrift moved to another: down by the group's summed moves
/// between them (the difference of two sums rounds too: widened).
KSEG_HD inline float drifted_group_lower(float lower, double drift_now, double drift_then) {
  return moved_lower(lower, (drift_now - drift_then) * (1.0 + 0x1p-50));
}

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
