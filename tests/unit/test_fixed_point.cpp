// Exact reductions: the same total for any order or split, close to the real sum.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "kernels/fixed_point.hpp"
#include "tests/support/test_data.hpp"

namespace kseg {
namespace {

TEST(FixedPoint, ScaleKeepsEveryValueBelowTheHeadroom) {
  for (double bound : {1e-30, 0.001, 0.75, 1.0, 3.0, 1e6, 3.4e38}) {
    const double scale = FixedPoint::scale_for_bound(bound, FixedPoint::kFeatureBits);
    EXPECT_LT(std::fabs(bound * scale), std::ldexp(1.0, FixedPoint::kFeatureBits)) << bound;
    EXPECT_GE(std::fabs(bound * scale), std::ldexp(1.0, FixedPoint::kFeatureBits - 1)) << bound;
    EXPECT_EQ(std::log2(scale), std::round(std::log2(scale))) << "scale must be a power of two";
  }
}

TEST(FixedPoint, SumIsIdenticalForAnyOrderAndSplit) {
  std::vector<float> values = testing::random_matrix(100000, 1, 3, 1e4f);
  for (int i = 0; i < 100; ++i) values[i] *= 1e-6f;  // tiny values next to large ones
  const double scale = FixedPoint::scale_for_bound(1e4, FixedPoint::kFeatureBits);
  auto total = [&](const std::vector<float>& v, std::size_t parts) {
    std::vector<int128> partial(parts, 0);
    for (std::size_t i = 0; i < v.size(); ++i) partial[i * parts / v.size()] += FixedPoint::quantize(v[i], scale);
    int128 sum = 0;
    for (int128 p : partial) sum += p;
    return sum;
  };
  const int128 reference = total(values, 1);
  std::mt19937 rng(9);
  for (std::size_t parts : {2u, 3u, 7u, 64u}) {
    std::shuffle(values.begin(), values.end(), rng);
    EXPECT_TRUE(total(values, parts) == reference) << parts << " parts";
  }
  long double exact = 0;
  for (float v : values) exact += v;
  EXPECT_NEAR(static_cast<double>(FixedPoint::to_double(reference, scale)), static_cast<double>(exact),
              1e-9 * 1e4 * values.size());
}

TEST(FixedPoint, QuantizeRoundsToNearestOnTheGrid) {
  EXPECT_EQ(FixedPoint::quantize(1.5, 4.0), 6);
  EXPECT_EQ(FixedPoint::quantize(-0.125, 8.0), -1);
  EXPECT_EQ(FixedPoint::quantize(0.3, 1.0), 0);
}

TEST(DataSummary, MomentsMatchADoubleReference) {
  const int64_t n = 5000;
  const int d = 3;
  testing::LocalFit fit(testing::random_matrix(n, d, 4), testing::sequential_ids(n), d);
  for (int j = 0; j < d; ++j) {
    double sum = 0, sq = 0, lo = 1e9, hi = -1e9;
    for (int64_t i = 0; i < n; ++i) {
      const double v = fit.x[i * d + j];
      sum += v, sq += v * v, lo = std::min(lo, v), hi = std::max(hi, v);
    }
    const double mean = sum / n;
    EXPECT_NEAR(fit.summary.mean[j], mean, 1e-9);
    EXPECT_NEAR(fit.summary.variance[j], sq / n - mean * mean, 1e-6);
    EXPECT_EQ(fit.summary.min[j], lo);
    EXPECT_EQ(fit.summary.max[j], hi);
  }
  EXPECT_EQ(fit.summary.total_points, n);
}

TEST(DataSummary, ChecksumSeesContentNotOrder) {
  const int64_t n = 100;
  std::vector<float> x = testing::random_matrix(n, 2, 8);
  std::vector<int64_t> ids = testing::sequential_ids(n);
  const uint64_t base = testing::LocalFit(x, ids, 2).summary.checksum;
  std::vector<float> swapped = x;
  std::vector<int64_t> swapped_ids = ids;
  std::swap_ranges(swapped.begin(), swapped.begin() + 2, swapped.begin() + 2);
  std::swap(swapped_ids[0], swapped_ids[1]);
  EXPECT_EQ(testing::LocalFit(swapped, swapped_ids, 2).summary.checksum, base);
  x[17] += 1.0f;
  EXPECT_NE(testing::LocalFit(x, ids, 2).summary.checksum, base);
}

}  // namespace
}  // namespace kseg
