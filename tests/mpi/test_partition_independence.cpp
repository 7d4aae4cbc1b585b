// Run under mpiexec with 1, 2 and 4 ranks: the distributed fit must equal, bit for bit, a fit of
// the whole data set on a single process (every rank computes that reference on MPI_COMM_SELF),
// and that one a plain-Lloyd fit without distance bounds.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "cluster/lloyd.hpp"
#include "io/row_partition.hpp"
#include "synth/synthetic_blobs.hpp"
#include "tests/support/test_data.hpp"

namespace kseg {
namespace {

// What the blobs are made into: as generated, with one customer's first feature at 1e11, or with
// every other customer scaled by 1e-9 and the rest moved by 1e6, so that each column mixes values
// 15 decades apart and the small ones have segments of their own.
enum class Spread { blobs, outlier, mixed_magnitudes };

struct Case {
  int64_t n;
  int d;
  int k;
  InitMethod init;
  int n_init;
  Spread spread = Spread::blobs;
  int swap_patience = KMeansParams{}.swap_patience;  // the default swap refinement
  int64_t swap_sample = KMeansParams{}.swap_sample;
  int64_t init_sample = KMeansParams{}.init_sample;
};

class PartitionIndependence : public ::testing::TestWithParam<Case> {};

struct Rows {
  std::vector<int64_t> ids;
  std::vector<float> x;
};

Rows rows(const BlobModel& model, RowBlock block, Spread spread) {
  Rows r{std::vector<int64_t>(block.count), std::vector<float>(block.count * model.d)};
  std::vector<int32_t> truth(block.count);
  generate_rows(model, block.first, block.count, r.ids.data(), r.x.data(), truth.data());
  for (int64_t i = 0; i < block.count; ++i)
    for (int j = 0; j < model.d; ++j) {
      float& v = r.x[i * model.d + j];
      if (spread == Spread::outlier && block.first + i == 17 && j == 0) v = 1e11f;
      if (spread == Spread::mixed_magnitudes) v = (block.first + i) % 2 ? v + 1e6f : v * 1e-9f;
    }
  return r;
}

// The fit's sums against a float64 recomputation from its own assignment: each centroid is the
// mean of its customers, the inertia their squared distances' sum, within 1e-6 relative.
void expect_sums_match_float64(const testing::LocalFit& fit, const KMeansResult& result, const Case& c) {
  const LloydSums sums = global_lloyd_sums(fit.context(), result.centroids, c.k);
  const std::vector<float> means = centroids_from_sums(sums, fit.summary.quantization, result.centroids);
  std::vector<int32_t> labels(fit.ids.size());
  fit.backend->assign_and_accumulate(result.centroids.data(), c.k, fit.summary.quantization, nullptr, labels.data(), nullptr, nullptr);
  std::vector<double> total(static_cast<std::size_t>(c.k) * c.d, 0.0), count(c.k, 0.0);
  double inertia = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    count[labels[i]] += 1;
    for (int j = 0; j < c.d; ++j) {
      const double v = fit.x[i * c.d + j], diff = v - result.centroids[labels[i] * c.d + j];
      total[labels[i] * c.d + j] += v;
      inertia += diff * diff;
    }
  }
  EXPECT_NEAR(sums.inertia_total(fit.summary.quantization), inertia, 1e-6 * inertia);
  for (int s = 0; s < c.k; ++s)
    for (int j = 0; count[s] > 0 && j < c.d; ++j) {
      const double want = total[s * c.d + j] / count[s];
      EXPECT_NEAR(means[s * c.d + j], want, 1e-6 * std::fabs(want) + 1e-30) << "segment " << s << " feature " << j;
    }
}

TEST_P(PartitionIndependence, DistributedFitEqualsSingleProcessFit) {
  const Case c = GetParam();
  const Communicator world(MPI_COMM_WORLD);
  const BlobModel model = make_blob_model(c.k, c.d, 3, 3.0);  // overlapping blobs: many boundary points
  const RowBlock mine = row_block(c.n, world.size(), world.rank());
  Rows local = rows(model, mine, c.spread), all = rows(model, {0, c.n}, c.spread);

  KMeansParams p;
  p.k = c.k;
  p.init = c.init;
  p.n_init = c.n_init;
  p.swap_patience = c.swap_patience;
  p.swap_sample = c.swap_sample;
  p.init_sample = c.init_sample;
  p.seed = 2024;
  FitObserver quiet;
  testing::LocalFit distributed(local.x, local.ids, c.d, MPI_COMM_WORLD);
  testing::LocalFit single(all.x, all.ids, c.d, MPI_COMM_SELF);
  const KMeansResult got = fit_kmeans(distributed.context(), p, quiet);
  const KMeansResult want = fit_kmeans(single.context(), p, quiet);

  ASSERT_EQ(got.centroids.size(), want.centroids.size());
  EXPECT_EQ(0, std::memcmp(got.centroids.data(), want.centroids.data(), sizeof(float) * got.centroids.size()))
      << "centroids differ on rank " << world.rank() << " of " << world.size();
  EXPECT_EQ(got.sizes, want.sizes);
  EXPECT_EQ(got.iterations, want.iterations);
  EXPECT_EQ(got.best_restart, want.best_restart);
  EXPECT_EQ(got.swap_trials, want.swap_trials);
  EXPECT_EQ(got.swaps_accepted, want.swaps_accepted);
  EXPECT_EQ(got.swap_customers, want.swap_customers);
  if (c.swap_patience > 0 && c.k > 1) {
    EXPECT_EQ(got.swap_customers < c.n, c.swap_sample > 0 && c.n > 2 * c.swap_sample) << "swaps on a sample";
  }
  EXPECT_EQ(got.init_trial_customers, want.init_trial_customers);
  if (c.init_sample > 0 && c.n >= 4 * c.init_sample) {
    EXPECT_LT(got.init_trial_customers, c.n) << "initialisation trials on a sample";
  }
  EXPECT_EQ(std::memcmp(&got.inertia, &want.inertia, sizeof(double)), 0);

  std::vector<int32_t> local_labels(mine.count), all_labels(c.n);
  distributed.backend->assign_and_accumulate(got.centroids.data(), c.k, distributed.summary.quantization, nullptr,
                                             local_labels.data(), nullptr, nullptr);
  single.backend->assign_and_accumulate(want.centroids.data(), c.k, single.summary.quantization, nullptr,
                                        all_labels.data(), nullptr, nullptr);
  EXPECT_TRUE(std::equal(local_labels.begin(), local_labels.end(), all_labels.begin() + mine.first));
  if (world.is_root()) expect_sums_match_float64(single, want, c);

  // The fits above skip distances by the default bounds; plain Lloyd and the other bounds, on
  // this rank count, must give the same bits.
  for (Acceleration other : {Acceleration::none, Acceleration::yinyang}) {
    p.acceleration = other;
    const KMeansResult plain = fit_kmeans(distributed.context(), p, quiet);
    const std::string what = to_string(other) + " and default Lloyd differ";
    EXPECT_EQ(0, std::memcmp(plain.centroids.data(), want.centroids.data(), sizeof(float) * want.centroids.size())) << what;
    EXPECT_EQ(plain.sizes, want.sizes) << what;
    EXPECT_EQ(plain.iterations, want.iterations) << what;
    EXPECT_EQ(plain.swaps_accepted, want.swaps_accepted) << what;
    EXPECT_EQ(std::memcmp(&plain.inertia, &want.inertia, sizeof(double)), 0) << what;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PartitionIndependence,
    ::testing::Values(Case{20011, 6, 9, InitMethod::kmeans_parallel, 2}, Case{5003, 3, 4, InitMethod::kmeans_plus_plus, 2},
                      Case{5003, 17, 12, InitMethod::random, 3}, Case{999, 1, 1, InitMethod::kmeans_parallel, 1},
                      // 3 customers on 4 ranks: one rank holds an empty shard and must still take part.
                      Case{3, 2, 2, InitMethod::kmeans_parallel, 1}, Case{3, 2, 3, InitMethod::kmeans_plus_plus, 1},
                      // Sums over the full float range: one outlier; values 15 decades apart in every column.
                      Case{5003, 4, 5, InitMethod::kmeans_plus_plus, 2, Spread::outlier},
                      Case{5003, 3, 6, InitMethod::kmeans_parallel, 2, Spread::mixed_magnitudes},
                      // Many segments, many swaps (D²-weighted draws keyed by customer id); plain Lloyd.
                      Case{6007, 4, 24, InitMethod::kmeans_parallel, 1, Spread::blobs, 40},
                      // Several groups of centroids for the grouped (Yinyang) bounds.
                      Case{6007, 5, 41, InitMethod::kmeans_parallel, 1, Spread::blobs, 10},
                      Case{6007, 4, 12, InitMethod::kmeans_parallel, 1, Spread::blobs, 0},
                      // Swaps on a sample of about 2,000 customers drawn by id.
                      Case{20011, 5, 16, InitMethod::kmeans_parallel, 1, Spread::blobs, 20, 2000},
                      // Initialisation trials on a sample of about 3,000 customers drawn by id.
                      Case{20011, 4, 10, InitMethod::kmeans_parallel, 2, Spread::blobs, 20, 262144, 3000}));

}  // namespace
}  // namespace kseg
