#pragma once

// What the tests of bounded passes run through (tests/unit/test_bounded_pass.cpp for the
// backends, test_bounded_point.cpp for the CUDA per-customer rules on the host): a table of
// sizes, the data sets, and the ways the centroids move from one pass to the next.

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include "cluster/lloyd.hpp"
#include "synth/synthetic_blobs.hpp"
#include "tests/support/test_data.hpp"

namespace kseg::testing {

/// N not multiples of the 16-lane tile; K below, at and above a group of 8; D up to 64.
inline const std::vector<Size>& bounded_pass_sizes() {
  static const std::vector<Size> sizes = {{1, 1, 1},       {7, 1, 3},        {9, 2, 12},    {1001, 5, 7},
                                          {2003, 3, 9},    {4099, 16, 16},   {10007, 33, 64}, {3001, 64, 100}};
  return sizes;
}

/// Lloyd's next centroids: the means of the full pass's segments.
inline std::vector<float> lloyd_next(const LloydSums& full, const Quantization& q, const std::vector<float>& centroids) {
  return centroids_from_sums(full, q, centroids);
}

/// random_matrix rounded to small integers: many customers at exactly equal distance from two centroids.
inline std::vector<float> tied_matrix(int64_t n, int d, uint32_t seed) {
  std::vector<float> x = random_matrix(n, d, seed);
  for (float& v : x) v = std::round(v / 4);
  return x;
}

/// k segments standing apart (blobs 6 spreads from each other).
inline std::vector<float> separated_blobs(const Size& s) {
  const BlobModel model = make_blob_model(s.k, s.d, 9, 6.0);
  std::vector<int64_t> ids(s.n);
  std::vector<float> x(static_cast<std::size_t>(s.n) * s.d);
  std::vector<int32_t> truth(s.n);
  generate_rows(model, 0, s.n, ids.data(), x.data(), truth.data());
  return x;
}

/// Next centroids that jump and come back, as in a swap trial, or drift by any amount: after a
/// Lloyd step, one centroid jumps onto a customer (and back the pass after), or one leaps far,
/// or every centroid drifts a little. Customers change segment and change back while the bounds
/// of the passes between still stand.
class JumpOrDrift {
 public:
  JumpOrDrift(const std::vector<float>& x, const Size& s, uint32_t seed) : x_(x), s_(s), rng_(seed) {}

  std::vector<float> operator()(const LloydSums& full, const Quantization& q, const std::vector<float>& centroids) {
    if (!away_.empty()) return std::exchange(away_, {});
    std::vector<float> next = centroids_from_sums(full, q, centroids);
    std::uniform_int_distribution<int> segment(0, s_.k - 1), kind(0, 2), row(0, static_cast<int>(s_.n) - 1);
    std::normal_distribution<float> step(0.0f, 1.0f);
    const auto c = static_cast<std::ptrdiff_t>(segment(rng_)) * s_.d;
    switch (kind(rng_)) {
      case 0:  // onto a customer, and back the pass after
        away_ = next;
        std::copy_n(x_.begin() + static_cast<std::ptrdiff_t>(row(rng_)) * s_.d, s_.d, next.begin() + c);
        break;
      case 1:  // one centroid far
        for (int j = 0; j < s_.d; ++j) next[c + j] += 30.0f * step(rng_);
        break;
      default:  // every centroid a little
        for (float& v : next) v += 0.05f * step(rng_);
    }
    return next;
  }

 private:
  const std::vector<float>& x_;
  Size s_;
  std::mt19937 rng_;
  std::vector<float> away_;  // the centroids a jump left, to come back to
};

}  // namespace kseg::testing
