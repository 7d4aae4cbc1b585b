#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "common/hd.hpp"
#include "common/int128.hpp"

namespace kseg {

/// The exact sum of any doubles, whatever the spread of their magnitudes (docs/DESIGN.md,
/// principle 1): a long accumulator of 32-bit digits, each held in an int64 so that carries can
/// wait. Every value is added without rounding (values below 2^-256, far under float32's smallest,
/// are rounded onto that last digit), so the total is the same for any order and any split over
/// threads, ranks or devices, and reads back as the correctly rounded double of the true sum.
///
/// It costs a few integer operations per value; hot loops add most values as integers on a grid
/// (GridSum, FixedPoint) and only the values that do not fit the grid here.
struct ExactSum {
  static constexpr int kDigitBits = 32;
  static constexpr int kLimbs = 21;
  static constexpr int kLowestExponent = -256;  ///< weight of limb 0's lowest bit
  static constexpr int kHighestExponent = 384;  ///< values of magnitude ≥ 2^384 read as NaN
  /// Each add puts less than 2^32 into a limb: carrying this often keeps limbs far inside int64.
  static constexpr int64_t kAddsBetweenCarries = int64_t{1} << 30;

  int64_t limb[kLimbs] = {};
  int64_t non_finite = 0;  ///< NaN, ±Inf or out-of-range values added: the sum reads as NaN
  int64_t pending = 0;     ///< adds since the last carry

  /// Splits `value` into the digits this accumulator adds: first limb, three 32-bit chunks and the
  /// sign. False for values it cannot hold. Shared with the CUDA backend's atomic adds.
  KSEG_HD static bool digits_of(double value, int* first_limb, int64_t chunk[3], bool* negative) {
    uint64_t bits = 0;
    memcpy(&bits, &value, sizeof bits);
    int biased = static_cast<int>((bits >> 52) & 0x7ff);
    uint64_t mantissa = bits & ((uint64_t{1} << 52) - 1);
    if (biased == 0x7ff) return false;
    if (biased == 0) biased = 1;  // subnormal: no hidden bit
    else mantissa |= uint64_t{1} << 52;
    int position = biased - 1075 - kLowestExponent;  // of the mantissa's lowest bit above limb 0's
    if (position < 0) {
      const int shift = -position;
      const uint64_t kept = shift > 54 ? 0 : mantissa >> shift;
      const uint64_t rest = shift > 54 ? mantissa : mantissa & ((uint64_t{1} << shift) - 1);
      const uint64_t half = shift > 54 ? ~uint64_t{0} : uint64_t{1} << (shift - 1);
      mantissa = kept + ((rest > half || (rest == half && (kept & 1))) ? 1 : 0);  // to nearest, ties to even
      position = 0;
    }
    if (position + 53 > kHighestExponent - kLowestExponent) return false;
    *first_limb = position / kDigitBits;
    const unsigned __int128 shifted = static_cast<unsigned __int128>(mantissa) << (position % kDigitBits);
    const uint64_t mask = (uint64_t{1} << kDigitBits) - 1;
    chunk[0] = static_cast<int64_t>(static_cast<uint64_t>(shifted) & mask);
    chunk[1] = static_cast<int64_t>(static_cast<uint64_t>(shifted >> kDigitBits) & mask);
    chunk[2] = static_cast<int64_t>(static_cast<uint64_t>(shifted >> (2 * kDigitBits)));
    *negative = (bits >> 63) != 0;
    return true;
  }

  void add(double value) {
    int first = 0;
    int64_t chunk[3];
    bool negative = false;
    if (!digits_of(value, &first, chunk, &negative)) {
      ++non_finite;
      return;
    }
    const int64_t sign = negative ? -1 : 1;
    for (int c = 0; c < 3; ++c) limb[first + c] += sign * chunk[c];
    if (++pending == kAddsBetweenCarries) carry();
  }

  /// Adds value·2^exponent exactly; exponent ≥ kLowestExponent (grids are never finer).
  void add_scaled_integer(int128 value, int exponent) {
    const bool negative = value < 0;
    unsigned __int128 magnitude = negative ? -static_cast<unsigned __int128>(value) : static_cast<unsigned __int128>(value);
    const int position = exponent - kLowestExponent;
    if (position < 0 || position / kDigitBits + 5 > kLimbs) {  // a grid finer or coarser than the limbs
      ++non_finite;
      return;
    }
    const int shift = position % kDigitBits;
    const uint64_t mask = (uint64_t{1} << kDigitBits) - 1;
    carry();
    for (int at = position / kDigitBits; magnitude != 0; ++at, magnitude >>= kDigitBits) {
      const uint64_t digit = static_cast<uint64_t>(magnitude) & mask;
      const uint64_t spread = digit << shift;  // below 2^63: split over this limb and the next
      const int64_t low = static_cast<int64_t>(spread & mask), high = static_cast<int64_t>(spread >> kDigitBits);
      limb[at] += negative ? -low : low;
      limb[at + 1] += negative ? -high : high;
    }
    carry();
  }

  /// Adds (sign 1) or subtracts (sign -1) another exact sum, exactly.
  void merge(const ExactSum& other, int sign = 1) {
    carry();
    for (int i = 0; i < kLimbs; ++i) limb[i] += sign * other.limb[i];
    non_finite += other.non_finite;
    carry();
  }

  /// Moves every limb's excess into the next, leaving limbs 0..kLimbs-2 in [0, 2^32).
  void carry() {
    for (int i = 0; i + 1 < kLimbs; ++i) {
      const int64_t excess = limb[i] >> kDigitBits;  // arithmetic shift: floor
      limb[i] -= excess * (int64_t{1} << kDigitBits);
      limb[i + 1] += excess;
    }
    pending = 0;
  }

  /// The true sum, rounded once to the nearest double.
  double to_double() const {
    if (non_finite != 0) return NAN;
    ExactSum m = *this;
    m.carry();
    const bool negative = m.limb[kLimbs - 1] < 0;
    if (negative) {
      for (int64_t& l : m.limb) l = -l;
      m.carry();
    }
    int top = kLimbs - 1;
    while (top >= 0 && m.limb[top] == 0) --top;
    if (top < 0) return 0.0;
    auto digit = [&m](int i) { return i >= 0 ? static_cast<unsigned __int128>(m.limb[i]) : 0; };
    unsigned __int128 leading = digit(top) << (2 * kDigitBits) | digit(top - 1) << kDigitBits | digit(top - 2);
    bool sticky = false;
    for (int i = 0; i < top - 2; ++i) sticky = sticky || m.limb[i] != 0;
    if (sticky) leading |= 1;  // below the rounding bit: 64+ significant bits are above it
    const double magnitude = std::ldexp(static_cast<double>(leading), (top - 2) * kDigitBits + kLowestExponent);
    return negative ? -magnitude : magnitude;
  }
};

static_assert(sizeof(ExactSum) == sizeof(int64_t) * (ExactSum::kLimbs + 2), "ExactSum is reduced as int64 words");

/// One exact sum with a fast path: a value that lands exactly on the grid value·scale ∈ ℤ (scale
/// a power of two) is added as an integer, any other value into the long accumulator. The two
/// parts together are exact, so the total does not depend on which values took which path.
struct GridSum {
  double scale = 1.0;
  int128 on_grid = 0;
  ExactSum off_grid;

  GridSum() = default;
  explicit GridSum(double scale_) : scale(scale_) {}

  /// The one rule of the fast path, here and in the fused pass (CPU tail, CUDA): true when
  /// value·scale is an integer of magnitude below 2^62, returned in *q.
  KSEG_HD static bool lands_on_grid(double value, double scale, int64_t* q) {
    const double scaled = value * scale;
    // rint, not llrint: compiled to one rounding instruction, where llrint was a library call per value
    if (!(fabs(scaled) < 0x1p62) || rint(scaled) != scaled) return false;
    *q = static_cast<int64_t>(scaled);
    return true;
  }

  void add(double value) {
    int64_t q = 0;
    if (lands_on_grid(value, scale, &q)) on_grid += q;
    else off_grid.add(value);
  }

  /// Adds another sum on the same grid, exactly.
  void merge(const GridSum& other) {
    on_grid += other.on_grid;
    off_grid.merge(other.off_grid);
  }

  double value() const { return exact_total(on_grid, scale, off_grid); }

  /// on_grid / scale + off_grid, rounded once.
  static double exact_total(int128 on_grid, double scale, const ExactSum& off_grid) {
    ExactSum total = off_grid;
    int exponent = 0;
    std::frexp(scale, &exponent);  // scale = 2^(exponent - 1)
    total.add_scaled_integer(on_grid, 1 - exponent);
    return total.to_double();
  }
};

}  // namespace kseg
