// Run under mpiexec with 1, 2 and 4 ranks: the distributed fit must equal, bit for bit, a fit of
// the whole data set on a single process (every rank computes that reference on MPI_COMM_SELF).
#include <gtest/gtest.h>

#include <cstring>

#include "cluster/lloyd.hpp"
#include "io/row_partition.hpp"
#include "synth/synthetic_blobs.hpp"
#include "tests/support/test_data.hpp"

namespace kseg {
namespace {

struct Case {
  int64_t n;
  int d;
  int k;
  InitMethod init;
  int n_init;
};

class PartitionIndependence : public ::testing::TestWithParam<Case> {};

struct Rows {
  std::vector<int64_t> ids;
  std::vector<float> x;
};

Rows rows(const BlobModel& model, RowBlock block) {
  Rows r{std::vector<int64_t>(block.count), std::vector<float>(block.count * model.d)};
  std::vector<int32_t> truth(block.count);
  generate_rows(model, block.first, block.count, r.ids.data(), r.x.data(), truth.data());
  return r;
}

TEST_P(PartitionIndependence, DistributedFitEqualsSingleProcessFit) {
  const Case c = GetParam();
  const Communicator world(MPI_COMM_WORLD);
  const BlobModel model = make_blob_model(c.k, c.d, 3, 3.0);  // overlapping blobs: many boundary points
  const RowBlock mine = row_block(c.n, world.size(), world.rank());
  Rows local = rows(model, mine), all = rows(model, {0, c.n});

  KMeansParams p;
  p.k = c.k;
  p.init = c.init;
  p.n_init = c.n_init;
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
  EXPECT_EQ(std::memcmp(&got.inertia, &want.inertia, sizeof(double)), 0);

  std::vector<int32_t> local_labels(mine.count), all_labels(c.n);
  distributed.backend->assign_and_accumulate(got.centroids.data(), c.k, distributed.summary.quantization, nullptr,
                                             local_labels.data(), nullptr);
  single.backend->assign_and_accumulate(want.centroids.data(), c.k, single.summary.quantization, nullptr,
                                        all_labels.data(), nullptr);
  EXPECT_TRUE(std::equal(local_labels.begin(), local_labels.end(), all_labels.begin() + mine.first));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PartitionIndependence,
    ::testing::Values(Case{20011, 6, 9, InitMethod::kmeans_parallel, 2}, Case{5003, 3, 4, InitMethod::kmeans_plus_plus, 2},
                      Case{5003, 17, 12, InitMethod::random, 3}, Case{999, 1, 1, InitMethod::kmeans_parallel, 1},
                      // 3 customers on 4 ranks: one rank holds an empty shard and must still take part.
                      Case{3, 2, 2, InitMethod::kmeans_parallel, 1}, Case{3, 2, 3, InitMethod::kmeans_plus_plus, 1}));

}  // namespace
}  // namespace kseg
