#pragma once

// The per-point rules of the bounded (Hamerly) pass, shared by the CPU and CUDA backends. A point
// keeps an upper bound on the true distance to its centroid and a lower bound on the true
// distance to every other; when the bounds prove that its canonical squared_distance() to its
// own centroid is strictly below the one to every other, its label is the one a full pass would
// give, bit for bit, and no distance need be computed.
//
// Why the margins suffice: squared_distance() of float rows rounds each difference once and each
// fused multiply-add once, so it is within (d + 2)·2^-24 of the true squared distance, relative
// (all its terms are non-negative). squared_distance_margin() doubles that. Bounds are true Euclidean
// distances stored in float, rounded outwards after every update.

#include <cmath>

#include "common/hd.hpp"

namespace kseg::detail {

/// Relative error bound of squared_distance() over d features, with a factor 2 to spare.
KSEG_HD inline double squared_distance_margin(int d) { return 2.0 * (d + 2) * 0x1p-24; }

/// Terms below float's normal range round absolutely, not relatively (at most 2^-149 each): upper
/// bounds get this much on top, lower bounds lose 2^-140 of the square, and squared lower bounds
/// under kSmallestProvable prove nothing.
constexpr double kUnderflowSlack = 0x1p-60;
constexpr double kSmallestProvable = 0x1p-100;

/// A float ≥ value (value ≥ 0): rounding to the nearest float moves a value by at most 2^-24 of
/// it, so widening by 2^-22 first leaves the float above (one multiply, no libm call).
KSEG_HD inline float round_up(double value) { return static_cast<float>(value * (1.0 + 0x1p-22)); }

/// A float ≤ value, and ≥ 0; values in float's subnormal range (absolute rounding) become 0.
KSEG_HD inline float round_down(double value) {
  const float rounded = static_cast<float>(value * (1.0 - 0x1p-22));
  return value > 0x1p-120 ? rounded : 0.0f;
}

/// A float ≤ value, of either sign: negative values are widened away from 0 (and by 2^-100, so
/// that none rounds up to 0 from float's subnormal range).
KSEG_HD inline float round_toward_minus_infinity(double value) {
  return value > 0 ? round_down(value) : static_cast<float>(value * (1.0 + 0x1p-22) - 0x1p-100);
}

// The bounds below multiply by the reciprocal of 1 ∓ margin instead of dividing by it: a loop-
// invariant the compiler computes once, where each division was a double divide per bound (10M x 6,
// K = 8 on an AMD EPYC: a full pass that sets bounds 38.7-42.1 → 33.0-34.4 ms). Rounding the
// reciprocal, the product and the square root moves the result by at most 3·2^-53, relative,
// inside the 2^-50 it is widened by.

/// Upper bound on the true distance, from the canonical squared distance of the same pair.
KSEG_HD inline float upper_from_squared(float squared, int d) {
  return round_up(sqrt(static_cast<double>(squared) * (1.0 / (1.0 - squared_distance_margin(d)))) * (1.0 + 0x1p-50) +
                  kUnderflowSlack);
}

/// Lower bound on the true distance, from the canonical squared distance of the same pair.
KSEG_HD inline float lower_from_squared(float squared, int d) {
  const double above_underflow = static_cast<double>(squared) - 0x1p-140;
  if (!(above_underflow > 0)) return 0.0f;
  return round_down(sqrt(above_underflow * (1.0 / (1.0 + squared_distance_margin(d)))) * (1.0 - 0x1p-50));
}

/// Both bounds from a full search: the squared distance to the nearest centroid and to the second.
KSEG_HD inline void bounds_from_search(float nearest, float second, int d, float& upper, float& lower) {
  upper = upper_from_squared(nearest, d);
  lower = lower_from_squared(second, d);
}

/// True when every canonical squared distance to another centroid is strictly larger than the
/// one to the point's own: `upper` bounds the true distance to its own, `lower` to every other.
/// The own one must also stay below 2^127, where float squared distances have not overflowed (an
/// overflowed one ties with every other at infinity).
KSEG_HD inline bool proves_label(float upper, float lower, int d) {
  const double margin = squared_distance_margin(d);
  const double u = upper, l = lower;
  const double own = (1.0 + margin) * u * u * (1.0 + 0x1p-50);
  return (l * l > kSmallestProvable) & (own < 0x1p127) & (own < (1.0 - margin) * l * l);  // no branches: SIMD
}

/// What lower·lower must exceed, in double, for proves_label(upper, lower, d): testing one point
/// against many lower bounds (group_bounds.hpp) costs a multiply and a comparison each. Never
/// proves what proves_label would not (the division rounds up); infinite where nothing proves.
KSEG_HD inline double proving_square(float upper, int d) {
  const double margin = squared_distance_margin(d);
  const double u = upper;
  const double own = (1.0 + margin) * u * u * (1.0 + 0x1p-50);
  if (!(own < 0x1p127)) return INFINITY;
  const double needed = own * (1.0 / (1.0 - margin)) * (1.0 + 0x1p-50);
  return needed > kSmallestProvable ? needed : kSmallestProvable;
}

/// proves_label() with gap_lower() folded in, in float alone, for a CPU pass that tests every
/// point's bounds (16 SIMD lanes where double gives 8). It never proves what those would not:
/// each float operation rounds once, by at most 2^-24 of its result, and the factors below cover
/// that. `upper_then + upper_drift` is a true upper bound on the distance to the own centroid,
/// `lower_then − lower_drift` a true lower bound on the distance to every other, `two_half_gap`
/// ≤ twice CentroidMotionView::half_gap of the own centroid.
struct FloatProof {
  float ratio;  ///< what the widened upper bound, times this, must stay below

  explicit FloatProof(int d)
      : ratio(round_up((1.0 + 2.0 * squared_distance_margin(d)) * (1.0 + 0x1p-20))) {}

  /// The upper bound, widened so that it lies above the true sum despite the rounding of both
  /// operations: fl(fl(a + b)·(1 + 2^-21)) ≥ (a + b)(1 − 2^-24)²(1 + 2^-21) ≥ a + b.
  static float upper(float upper_then, float upper_drift) { return (upper_then + upper_drift) * (1.0f + 0x1p-21f); }

  /// A lower bound to store (as lower_from_squared: 0 in float's subnormal range).
  static float lower(float lower_then, float lower_drift) {
    const float lower = lower_then - lower_drift;
    return lower > 0x1p-120f ? lower * (1.0f - 0x1p-22f) : 0.0f;
  }

  /// The slack of a point's bounds as a pass set them (`upper` ≥ the distance to its own
  /// centroid, `lower` ≤ the distance to every other): ≤ min(lower, 2^60) − max(upper·ratio, 2^-50),
  /// maybe negative. A later pass proves the point's segment whenever its centroid's move since,
  /// times ratio, plus the most any other moved since, stays below it (slack_used()): then the own
  /// distance is below min(lower, 2^60)/ratio, the other ones above max(upper·ratio, 2^-50) and
  /// above the own one times ratio, as proves() demands. One number a point instead of two, and
  /// one table lookup instead of three, for the test every point takes each pass.
  float slack(float upper, float lower) const { return round_toward_minus_infinity(room(lower) - reach(upper)); }

  /// ≥ what moves of the own centroid by upper_drift and of the others by lower_drift take from a slack.
  float slack_used(float upper_drift, float lower_drift) const {
    return round_up(static_cast<double>(upper_drift) * ratio + lower_drift);  // the product is exact
  }

  /// A lower bound on the distance to every other centroid, as of the slack's pass: slack + reach ≤ lower.
  float lower_within(float slack, float upper) const { return round_down(static_cast<double>(slack) + reach(upper)); }

  /// `upper` from upper(); `lower` from lower(). Canonical squared distances lie within
  /// (1 ± squared_distance_margin(d)) of the true ones, so the own is strictly nearest once
  /// upper·sqrt((1 + m)/(1 − m)) < the true lower bound, and ratio·(1 − 2^-24) is above that
  /// square root with the rounding of the gap's subtraction and of the product to spare.
  bool proves(float upper, float lower, float two_half_gap) const {
    const float by_gap = two_half_gap - upper;
    const float other = by_gap > lower ? by_gap : lower;
    return (other > 0x1p-50f) & (upper < 0x1p60f) & (upper * ratio < other * (1.0f - 0x1p-22f));
  }

 private:
  double reach(float upper) const {
    const double scaled = static_cast<double>(upper) * ratio;  // exact: two floats' product
    return scaled > 0x1p-50 ? scaled : 0x1p-50;
  }
  static double room(float lower) { return lower < 0x1p60f ? static_cast<double>(lower) : 0x1p60; }
};

/// How the centroids moved since the bounds were last set, and how far apart they stand: what
/// every point's bounds are updated with (cluster/ computes it once per iteration).
struct CentroidMotionView {
  const double* moved;     ///< k: ≥ the true distance each centroid moved
  const double* half_gap;  ///< k: ≤ half the true distance to its nearest other centroid
  const double* group_moved;  ///< group_count(k) (group_bounds.hpp): the largest move in each group
  int farthest_mover;      ///< the centroid that moved most
  double most_moved;       ///< its move
  double second_most_moved;  ///< the largest move of any other centroid
};

/// An upper bound on the distance to a centroid, moved up by at least as far as it moved, rounded up.
KSEG_HD inline float moved_upper(float upper, double moved) {
  return round_up((static_cast<double>(upper) + moved) * (1.0 + 0x1p-50));
}

/// A lower bound moved down by the most any centroid it bounds moved, rounded down.
KSEG_HD inline float moved_lower(float lower, double most_moved) {
  return round_down((static_cast<double>(lower) - most_moved) * (1.0 - 0x1p-50));
}

/// max(lower, 2·half_gap[label] − upper), rounded down.
KSEG_HD inline float gap_lower(float upper, float lower, int label, const CentroidMotionView& m) {
  const float by_gap = round_down((2.0 * m.half_gap[label] - upper) * (1.0 - 0x1p-50));
  return by_gap > lower ? by_gap : lower;
}

/// Moves the bounds of a point of segment `label` with the centroids (triangle inequality), and
/// returns the lower bound on the distance to any other centroid that also counts the gap
/// between centroids: an other centroid is at least 2·half_gap − (distance to its own) away.
KSEG_HD inline float move_bounds(float& upper, float& lower, int label, const CentroidMotionView& m) {
  upper = moved_upper(upper, m.moved[label]);
  lower = moved_lower(lower, label == m.farthest_mover ? m.second_most_moved : m.most_moved);
  return gap_lower(upper, lower, label, m);
}

}  // namespace kseg::detail
