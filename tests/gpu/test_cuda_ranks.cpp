// Run under mpiexec with 1 and 2 ranks sharing one GPU: a k-means fit on the CUDA backend equals,
// bit for bit, the single-process fit on the CPU backend. Skipped (loudly) without a GPU.
#include <gtest/gtest.h>

#include <cstring>

#include "cluster/lloyd.hpp"
#include "io/row_partition.hpp"
#include "synth/synthetic_blobs.hpp"
#include "tests/gpu/cuda_test_support.hpp"
#include "tests/support/test_data.hpp"

namespace kseg {
namespace {

TEST(CudaRanks, SharedGpuFitEqualsSingleProcessCpuFit) {
  KSEG_REQUIRE_CUDA_DEVICE();
  const Communicator world(MPI_COMM_WORLD);
  const int64_t n = 200003;
  const int d = 12, k = 10;
  const BlobModel model = make_blob_model(k, d, 9, 3.0);
  auto rows = [&](RowBlock b) {
    std::vector<int64_t> ids(b.count);
    std::vector<float> x(b.count * d);
    std::vector<int32_t> truth(b.count);
    generate_rows(model, b.first, b.count, ids.data(), x.data(), truth.data());
    return std::make_pair(ids, x);
  };
  const auto [local_ids, local_x] = rows(row_block(n, world.size(), world.rank()));
  const auto [all_ids, all_x] = rows({0, n});
  testing::LocalFit gpu(local_x, local_ids, d, MPI_COMM_WORLD, make_cuda_backend({}));
  testing::LocalFit cpu(all_x, all_ids, d, MPI_COMM_SELF);
  KMeansParams p;
  p.k = k;
  p.n_init = 2;
  FitObserver quiet;
  const KMeansResult a = fit_kmeans(gpu.context(), p, quiet), b = fit_kmeans(cpu.context(), p, quiet);
  EXPECT_EQ(0, std::memcmp(a.centroids.data(), b.centroids.data(), sizeof(float) * a.centroids.size()));
  EXPECT_EQ(a.sizes, b.sizes);
  EXPECT_EQ(a.iterations, b.iterations);
}

}  // namespace
}  // namespace kseg
