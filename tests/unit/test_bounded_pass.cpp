// The bounded passes (Hamerly and grouped) against the full pass: along real Lloyd iterations, over a table of
// sizes, with any thread count, ties, off-grid values and overflowing distances, it must give
// the same exact sums and counts; and its bounds must hold against exact arithmetic.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <random>

#include "cluster/lloyd.hpp"
#include "kernels/centroid_motion.hpp"
#include "kernels/detail/distance_bounds.hpp"
#include "kernels/distance.hpp"
#include "tests/support/bounded_pass_cases.hpp"
#include "tests/support/test_data.hpp"

namespace kseg {
namespace {

using testing::Size;

void expect_same_sums(const LloydSums& bounded, const LloydSums& full, const std::string& where) {
  EXPECT_TRUE(bounded.feature_sums == full.feature_sums) << where;
  EXPECT_EQ(bounded.counts, full.counts) << where;
  for (std::size_t slot = 0; slot < full.inertia_slot(); ++slot) {
    const double want = full.off_grid.empty() ? 0.0 : full.off_grid[slot].to_double();
    const double got = bounded.off_grid.empty() ? 0.0 : bounded.off_grid[slot].to_double();
    EXPECT_EQ(got, want) << where << ", off-grid slot " << slot;
  }
}

// Passes from k of the points (ties and zero distances included), the centroids of each from
// next(full pass's sums, q, centroids): Lloyd iterations unless told otherwise. At each,
// the bounded pass at the same centroids must equal the full one, and count as moved exactly the
// customers whose segment changed. Returns the share of customers searched from the 7th pass on
// (the backend may run full passes before that while its bounded passes still search many).
template <typename Next = decltype(&testing::lloyd_next)>
double expect_bounded_equals_full(const std::vector<float>& x, const Size& s, int iterations = 12,
                                  Next next = &testing::lloyd_next) {
  constexpr int kSettled = 6;
  double late_share = 0;
  for (BoundKind kind : {BoundKind::hamerly, BoundKind::grouped})
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    testing::LocalFit fit(x, testing::sequential_ids(s.n), s.d);
    const Quantization& q = fit.summary.quantization;
    std::vector<float> centroids(fit.x.begin(), fit.x.begin() + std::min<int64_t>(s.k, s.n) * s.d);
    centroids.resize(static_cast<std::size_t>(s.k) * s.d, 0.5f);
    std::vector<float> before;
    std::vector<int32_t> labels_before;
    int64_t searched = 0;
    for (int it = 0; it < iterations; ++it) {
      const std::string where = std::string(kind == BoundKind::grouped ? "grouped, " : "hamerly, ") +
                                std::to_string(threads) + " threads, iteration " + std::to_string(it);
      LloydSums full, bounded;
      std::vector<int32_t> labels(s.n);
      fit.backend->assign_and_accumulate(centroids.data(), s.k, q, &full, labels.data(), nullptr, nullptr);
      const CentroidMotion motion = before.empty() ? CentroidMotion{} : measure_motion(before, centroids, s.k, s.d);
      fit.backend->assign_bounded(centroids.data(), s.k, q, before.empty() ? nullptr : &motion, kind, &bounded);
      expect_same_sums(bounded, full, where);
      if (!labels_before.empty()) {
        int64_t changed = 0;
        for (int64_t i = 0; i < s.n; ++i) changed += labels[i] != labels_before[i];
        EXPECT_EQ(bounded.moved, changed) << where;
      }
      if (it >= kSettled) searched += bounded.searched;
      labels_before = labels;
      before = centroids;
      centroids = next(full, q, centroids);
    }
    late_share = std::max(late_share, static_cast<double>(searched) / static_cast<double>((iterations - kSettled) * s.n));
  }
  omp_set_num_threads(2);
  return late_share;
}

class BoundedPass : public ::testing::TestWithParam<Size> {};

TEST_P(BoundedPass, EqualsTheFullPassAlongLloydIterations) {
  const Size s = GetParam();
  expect_bounded_equals_full(testing::random_matrix(s.n, s.d, 21), s);
}

// Small integers: many customers at exactly equal distance from two centroids.
TEST_P(BoundedPass, TiesGoWhereTheFullPassSendsThem) {
  const Size s = GetParam();
  expect_bounded_equals_full(testing::tied_matrix(s.n, s.d, 22), s);
}

// Off-grid values, and one customer so far out that its squared distances come near float's
// largest value (the most a features file may hold: DataSummary refuses more).
TEST_P(BoundedPass, OffGridAndHugeDistancesMatch) {
  const Size s = GetParam();
  expect_bounded_equals_full(testing::off_grid_matrix(s.n, s.d, 23, 1.2e19f), s);
}

// On segments that stand apart, after a few iterations the bounds settle nearly every customer.
TEST_P(BoundedPass, SparesMostSearchesOnSeparatedSegments) {
  const Size s = GetParam();
  if (s.n < 1000) GTEST_SKIP() << "too few customers for a share to mean anything";
  EXPECT_LT(expect_bounded_equals_full(testing::separated_blobs(s), s), 0.25);
}

// Centroids that jump and come back, as in a swap trial, or drift by any amount: customers
// change segment and change back while the bounds of the passes between still stand.
TEST_P(BoundedPass, FollowsCentroidsThatJumpAndReturn) {
  const Size s = GetParam();
  const std::vector<float> x = testing::random_matrix(s.n, s.d, 25);
  expect_bounded_equals_full(x, s, 24, testing::JumpOrDrift(x, s, 26));
}

// Bounds are kept as of the pass that set them, under a 16-bit key (pass · K + segment): at
// K = 1000, past 63 bounded passes the backend starts over with a full pass, and the sums stay
// the full pass's.
TEST(BoundedPassDriftKeys, OutlastTheirSixteenBits) {
  const Size s{1009, 1, 1000};
  expect_bounded_equals_full(testing::random_matrix(s.n, s.d, 24), s, 80);
}

INSTANTIATE_TEST_SUITE_P(Sizes, BoundedPass, ::testing::ValuesIn(testing::bounded_pass_sizes()), testing::size_name);

// The rules' margins against exact arithmetic, on random rows of many magnitudes.
TEST(DistanceBounds, HoldAgainstExactDistances) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> unit(-1, 1);
  std::uniform_int_distribution<int> exponent(-60, 60), dims(1, 70);
  for (int trial = 0; trial < 20000; ++trial) {
    const int d = dims(rng);
    const float scale = std::ldexp(1.0f, exponent(rng));
    std::vector<float> x(d), c(d);
    for (int j = 0; j < d; ++j) x[j] = unit(rng) * scale, c[j] = x[j] + unit(rng) * scale * (trial % 2 ? 1e-3f : 1.0f);
    long double exact = 0;
    for (int j = 0; j < d; ++j) exact += (static_cast<long double>(x[j]) - c[j]) * (static_cast<long double>(x[j]) - c[j]);
    const float squared = squared_distance(x.data(), c.data(), d);
    const long double distance = std::sqrt(exact);
    ASSERT_GE(static_cast<long double>(detail::upper_from_squared(squared, d)), distance) << "trial " << trial;
    ASSERT_LE(static_cast<long double>(detail::lower_from_squared(squared, d)), distance) << "trial " << trial;
  }
}

TEST(DistanceBounds, ProveOnlyStrictlyNearerCentroids) {
  EXPECT_TRUE(detail::proves_label(1.0f, 1.01f, 4));
  EXPECT_FALSE(detail::proves_label(1.0f, 1.0f, 4)) << "a tie is never proven";
  EXPECT_FALSE(detail::proves_label(1.0f, 1.0f + 1e-7f, 4)) << "within the rounding margin";
  EXPECT_FALSE(detail::proves_label(1.35e19f, INFINITY, 4)) << "the own squared distance may pass 2^127";
  EXPECT_FALSE(detail::proves_label(0.0f, 1e-20f, 4)) << "below the smallest provable";
}

// Bounds set in some pass and the moves since, random over many magnitudes and dimensions, with
// the lower bound within a hair of the upper one, where the margins decide.
struct DriftedBounds {
  int d;
  float upper_then, upper_drift, lower_then, lower_drift;
  float near;  // lower_then is about upper_then times this

  long double true_upper() const { return static_cast<long double>(upper_then) + upper_drift; }
  long double moved_lower() const { return static_cast<long double>(lower_then) - lower_drift; }
};

class DriftedBoundsCases {
 public:
  explicit DriftedBoundsCases(unsigned seed) : rng_(seed) {}
  DriftedBounds next(int trial) {
    DriftedBounds b{};
    b.d = dims_(rng_);
    const float scale = std::ldexp(1.0f, exponent_(rng_));
    b.upper_then = unit_(rng_) * scale, b.upper_drift = unit_(rng_) * scale * 0.01f;
    b.near = 1.0f + std::ldexp(unit_(rng_), -(trial % 30));
    b.lower_then = b.upper_then * b.near + unit_(rng_) * scale * 0.01f, b.lower_drift = unit_(rng_) * scale * 0.01f;
    return b;
  }

 private:
  std::mt19937 rng_;
  std::uniform_real_distribution<float> unit_{0, 1};
  std::uniform_int_distribution<int> exponent_{-70, 70}, dims_{1, 70};
};

// Whether the canonical squared distances (within the margin of the true ones) order.
bool canonical_order(int d, long double true_upper, long double true_lower) {
  const long double margin = detail::squared_distance_margin(d);
  return (1 + margin) * true_upper * true_upper < (1 - margin) * true_lower * true_lower;
}

// Runs check(bounds, proof, trial, proven) on 200,000 random cases, until one fails; it asserts
// what must hold of the test it checks, and sets `proven` where that test proved the case.
// Returns how many it proved.
template <typename Check>
int proven_cases(unsigned seed, Check check) {
  DriftedBoundsCases cases(seed);
  int proven = 0;
  for (int trial = 0; trial < 200000 && !::testing::Test::HasFatalFailure(); ++trial) {
    const DriftedBounds b = cases.next(trial);
    bool proved = false;
    check(b, detail::FloatProof(b.d), trial, proved);
    proven += proved;
  }
  return proven;
}

// The float test of a pass over every point's bounds, against exact arithmetic: whatever it
// proves, the canonical squared distances must order.
TEST(DistanceBounds, FloatProofProvesOnlyWhatExactArithmeticDoes) {
  const int proven = proven_cases(6, [](const DriftedBounds& b, const detail::FloatProof& proof, int trial, bool& proved) {
    const float two_half_gap = trial % 3 ? 0.0f : 2.0f * b.upper_then * b.near;
    const float upper = detail::FloatProof::upper(b.upper_then, b.upper_drift);
    const float lower = detail::FloatProof::lower(b.lower_then, b.lower_drift);
    const long double true_lower = std::max(b.moved_lower(), static_cast<long double>(two_half_gap) - b.true_upper());
    ASSERT_GE(static_cast<long double>(upper), b.true_upper()) << "trial " << trial;
    ASSERT_LE(static_cast<long double>(lower), std::max(0.0L, b.moved_lower())) << "trial " << trial;
    proved = proof.proves(upper, lower, two_half_gap);
    if (proved) {
      ASSERT_TRUE(canonical_order(b.d, b.true_upper(), true_lower)) << "trial " << trial;
    }
  });
  EXPECT_GT(proven, 20000) << "the test should prove many of them";
}

TEST(DistanceBounds, FloatProofRefusesTiesAndExtremes) {
  const detail::FloatProof proof(4);
  EXPECT_TRUE(proof.proves(1.0f, 1.01f, 0.0f));
  EXPECT_TRUE(proof.proves(1.0f, 0.0f, 2.02f)) << "by the gap between centroids";
  EXPECT_TRUE(proof.proves(1.0f, 0.0f, INFINITY)) << "a single centroid";
  EXPECT_FALSE(proof.proves(1.0f, 1.0f, 0.0f)) << "a tie is never proven";
  EXPECT_FALSE(proof.proves(1.0f, 1.0f + 1e-6f, 0.0f)) << "within the rounding margin";
  EXPECT_FALSE(proof.proves(1.35e19f, INFINITY, 0.0f)) << "the own squared distance may pass 2^127";
  EXPECT_FALSE(proof.proves(0.0f, 1e-20f, 0.0f)) << "below the smallest provable";
}

// The slack test every point takes each pass (one number against one table entry), against
// exact arithmetic: whatever it proves, the canonical squared distances must order; the lower
// bound it gives back never exceeds the one it was made from.
TEST(DistanceBounds, SlackProvesOnlyWhatExactArithmeticDoes) {
  const int proven = proven_cases(7, [](const DriftedBounds& b, const detail::FloatProof& proof, int trial, bool& proved) {
    const float slack = proof.slack(b.upper_then, b.lower_then);
    const float lower_back = proof.lower_within(slack, b.upper_then);
    ASSERT_LE(lower_back, b.lower_then) << "trial " << trial;
    ASSERT_GE(lower_back, 0.0f) << "trial " << trial;
    proved = proof.slack_used(b.upper_drift, b.lower_drift) < slack;
    if (!proved) return;
    ASSERT_TRUE(canonical_order(b.d, b.true_upper(), b.moved_lower())) << "trial " << trial;
    ASSERT_GT(b.moved_lower(), 0x1p-50L) << "trial " << trial;
  });
  EXPECT_GT(proven, 20000) << "the test should prove many of them";
}

TEST(DistanceBounds, SlackRefusesTiesAndExtremes) {
  const detail::FloatProof proof(4);
  const auto proves = [&](float upper, float lower, float upper_drift, float lower_drift) {
    return proof.slack_used(upper_drift, lower_drift) < proof.slack(upper, lower);
  };
  EXPECT_TRUE(proves(1.0f, 1.01f, 0.004f, 0.004f));
  EXPECT_FALSE(proves(1.0f, 1.01f, 0.006f, 0.006f)) << "moved past the slack";
  EXPECT_TRUE(proves(1.0f, INFINITY, 1e6f, 1e6f)) << "a single centroid";
  EXPECT_FALSE(proves(1.0f, 1.0f, 0.0f, 0.0f)) << "a tie is never proven";
  EXPECT_FALSE(proves(1.0f, 1.0f + 1e-6f, 0.0f, 0.0f)) << "within the rounding margin";
  EXPECT_FALSE(proves(1.35e19f, INFINITY, 0.0f, 0.0f)) << "the own squared distance may pass 2^127";
  EXPECT_FALSE(proves(0.0f, 1e-20f, 0.0f, 0.0f)) << "below the smallest provable";
  EXPECT_LT(proof.slack(1.0f, 0.5f), 0.0f) << "bounds that prove nothing leave a negative slack";
  EXPECT_LE(proof.lower_within(proof.slack(1.0f, 0.5f), 1.0f), 0.5f);
  EXPECT_EQ(proof.lower_within(proof.slack(1e-30f, 1e-40f), 1e-30f), 0.0f) << "no lower bound from nothing";
}

TEST(CentroidMotion, BoundsTheMovesAndGaps) {
  const std::vector<float> before = {0, 0, 10, 0, 0, 10}, after = {3, 4, 10, 0, 0, 10};
  const CentroidMotion m = measure_motion(before, after, 3, 2);
  EXPECT_GE(m.moved[0], 5.0);
  EXPECT_LT(m.moved[0], 5.0 + 1e-9);
  EXPECT_EQ(m.moved[1], 0.0);
  EXPECT_EQ(m.farthest_mover, 0);
  EXPECT_EQ(m.second_most_moved, 0.0);
  // After: (3,4), (10,0), (0,10); 1's nearest is 0 at √65, 0's nearest is 2 at √45.
  EXPECT_LE(m.half_gap[1], std::sqrt(65.0) / 2);
  EXPECT_GT(m.half_gap[1], std::sqrt(65.0) / 2 - 1e-9);
  EXPECT_LE(m.half_gap[0], std::sqrt(45.0) / 2);
  EXPECT_GT(m.half_gap[0], std::sqrt(45.0) / 2 - 1e-9);
}

}  // namespace
}  // namespace kseg
