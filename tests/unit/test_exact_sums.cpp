// Exact reductions: the same total for any order or split, the true sum rounded once.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "cluster/data_summary.hpp"
#include "common/errors.hpp"
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

// Pairs ±x over the whole double range around a few small integers: the true sum is exactly the
// integers' sum, which plain double summation (or one grid for all values) loses.
std::vector<double> cancelling_values(std::mt19937& rng, double* exact) {
  std::uniform_real_distribution<double> mantissa(1.0, 2.0);
  std::uniform_int_distribution<int> exponent(-250, 380);
  std::vector<double> v;
  *exact = 0;
  for (int i = 0; i < 2000; ++i) {
    const double x = std::ldexp(mantissa(rng), exponent(rng));
    v.push_back(x), v.push_back(-x);
    if (i % 100 == 0) v.push_back(i / 100 - 7), *exact += i / 100 - 7;
  }
  std::shuffle(v.begin(), v.end(), rng);
  return v;
}

TEST(ExactSum, KeepsEveryBitWhateverTheSpread) {
  std::mt19937 rng(5);
  double exact = 0;
  const std::vector<double> v = cancelling_values(rng, &exact);
  ExactSum sum;
  for (double x : v) sum.add(x);
  EXPECT_EQ(sum.to_double(), exact);
  double naive = 0;
  for (double x : v) naive += x;
  EXPECT_NE(naive, exact) << "the data no longer tests anything";
}

TEST(ExactSum, IsIdenticalForAnyOrderAndSplit) {
  std::mt19937 rng(6);
  double exact = 0;
  std::vector<double> v = cancelling_values(rng, &exact);
  for (int i = 0; i < 300; ++i) v.push_back(std::ldexp(1.0 + i, -200 + i));  // a sum that must round
  auto total = [&](std::size_t parts) {
    std::vector<ExactSum> partial(parts);
    for (std::size_t i = 0; i < v.size(); ++i) partial[i * parts / v.size()].add(v[i]);
    for (std::size_t p = 1; p < parts; ++p) partial[0].merge(partial[p]);
    return partial[0].to_double();
  };
  const double reference = total(1);
  for (std::size_t parts : {2u, 3u, 7u, 64u}) {
    std::shuffle(v.begin(), v.end(), rng);
    const double got = total(parts);
    EXPECT_EQ(std::memcmp(&got, &reference, sizeof got), 0) << parts << " parts";
  }
}

TEST(ExactSum, RoundsTheTrueSumOnceToNearest) {
  ExactSum tie_broken_up;  // 1 + 2^-53 is a tie (to 1); 2^-80 more is past it
  for (double x : {1.0, 0x1p-53, 0x1p-80}) tie_broken_up.add(x);
  EXPECT_EQ(tie_broken_up.to_double(), 1.0 + 0x1p-52);
  ExactSum tie;
  for (double x : {1.0, 0x1p-53}) tie.add(x);
  EXPECT_EQ(tie.to_double(), 1.0) << "ties go to even";
  ExactSum negative;
  for (double x : {-3e38, 2.5, 3e38, -7.25, 0x1p-140}) negative.add(x);
  EXPECT_EQ(negative.to_double(), -4.75 + 0x1p-140);
  EXPECT_EQ(ExactSum().to_double(), 0.0);
  ExactSum smallest;
  smallest.add(0x1p-149);  // float32's smallest subnormal
  EXPECT_EQ(smallest.to_double(), 0x1p-149);
}

TEST(ExactSum, NonFiniteOrHugeValuesReadAsNaN) {
  for (double bad : {double{NAN}, double{INFINITY}, -double{INFINITY}, 1e300}) {
    ExactSum sum;
    sum.add(1.0);
    sum.add(bad);
    EXPECT_TRUE(std::isnan(sum.to_double())) << bad;
  }
}

TEST(ExactSum, HoldsMillionsOfTheLargestValues) {
  ExactSum sum;
  const int64_t n = 3 << 20;
  for (int64_t i = 0; i < n; ++i) sum.add(0x1.fffffffffffffp383);
  EXPECT_EQ(sum.to_double(), static_cast<double>(n) * 0x1.fffffffffffffp383);
}

// The grid is only a fast path: any grid gives the exact sum, bit for bit.
TEST(GridSum, EqualsTheExactSumOnAnyGrid) {
  std::vector<float> values = testing::random_matrix(100000, 1, 3, 1e4f);
  for (int i = 0; i < 100; ++i) values[i] *= 1e-12f;  // far below the grid of the large ones
  values[100] = 1e11f;                                  // one outlier
  ExactSum exact;
  for (float v : values) exact.add(v);
  for (double bound : {1e11, 1e4, 1.0, 1e-30}) {
    GridSum sum(FixedPoint::scale_for_bound(bound, FixedPoint::kFeatureBits));
    for (float v : values) sum.add(v);
    const double got = sum.value(), want = exact.to_double();
    EXPECT_EQ(std::memcmp(&got, &want, sizeof got), 0) << "grid for " << bound;
  }
  long double reference = 0;
  for (float v : values) reference += v;
  EXPECT_NEAR(exact.to_double(), static_cast<double>(reference), 1e-12 * std::fabs(static_cast<double>(reference)));
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

// The summary is taken by threads, each over its run of rows: any thread count gives the same
// bits (off-grid values included), as one rank or several do.
TEST(DataSummary, SameBitsForAnyThreadCount) {
  const int64_t n = 10007;
  const int d = 5;
  const std::vector<float> x = testing::off_grid_matrix(n, d, 31, 1e11f);
  const std::vector<int64_t> ids = testing::sequential_ids(n);
  const Communicator comm(MPI_COMM_SELF);
  omp_set_num_threads(1);
  const DataSummary want = summarize({x.data(), n, d}, ids.data(), comm);
  for (int threads : {2, 3, 5, 8}) {
    omp_set_num_threads(threads);
    const DataSummary got = summarize({x.data(), n, d}, ids.data(), comm);
    EXPECT_EQ(got.min, want.min) << threads << " threads";
    EXPECT_EQ(got.max, want.max) << threads << " threads";
    EXPECT_EQ(0, std::memcmp(got.mean.data(), want.mean.data(), sizeof(double) * d)) << threads << " threads";
    EXPECT_EQ(0, std::memcmp(got.variance.data(), want.variance.data(), sizeof(double) * d)) << threads << " threads";
    EXPECT_EQ(got.checksum, want.checksum) << threads << " threads";
  }
  omp_set_num_threads(2);
}

// One customer at 3e38 (float32's range): the moments standardization needs stay exact (its square,
// 9e76, is summed too), and a fit on the raw values is refused, since distances would overflow.
TEST(DataSummary, FloatRangeOutlierKeepsExactMomentsAndIsRefusedRaw) {
  const int64_t n = 3000;
  std::vector<float> x = testing::random_matrix(n, 2, 21);
  x[2 * 17] = 3e38f;
  double sum = 0, sq = 0;
  for (int64_t i = 0; i < n; ++i) sum += x[2 * i], sq += static_cast<double>(x[2 * i]) * x[2 * i];
  const Communicator comm(MPI_COMM_SELF);
  const DataSummary s = summarize({x.data(), n, 2}, testing::sequential_ids(n).data(), comm);
  const double mean = sum / n, variance = sq / n - mean * mean;
  EXPECT_NEAR(s.mean[0], mean, 1e-12 * mean);
  EXPECT_NEAR(s.variance[0], variance, 1e-12 * variance);
  try {
    testing::LocalFit fit(x, testing::sequential_ids(n), 2);
    ADD_FAILURE() << "a raw 3e38 feature was accepted for a fit";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("feature column 1 runs from"), std::string::npos) << e.what();
  }
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
