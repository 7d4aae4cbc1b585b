// The fused assign+accumulate pass against a plain loop over points, over a table of sizes.
#include <gtest/gtest.h>
#include <omp.h>

#include <sys/mman.h>

#include <cstring>
#include <memory>

#include "kernels/distance.hpp"
#include "kernels/fixed_point.hpp"
#include "tests/support/test_data.hpp"

namespace kseg {
namespace {

using testing::Size;

class FusedKernel : public ::testing::TestWithParam<Size> {};

struct Reference {
  std::vector<int32_t> labels;
  std::vector<float> sq;
  std::vector<float> runner_up;  // squared distance to the nearest centroid other than the label's
  LloydSums sums;
};

Reference reference_pass(const std::vector<float>& x, const std::vector<float>& c, const Size& s, const Quantization& q) {
  Reference r;
  r.sums.reset(s.k, s.d);
  for (int64_t i = 0; i < s.n; ++i) {
    float best = 0;
    const int label = nearest_centroid(&x[i * s.d], c.data(), s.k, s.d, &best);
    r.labels.push_back(label);
    r.sq.push_back(best);
    float runner_up = INFINITY;
    for (int other = 0; other < s.k; ++other)
      if (other != label) runner_up = std::fmin(runner_up, squared_distance(&x[i * s.d], &c[other * s.d], s.d));
    r.runner_up.push_back(runner_up);
    for (int j = 0; j < s.d; ++j) {
      int64_t on_grid = 0;
      const std::size_t at = static_cast<std::size_t>(label) * s.d + j;
      if (GridSum::lands_on_grid(x[i * s.d + j], q.feature_scale[j], &on_grid)) r.sums.feature_sums[at] += on_grid;
      else r.sums.off_grid_at(at).add(x[i * s.d + j]);
    }
    r.sums.counts[label] += 1;
    int64_t on_grid = 0;
    if (GridSum::lands_on_grid(best, q.distance_scale, &on_grid)) r.sums.inertia += on_grid;
    else r.sums.off_grid_at(r.sums.inertia_slot()).add(best);
  }
  return r;
}

void expect_matches_plain_loop(const std::vector<float>& x, const Size& s) {
  testing::LocalFit fit(x, testing::sequential_ids(s.n), s.d);
  // Centroids: k of the points, so that ties and zero distances occur too.
  std::vector<float> centroids(fit.x.begin(), fit.x.begin() + std::min<int64_t>(s.k, s.n) * s.d);
  centroids.resize(static_cast<std::size_t>(s.k) * s.d, 0.5f);
  const Reference expected = reference_pass(fit.x, centroids, s, fit.summary.quantization);

  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    LloydSums sums;
    std::vector<int32_t> labels(s.n, -1);
    std::vector<float> sq(s.n, -1.0f), runner_up(s.n, -1.0f);
    fit.backend->assign_and_accumulate(centroids.data(), s.k, fit.summary.quantization, &sums, labels.data(), sq.data(),
                                       runner_up.data());
    EXPECT_EQ(labels, expected.labels) << threads << " threads";
    EXPECT_EQ(0, std::memcmp(sq.data(), expected.sq.data(), sizeof(float) * s.n)) << threads << " threads";
    EXPECT_EQ(0, std::memcmp(runner_up.data(), expected.runner_up.data(), sizeof(float) * s.n)) << threads << " threads";
    EXPECT_TRUE(sums.feature_sums == expected.sums.feature_sums) << threads << " threads";
    EXPECT_EQ(sums.counts, expected.sums.counts) << threads << " threads";
    EXPECT_TRUE(sums.inertia == expected.sums.inertia) << threads << " threads";
    ASSERT_EQ(sums.off_grid.size(), expected.sums.off_grid.size()) << threads << " threads";
    for (std::size_t slot = 0; slot < sums.off_grid.size(); ++slot)
      EXPECT_EQ(sums.off_grid[slot].to_double(), expected.sums.off_grid[slot].to_double()) << "slot " << slot;
  }
  omp_set_num_threads(2);
}

TEST_P(FusedKernel, MatchesPlainLoopBitForBitWithAnyThreadCount) {
  const Size s = GetParam();
  expect_matches_plain_loop(testing::random_matrix(s.n, s.d, 11), s);
}

// Values far below their column's largest miss its grid and take the exact path; every SIMD
// width must send the same values there.
TEST_P(FusedKernel, OffGridValuesMatchPlainLoop) {
  const Size s = GetParam();
  expect_matches_plain_loop(testing::off_grid_matrix(s.n, s.d, 12, 1e11f), s);
}

TEST(FusedKernel, SumsKeepFullPrecisionBesideAnOutlier) {
  const Size s{2000, 3, 2};
  std::vector<float> x = testing::random_matrix(s.n, s.d, 13);
  x[0] = 1e11f;  // customer 0, feature 0
  testing::LocalFit fit(x, testing::sequential_ids(s.n), s.d);
  const std::vector<float> centroids = {1e11f, 0, 0, 0.5f, 0.5f, 0.5f};
  LloydSums sums;
  fit.backend->assign_and_accumulate(centroids.data(), s.k, fit.summary.quantization, &sums, nullptr, nullptr, nullptr);
  ASSERT_EQ(sums.counts[0], 1);
  long double feature_sum = 0, inertia = 0;
  for (int64_t i = 1; i < s.n; ++i) {
    feature_sum += x[i * s.d];
    inertia += squared_distance(&x[i * s.d], &centroids[s.d], s.d);
  }
  inertia += squared_distance(&x[0], &centroids[0], s.d);
  EXPECT_NEAR(sums.feature_total(s.d, fit.summary.quantization), static_cast<double>(feature_sum),
              1e-12 * static_cast<double>(feature_sum));
  EXPECT_NEAR(sums.inertia_total(fit.summary.quantization), static_cast<double>(inertia), 1e-12 * static_cast<double>(inertia));
}

TEST_P(FusedKernel, LowerMinDistancesMatchesPlainLoop) {
  const Size s = GetParam();
  testing::LocalFit fit(testing::random_matrix(s.n, s.d, 5), testing::sequential_ids(s.n), s.d);
  const std::vector<float> centroids = testing::random_matrix(s.k, s.d, 6);
  std::vector<float> min_sq(s.n, 7.0f);
  fit.backend->lower_min_sq_distances(centroids.data(), s.k, min_sq.data());
  for (int64_t i = 0; i < s.n; ++i) {
    float expected = 7.0f;
    for (int c = 0; c < s.k; ++c) expected = std::min(expected, squared_distance(&fit.x[i * s.d], &centroids[c * s.d], s.d));
    ASSERT_EQ(min_sq[i], expected) << "point " << i;
  }
}

// n not a multiple of the 8-point tile nor of the thread count; k = 1; d = 1; k > n.
INSTANTIATE_TEST_SUITE_P(Sizes, FusedKernel,
                         ::testing::Values(Size{1, 1, 1}, Size{7, 1, 3}, Size{8, 3, 1}, Size{9, 2, 12},
                                           Size{1001, 5, 7}, Size{4099, 16, 16}, Size{10007, 33, 64},
                                           Size{513, 64, 256}),
                         testing::size_name);

TEST(FusedKernel, TiesGoToTheSmallerSegment) {
  testing::LocalFit fit({0.0f, 0.0f}, {1}, 2);
  const std::vector<float> centroids = {1, 0, 0, 1, -1, 0};  // all at distance 1
  int32_t label = -1;
  float sq = 0, runner_up = 0;
  fit.backend->assign_and_accumulate(centroids.data(), 3, fit.summary.quantization, nullptr, &label, &sq, &runner_up);
  EXPECT_EQ(label, 0);
  EXPECT_EQ(sq, 1.0f);
  EXPECT_EQ(runner_up, 1.0f);  // the tied centroid
}

}  // namespace
}  // namespace kseg

namespace kseg {
namespace {

// Rows × features past 2^31 without 9 GiB of memory: an untouched anonymous mapping reads as
// zeros from one shared page. Every index into the shard must be 64-bit for this to count right.
TEST(FusedKernel, CountsPastTwoToThe31Elements) {
  const int d = 9;
  const int64_t n = (int64_t{1} << 28) + 3;  // n·d ≈ 2.4e9 > 2^31
  const std::size_t bytes = static_cast<std::size_t>(n) * d * sizeof(float);
  void* zeros = mmap(nullptr, bytes, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(zeros, MAP_FAILED);
  std::unique_ptr<Backend> backend = make_cpu_backend();
  backend->load_shard({static_cast<const float*>(zeros), n, d});
  Quantization q{std::vector<double>(d, 1.0), 1.0};
  const std::vector<float> centroids = {0, 0, 0, 0, 0, 0, 0, 0, 1, /* far: */ 5, 5, 5, 5, 5, 5, 5, 5, 5};
  LloydSums sums;
  backend->assign_and_accumulate(centroids.data(), 2, q, &sums, nullptr, nullptr, nullptr);
  munmap(zeros, bytes);
  EXPECT_EQ(sums.counts[0], n);
  EXPECT_EQ(sums.counts[1], 0);
  EXPECT_TRUE(sums.inertia == static_cast<int128>(n)) << "each point is at squared distance 1";
}

}  // namespace
}  // namespace kseg
