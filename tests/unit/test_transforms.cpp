// Transforms: quantile accuracy, exact standardisation, and a saved scaler reproducing the fit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "customers/transforms.hpp"
#include "common/errors.hpp"
#include "tests/support/test_data.hpp"

namespace kseg {
namespace {

TEST(Transforms, GlobalQuantileIsWithinTheStatedAccuracy) {
  const int64_t n = 50000;
  std::vector<float> x = testing::random_matrix(n, 2, 3, 100.0f);
  for (int64_t i = 0; i < n; ++i) x[i * 2 + 1] = std::exp(x[i * 2] / 20.0f);  // heavy tail in column 1
  const Communicator self(MPI_COMM_SELF);
  for (int column : {0, 1}) {
    std::vector<float> sorted;
    for (int64_t i = 0; i < n; ++i) sorted.push_back(x[i * 2 + column]);
    std::sort(sorted.begin(), sorted.end());
    const double range = sorted.back() - sorted.front();
    for (double q : {0.0, 0.01, 0.5, 0.99, 1.0}) {
      const double exact = sorted[static_cast<std::size_t>(std::floor(q * (n - 1)))];
      EXPECT_NEAR(global_quantile(x.data(), n, 2, column, q, self), exact, range / (1 << 20) + 1e-6 * std::fabs(exact))
          << "column " << column << " q " << q;
    }
  }
}

TEST(Transforms, StandardizeGivesZeroMeanUnitVarianceAndInvertsCentroids) {
  const int64_t n = 4000;
  std::vector<float> x = testing::random_matrix(n, 3, 8, 50.0f);
  const std::vector<float> raw = x;
  const std::vector<int64_t> ids = testing::sequential_ids(n);
  const std::vector<FeatureTransform> steps = {parse_feature_transform("standardize"),
                                               parse_feature_transform("log1p+standardize"),
                                               parse_feature_transform("none")};
  const Scaler s = fit_and_apply_transforms(x.data(), n, 3, steps, {}, ids.data(), Communicator(MPI_COMM_SELF));
  double mean = 0, sq = 0;
  for (int64_t i = 0; i < n; ++i) mean += x[i * 3], sq += x[i * 3] * static_cast<double>(x[i * 3]);
  EXPECT_NEAR(mean / n, 0.0, 1e-6);
  EXPECT_NEAR(sq / n, 1.0, 1e-5);
  EXPECT_EQ(x[5 * 3 + 2], raw[5 * 3 + 2]) << "'none' leaves a feature alone";
  // A centroid placed at a customer's transformed point maps back to the customer's raw values.
  const std::vector<float> back = s.to_original({x[7 * 3], x[7 * 3 + 1], x[7 * 3 + 2]});
  for (int j = 0; j < 3; ++j) EXPECT_NEAR(back[j], raw[7 * 3 + j], 1e-3 * (1 + std::fabs(raw[7 * 3 + j])));
}

TEST(Transforms, SavedScalerReproducesTheFitBitForBit) {
  const int64_t n = 3000;
  std::vector<float> x = testing::random_matrix(n, 2, 4, 1000.0f);
  const std::vector<float> raw = x;
  const std::vector<int64_t> ids = testing::sequential_ids(n);
  const std::vector<FeatureTransform> steps(2, parse_feature_transform("log1p+winsorize+standardize"));
  const Scaler s = fit_and_apply_transforms(x.data(), n, 2, steps, {0.05, 0.95, {}}, ids.data(), Communicator(MPI_COMM_SELF));
  std::vector<float> again = raw;
  s.apply(again.data(), n);
  EXPECT_EQ(again, x);
  const auto [low, high] = std::minmax_element(x.begin(), x.end());
  EXPECT_GT(*low, -3.0f) << "winsorized";
  EXPECT_LT(*high, 3.0f) << "winsorized";
}

TEST(Transforms, UnknownStepIsRefused) {
  EXPECT_THROW(parse_feature_transform("log1p+sqrt"), InputError);
  EXPECT_EQ(to_string(parse_feature_transform("standardize+log1p")), "log1p+standardize");
}

}  // namespace
}  // namespace kseg
