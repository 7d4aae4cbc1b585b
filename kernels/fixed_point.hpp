#pragma once

#include <cmath>
#include <cstdint>

#include "common/int128.hpp"
#include "kernels/hd.hpp"

namespace kseg {

/// Exact, order-independent sums of floating-point values (docs/DESIGN.md, principle 1). Each
/// value is rounded once onto a power-of-two grid chosen from a global bound, then summed as an
/// integer, so the total is the same for any split of the data over ranks, threads or devices.
///
/// Feature values use 40 bits below their column's largest magnitude (relative error 2^-40,
/// far finer than float32's 2^-24), which lets a thread sum 2^22 of them in an int64 before
/// carrying into an int128. Squared distances use 61 bits and go straight into an int128.
struct FixedPoint {
  static constexpr int kFeatureBits = 40;
  static constexpr int kDistanceBits = 61;
  /// Points a thread may add into an int64 feature accumulator before carrying into int128.
  static constexpr int64_t kInt64Block = int64_t{1} << 22;

  /// The power of two 2^s with |v|·2^s < 2^bits for every |v| <= bound.
  static double scale_for_bound(double bound, int bits) {
    if (!(bound > 0.0) || !std::isfinite(bound)) return 1.0;
    int exponent = 0;
    std::frexp(bound, &exponent);  // bound < 2^exponent
    int shift = bits - exponent;
    if (shift > 1000) shift = 1000;
    return std::ldexp(1.0, shift);
  }

  KSEG_HD static int64_t quantize(double value, double scale) { return llrint(value * scale); }

  static double to_double(int128 sum, double scale) { return static_cast<double>(sum) / scale; }
};

}  // namespace kseg
