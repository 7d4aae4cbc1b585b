// Initialisers: valid, deterministic, seed-sensitive, and good on separated blobs.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "cluster/init.hpp"
#include "cluster/lloyd.hpp"
#include "cluster/swap_refinement.hpp"
#include "common/errors.hpp"
#include "synth/synthetic_blobs.hpp"
#include "kernels/distance.hpp"
#include "tests/support/test_data.hpp"

namespace kseg {
namespace {

struct Blobs {
  BlobModel model;
  std::vector<int64_t> ids;
  std::vector<float> x;
  std::vector<int32_t> truth;
};

Blobs far_apart_blobs(int64_t n, int k, int d) {
  Blobs b{make_blob_model(k, d, 5, 12.0), std::vector<int64_t>(n), std::vector<float>(n * d), std::vector<int32_t>(n)};
  generate_rows(b.model, 0, n, b.ids.data(), b.x.data(), b.truth.data());
  return b;
}

class Init : public ::testing::TestWithParam<InitMethod> {};

TEST_P(Init, GivesKCentroidsThatAreDeterministicAndSeedSensitive) {
  const int d = 3, k = 5;
  testing::LocalFit fit(testing::random_matrix(2000, d, 1), testing::sequential_ids(2000), d);
  KMeansParams p;
  p.k = k;
  p.init = GetParam();
  const std::vector<float> a = initial_centroids(fit.context(), p, 0);
  ASSERT_EQ(a.size(), static_cast<std::size_t>(k * d));
  EXPECT_EQ(a, initial_centroids(fit.context(), p, 0));
  EXPECT_NE(a, initial_centroids(fit.context(), p, 1)) << "restarts must draw differently";
  p.seed += 1;
  EXPECT_NE(a, initial_centroids(fit.context(), p, 0)) << "seeds must draw differently";
  std::set<std::vector<float>> distinct;
  for (int c = 0; c < k; ++c) distinct.insert(std::vector<float>(a.begin() + c * d, a.begin() + (c + 1) * d));
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(k));
}

class SeedingInit : public ::testing::TestWithParam<InitMethod> {};

TEST_P(SeedingInit, PutsOneCentroidNearEachSeparatedBlob) {
  const int d = 4, k = 6;
  const Blobs blobs = far_apart_blobs(6000, k, d);
  testing::LocalFit fit(blobs.x, blobs.ids, d);
  KMeansParams p;
  p.k = k;
  p.init = GetParam();
  const std::vector<float> c = initial_centroids(fit.context(), p, 0);
  std::set<int> blobs_hit;  // each centroid's nearest true centre: all k must be hit once
  for (int s = 0; s < k; ++s) {
    float unused;
    blobs_hit.insert(nearest_centroid(&c[s * d], blobs.model.centers.data(), k, d, &unused));
  }
  EXPECT_EQ(blobs_hit.size(), static_cast<std::size_t>(k));
}

std::string method_name(const ::testing::TestParamInfo<InitMethod>& info) {
  switch (info.param) {
    case InitMethod::kmeans_parallel: return "kmeans_parallel";
    case InitMethod::kmeans_plus_plus: return "kmeans_plus_plus";
    default: return "random";
  }
}

INSTANTIATE_TEST_SUITE_P(Methods, Init,
                         ::testing::Values(InitMethod::kmeans_parallel, InitMethod::kmeans_plus_plus, InitMethod::random),
                         method_name);
// Uniform draws are not expected to find every blob; the D²-weighted methods are.
INSTANTIATE_TEST_SUITE_P(Methods, SeedingInit,
                         ::testing::Values(InitMethod::kmeans_parallel, InitMethod::kmeans_plus_plus), method_name);

TEST(Init, RandomPicksDataPoints) {
  const int d = 2;
  testing::LocalFit fit(testing::random_matrix(300, d, 2), testing::sequential_ids(300), d);
  KMeansParams p;
  p.k = 4;
  p.init = InitMethod::random;
  const std::vector<float> c = initial_centroids(fit.context(), p, 0);
  for (int s = 0; s < p.k; ++s) {
    bool found = false;
    for (int64_t i = 0; i < 300 && !found; ++i) found = fit.x[i * d] == c[s * d] && fit.x[i * d + 1] == c[s * d + 1];
    EXPECT_TRUE(found) << "centroid " << s << " is not a customer";
  }
}

TEST(Init, ReclusteringFollowsTheWeights) {
  // Two heavy candidates far apart and many weightless ones: k = 2 must land on the heavy pair.
  std::vector<PointRecord> candidates;
  std::vector<int64_t> weights;
  for (int i = 0; i < 20; ++i) {
    candidates.push_back({0, i, {static_cast<float>(i), 0.0f}});
    weights.push_back(i == 3 || i == 17 ? 1000 : 0);
  }
  const std::vector<float> c = recluster_weighted(candidates, weights, 2, 2, 42, 0);
  std::set<float> xs = {c[0], c[2]};
  EXPECT_EQ(xs, (std::set<float>{3.0f, 17.0f}));
}

TEST(KMeans, RecoversSeparatedBlobsAndStopsEarly) {
  const int d = 5, k = 4;
  const Blobs blobs = far_apart_blobs(8000, k, d);
  testing::LocalFit fit(blobs.x, blobs.ids, d);
  KMeansParams p;
  p.k = k;
  FitObserver quiet;
  const KMeansResult r = fit_kmeans(fit.context(), p, quiet);
  EXPECT_TRUE(r.converged);
  EXPECT_LT(r.iterations, 20);
  std::vector<int64_t> truth_sizes(k, 0);
  for (int32_t t : blobs.truth) truth_sizes[t] += 1;
  std::multiset<int64_t> found(r.sizes.begin(), r.sizes.end()), expected(truth_sizes.begin(), truth_sizes.end());
  EXPECT_EQ(found, expected);
}

TEST(KMeans, MoreRestartsNeverRaiseInertia) {
  const int d = 2;
  testing::LocalFit fit(testing::random_matrix(3000, d, 12), testing::sequential_ids(3000), d);
  KMeansParams p;
  p.k = 9;
  p.init = InitMethod::random;
  FitObserver quiet;
  const KMeansResult one = fit_kmeans(fit.context(), p, quiet);
  p.n_init = 4;
  const KMeansResult four = fit_kmeans(fit.context(), p, quiet);
  EXPECT_LE(four.inertia, one.inertia);
  EXPECT_EQ(four.restart_inertia.size(), 4u);
  EXPECT_EQ(four.restart_inertia[0], one.inertia) << "restart 0 must be the single-restart fit";
}

// Where the customers are no more than init_sample, the trials run on all of them: the best of
// init_trials initialisations run to convergence is what as many restarts give (the same draws).
TEST(KMeans, InitTrialsOnFewCustomersAreRestarts) {
  const int d = 2, n = 3000;
  testing::LocalFit fit(testing::random_matrix(n, d, 12), testing::sequential_ids(n), d);
  KMeansParams p;
  p.k = 9;
  p.tol = 0;  // each trial's Lloyd ends where the next iteration changes nothing
  p.swap_patience = 0;
  FitObserver quiet;
  const KMeansResult trials = fit_kmeans(fit.context(), p, quiet);
  EXPECT_EQ(trials.init_trial_customers, n);
  p.init_trials = 1;
  const KMeansResult one = fit_kmeans(fit.context(), p, quiet);
  EXPECT_EQ(one.init_trial_customers, 0);
  EXPECT_LT(trials.inertia, one.inertia) << "the trials found a lower minimum than the first start";
  p.n_init = KMeansParams{}.init_trials;
  const KMeansResult restarts = fit_kmeans(fit.context(), p, quiet);
  EXPECT_EQ(trials.centroids, restarts.centroids);
  EXPECT_EQ(trials.inertia, restarts.inertia);
  EXPECT_EQ(restarts.restart_inertia[0], one.inertia);
}

// On at least four times init_sample customers the trials run on a sample drawn by customer id:
// the same customers whatever the order of the rows; between, one initialisation.
TEST(KMeans, InitTrialsOnManyCustomersRunOnASampleDrawnById) {
  const int d = 3, n = 20000;
  std::vector<float> x = testing::random_matrix(n, d, 14);
  std::vector<int64_t> ids = testing::sequential_ids(n);
  KMeansParams p;
  p.k = 7;
  p.init_sample = 1000;
  FitObserver quiet;
  const KMeansResult sampled = fit_kmeans(testing::LocalFit(x, ids, d).context(), p, quiet);
  EXPECT_GT(sampled.init_trial_customers, 800);
  EXPECT_LT(sampled.init_trial_customers, 1200);
  std::vector<float> reversed_x(x.size());
  std::vector<int64_t> reversed_ids(ids.rbegin(), ids.rend());
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < d; ++j) reversed_x[i * d + j] = x[(n - 1 - i) * d + j];
  const KMeansResult reversed = fit_kmeans(testing::LocalFit(reversed_x, reversed_ids, d).context(), p, quiet);
  EXPECT_EQ(reversed.centroids, sampled.centroids) << "the sample depends on the customers, not on where they are stored";
  EXPECT_EQ(reversed.init_trial_customers, sampled.init_trial_customers);
  p.init_sample = n / 3;
  EXPECT_EQ(fit_kmeans(testing::LocalFit(x, ids, d).context(), p, quiet).init_trial_customers, 0)
      << "fewer than 4 times the sample: one initialisation";
  p.init_sample = 0;
  EXPECT_EQ(fit_kmeans(testing::LocalFit(x, ids, d).context(), p, quiet).init_trial_customers, n) << "0: all customers";
  p.k = 129;
  EXPECT_EQ(fit_kmeans(testing::LocalFit(x, ids, d).context(), p, quiet).init_trial_customers, 0)
      << "more than 128 segments: one initialisation";
}

TEST(KMeans, RefusesKAboveTheNumberOfCustomers) {
  testing::LocalFit fit(testing::random_matrix(5, 2, 1), testing::sequential_ids(5), 2);
  KMeansParams p;
  p.k = 6;
  FitObserver quiet;
  EXPECT_THROW(fit_kmeans(fit.context(), p, quiet), InputError);
}

// k-means||'s weights kept from its rounds equal a pass over every candidate sorted by id (ties:
// the smaller id) on data where many customers lie as near to two candidates, added in batches
// out of id order, with any thread count.
TEST(NearestCandidates, WeightsEqualAPassOverTheIdSortedCandidates) {
  const int d = 2;
  const int64_t n = 3001;
  std::vector<float> x = testing::random_matrix(n, d, 17);
  for (float& v : x) v = std::round(v / 3);  // small integers: ties everywhere
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    testing::LocalFit fit(x, testing::sequential_ids(n), d);
    NearestCandidates candidates(fit.context());
    std::vector<PointRecord> all;
    for (const std::vector<int64_t>& rows : {std::vector<int64_t>{2900, 17}, {5, 1200, 640, 33}, {2999, 4, 1800}}) {
      std::vector<PointRecord> batch;
      for (int64_t row : rows) batch.push_back(make_record(fit.view, fit.ids.data(), row, 0));
      all.insert(all.end(), batch.begin(), batch.end());
      candidates.add(batch);
    }
    std::sort(all.begin(), all.end(), [](const PointRecord& a, const PointRecord& b) { return a.id < b.id; });
    std::vector<int64_t> want(all.size(), 0);
    for (int64_t i = 0; i < n; ++i) {
      float best = 0;
      want[nearest_centroid(&fit.x[i * d], coordinates(all, d).data(), static_cast<int>(all.size()), d, &best)] += 1;
      EXPECT_EQ(candidates.min_sq()[i], best) << "customer " << i;
    }
    const auto [sorted, weights] = candidates.weighted();
    EXPECT_EQ(weights, want) << threads << " threads";
    for (std::size_t c = 0; c < all.size(); ++c) EXPECT_EQ(sorted[c].id, all[c].id);
  }
  omp_set_num_threads(2);
}

}  // namespace
}  // namespace kseg

namespace kseg {
namespace {

// Two centroids share one blob and one sits between the other two: Lloyd stays there; a swap
// moves one of the pair (the cheapest to lose) into the merged segment (the most spread out).
TEST(SwapRefinement, MovesACentroidOutOfASharedBlobIntoTheMergedOne) {
  const float centres[3][2] = {{0, 0}, {10, 0}, {0, 10}};
  std::vector<float> x = testing::random_matrix(900, 2, 31, 0.5f);
  for (int i = 0; i < 900; ++i)
    for (int j = 0; j < 2; ++j) x[i * 2 + j] += centres[i % 3][j];
  testing::LocalFit fit(x, testing::sequential_ids(900), 2);
  KMeansParams p;
  p.k = 3;
  const std::vector<float> stuck = {0, 0.2f, 0, -0.2f, 5, 5};
  const double stuck_inertia = global_lloyd_sums(fit.context(), stuck, 3).inertia_total(fit.summary.quantization);
  const SwapOutcome swapped = refine_by_swaps(fit.context(), p, stuck);
  const std::vector<float>& refined = swapped.centroids;
  EXPECT_EQ(swapped.accepted, 1) << "the first swap is the right one";
  EXPECT_EQ(swapped.trials, 1 + std::min(p.swap_patience, 3 * 3)) << "then every (source, destination) pair fails";
  EXPECT_LT(global_lloyd_sums(fit.context(), refined, 3).inertia_total(fit.summary.quantization), 0.5 * stuck_inertia);
  for (const auto& centre : centres) {
    double nearest = INFINITY;
    for (int c = 0; c < 3; ++c)
      nearest = std::min(nearest, static_cast<double>(std::hypot(refined[c * 2] - centre[0], refined[c * 2 + 1] - centre[1])));
    EXPECT_LT(nearest, 1.0) << "no centroid near (" << centre[0] << ", " << centre[1] << ")";
  }
  EXPECT_EQ(refine_by_swaps(fit.context(), p, stuck).centroids, refined) << "deterministic";
  p.swap_patience = 0;
  EXPECT_EQ(refine_by_swaps(fit.context(), p, stuck).centroids, stuck) << "patience 0: no swap";
}

// On many customers the swaps run on a sample drawn by customer id: about swap_sample of them, the
// same ones whatever the order of the rows, and the swap that pays on all pays on them.
TEST(SwapRefinement, OnManyCustomersTriesSwapsOnASampleDrawnById) {
  const float centres[3][2] = {{0, 0}, {10, 0}, {0, 10}};
  const int n = 30000;
  std::vector<float> x = testing::random_matrix(n, 2, 33, 0.5f);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < 2; ++j) x[i * 2 + j] += centres[i % 3][j];
  std::vector<int64_t> ids = testing::sequential_ids(n);
  KMeansParams p;
  p.k = 3;
  p.swap_sample = 1000;
  const std::vector<float> stuck = {0, 0.2f, 0, -0.2f, 5, 5};
  const SwapOutcome swapped = refine_by_swaps(testing::LocalFit(x, ids, 2).context(), p, stuck);
  EXPECT_GT(swapped.customers, 800);
  EXPECT_LT(swapped.customers, 1200);
  EXPECT_GE(swapped.accepted, 1);
  for (const auto& centre : centres) {
    double nearest = INFINITY;
    for (int c = 0; c < 3; ++c)
      nearest = std::min(nearest, static_cast<double>(std::hypot(swapped.centroids[c * 2] - centre[0],
                                                                 swapped.centroids[c * 2 + 1] - centre[1])));
    EXPECT_LT(nearest, 1.0) << "no centroid near (" << centre[0] << ", " << centre[1] << ")";
  }
  std::vector<float> reversed_x(x.size());
  std::vector<int64_t> reversed_ids(ids.rbegin(), ids.rend());
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < 2; ++j) reversed_x[i * 2 + j] = x[(n - 1 - i) * 2 + j];
  const SwapOutcome reversed = refine_by_swaps(testing::LocalFit(reversed_x, reversed_ids, 2).context(), p, stuck);
  EXPECT_EQ(reversed.centroids, swapped.centroids) << "the sample depends on the customers, not on where they are stored";
  EXPECT_EQ(reversed.customers, swapped.customers);
  p.swap_sample = 0;
  EXPECT_EQ(refine_by_swaps(testing::LocalFit(x, ids, 2).context(), p, stuck).customers, n) << "0: all customers";
}

// A small cluster inside a large one's segment raises its mean squared distance little: here six
// wide blobs (too few customers for a split of one to pay) stand before it by that measure. Its
// tail does not: a swap tries the segment whose squared distances have the heaviest tail beside
// the most spread out, and finds it at once.
TEST(SwapRefinement, FindsASmallClusterMergedIntoALargeOne) {
  struct Blob {
    float x, y, sd;
    int customers;
  };
  std::vector<Blob> blobs = {{0, 0, 0.5f, 600}, {20, 0, 0.5f, 600}, {20, 4, 0.5f, 40}};
  for (int w = 0; w < 6; ++w) blobs.push_back({-30.0f + 12.0f * w, 30, 1.5f, 30});
  std::mt19937 rng(32);
  std::normal_distribution<float> unit(0.0f, 1.0f);
  std::vector<float> x;
  for (const Blob& b : blobs)
    for (int i = 0; i < b.customers; ++i) x.push_back(b.x + b.sd * unit(rng)), x.push_back(b.y + b.sd * unit(rng));
  const int64_t n = static_cast<int64_t>(x.size() / 2);
  testing::LocalFit fit(x, testing::sequential_ids(n), 2);
  KMeansParams p;
  p.k = 9;
  std::vector<float> stuck = {0, 0.2f, 0, -0.2f, 20, 0.25f};  // two share the first blob, one takes the pair
  for (std::size_t w = 3; w < blobs.size(); ++w) stuck.push_back(blobs[w].x), stuck.push_back(blobs[w].y);
  const SwapOutcome swapped = refine_by_swaps(fit.context(), p, stuck);
  EXPECT_GE(swapped.accepted, 1);
  for (const Blob& b : blobs) {
    double nearest = INFINITY;
    for (int c = 0; c < p.k; ++c)
      nearest = std::min(nearest, static_cast<double>(std::hypot(swapped.centroids[c * 2] - b.x, swapped.centroids[c * 2 + 1] - b.y)));
    EXPECT_LT(nearest, b.sd) << "no centroid near (" << b.x << ", " << b.y << ")";
  }
}

}  // namespace
}  // namespace kseg
