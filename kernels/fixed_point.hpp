#pragma once

#include <cmath>
#include <cstdint>

#include "common/exact_sum.hpp"
#include "common/hd.hpp"
#include "common/int128.hpp"

namespace kseg {

/// The fast path of exact sums in the fused pass (docs/DESIGN.md, principle 1). Each value that
/// lands exactly on a power-of-two grid, chosen from a global bound, is summed as an integer; a
/// value with bits below the grid is added unrounded to an ExactSum instead. Both parts are exact,
/// so the total is the same for any split of the data over ranks, threads or devices, and keeps
/// full relative precision however far one outlier stretches the bound.
///
/// Feature grids hold 44 bits below their column's largest magnitude: a float32 value within 2^21
/// of it lands on the grid, and a thread sums 2^18 of them in an int64 before carrying into an
/// int128. Squared distances use 61 bits and go straight into an int128.
struct FixedPoint {
  static constexpr int kFeatureBits = 44;
  static constexpr int kDistanceBits = 61;
  /// Points a thread may add into an int64 feature accumulator before carrying into int128.
  static constexpr int64_t kInt64Block = int64_t{1} << (62 - kFeatureBits);

  /// The power of two 2^s with |v|·2^s < 2^bits for every |v| <= bound; never finer than the
  /// last digit of an ExactSum.
  static double scale_for_bound(double bound, int bits) {
    if (!(bound > 0.0) || !std::isfinite(bound)) return 1.0;
    int exponent = 0;
    std::frexp(bound, &exponent);  // bound < 2^exponent
    int shift = bits - exponent;
    if (shift > -ExactSum::kLowestExponent) shift = -ExactSum::kLowestExponent;
    return std::ldexp(1.0, shift);
  }

  /// Rounds onto the grid: for objectives (a likelihood) whose sum need be deterministic, not exact.
  KSEG_HD static int64_t quantize(double value, double scale) { return llrint(value * scale); }
  static double to_double(int128 sum, double scale) { return static_cast<double>(sum) / scale; }
};

}  // namespace kseg
