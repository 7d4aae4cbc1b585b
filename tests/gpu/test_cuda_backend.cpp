// The CUDA backend against the CPU backend, bit for bit, over a table of sizes; streaming
// against resident. Skipped (loudly) where there is no GPU.
#include <gtest/gtest.h>

#include "cluster/lloyd.hpp"
#include "kernels/centroid_motion.hpp"
#include "kernels/device.hpp"
#include "tests/gpu/cuda_test_support.hpp"
#include "tests/support/pass_outputs.hpp"
#include "tests/support/test_data.hpp"

namespace kseg {
namespace {

using testing::expect_identical;
using testing::full_pass;
using testing::PassOutputs;
using testing::Size;

PassOutputs run_pass(Backend& backend, const testing::LocalFit& fit, const std::vector<float>& centroids, int k) {
  backend.load_shard(fit.view);
  PassOutputs p = full_pass(backend, centroids, k, fit.summary.quantization, fit.view.n, true);
  p.min_sq.assign(fit.view.n, 3.0f);
  backend.lower_min_sq_distances(centroids.data(), k, p.min_sq.data());
  return p;
}

class CudaBackend : public ::testing::TestWithParam<Size> {};

TEST_P(CudaBackend, BitIdenticalToCpuResidentAndStreamed) {
  KSEG_REQUIRE_CUDA_DEVICE();
  const Size s = GetParam();
  const testing::LocalFit fit(testing::random_matrix(s.n, s.d, 21), testing::sequential_ids(s.n), s.d);
  const std::vector<float> centroids = testing::random_matrix(s.k, s.d, 22);
  const PassOutputs cpu = run_pass(*make_cpu_backend(), fit, centroids, s.k);
  expect_identical(run_pass(*make_cuda_backend({}), fit, centroids, s.k), cpu, "resident");
  const int64_t chunk = std::max<int64_t>(1, s.n / 3 + 7);
  expect_identical(run_pass(*make_cuda_backend({chunk}), fit, centroids, s.k), cpu, "streamed");
}

// The bounded passes along Lloyd iterations, Hamerly and grouped: the CUDA backend's sums and
// counts of moved customers equal the CPU backend's at every iteration, resident and streamed.
TEST_P(CudaBackend, BoundedPassBitIdenticalToCpu) {
  KSEG_REQUIRE_CUDA_DEVICE();
  const Size s = GetParam();
  if (s.n > 1000000) GTEST_SKIP() << "the bounded pass is checked up to 1M customers";
  const testing::LocalFit fit(testing::random_matrix(s.n, s.d, 31), testing::sequential_ids(s.n), s.d);
  const int64_t chunk = std::max<int64_t>(1, s.n / 3 + 7);
  for (BoundKind kind : {BoundKind::hamerly, BoundKind::grouped}) {
    std::unique_ptr<Backend> cpu = make_cpu_backend(), resident = make_cuda_backend({}), streamed = make_cuda_backend({chunk});
    for (Backend* b : {cpu.get(), resident.get(), streamed.get()}) b->load_shard(fit.view);
    std::vector<float> centroids(fit.x.begin(), fit.x.begin() + std::min<int64_t>(s.k, s.n) * s.d), before;
    centroids.resize(static_cast<std::size_t>(s.k) * s.d, 0.5f);
    for (int it = 0; it < 8; ++it) {
      const CentroidMotion motion = before.empty() ? CentroidMotion{} : measure_motion(before, centroids, s.k, s.d);
      const CentroidMotion* moved = before.empty() ? nullptr : &motion;
      LloydSums want, got_resident, got_streamed;
      cpu->assign_bounded(centroids.data(), s.k, fit.summary.quantization, moved, kind, &want);
      resident->assign_bounded(centroids.data(), s.k, fit.summary.quantization, moved, kind, &got_resident);
      streamed->assign_bounded(centroids.data(), s.k, fit.summary.quantization, moved, kind, &got_streamed);
      for (const LloydSums* got : {&got_resident, &got_streamed}) {
        const std::string what = std::string(kind == BoundKind::grouped ? "grouped, " : "hamerly, ") +
                                 (got == &got_resident ? "resident" : "streamed") + ", iteration " + std::to_string(it);
        EXPECT_TRUE(got->feature_sums == want.feature_sums) << what;
        EXPECT_EQ(got->counts, want.counts) << what;
        EXPECT_EQ(got->moved, want.moved) << what;
      }
      before = centroids;
      centroids = centroids_from_sums(want, fit.summary.quantization, centroids);
    }
  }
}

// A swap's trial passes (Backend::reassign_changed): one centroid jumps onto a customer, then the
// Lloyd step; the CUDA backend (a full pass) and the CPU backend (the changed centroids alone)
// leave the same labels, distances and sums.
TEST_P(CudaBackend, PassAfterAChangeBitIdenticalToCpu) {
  KSEG_REQUIRE_CUDA_DEVICE();
  const Size s = GetParam();
  if (s.n > 1000000) GTEST_SKIP() << "the pass after a change is checked up to 1M customers";
  const testing::LocalFit fit(testing::random_matrix(s.n, s.d, 51), testing::sequential_ids(s.n), s.d);
  const Quantization& q = fit.summary.quantization;
  std::vector<float> before = testing::random_matrix(s.k, s.d, 52);
  std::unique_ptr<Backend> cpu = make_cpu_backend(), cuda = make_cuda_backend({});
  for (Backend* b : {cpu.get(), cuda.get()}) b->load_shard(fit.view);
  PassOutputs on_cpu = full_pass(*cpu, before, s.k, q, s.n);
  PassOutputs on_cuda = on_cpu;
  std::vector<float> after = before;
  std::copy_n(fit.x.begin() + (s.n / 2) * s.d, s.d, after.begin());  // centroid 0 onto a customer
  for (int step = 0; step < 2; ++step) {
    const std::vector<int32_t> changed = changed_centroids(before, after, s.k, s.d);
    cpu->reassign_changed(after.data(), s.k, changed, q, &on_cpu.sums, on_cpu.labels.data(), on_cpu.sq.data());
    cuda->reassign_changed(after.data(), s.k, changed, q, &on_cuda.sums, on_cuda.labels.data(), on_cuda.sq.data());
    expect_identical(on_cuda, on_cpu, "step " + std::to_string(step));
    before = after;
    after = centroids_from_sums(on_cpu.sums, q, after);
  }
}

// N from 1 to 10M, not multiples of the 256-thread block; D 1..64; K 1..256 (K·D beyond one
// shared-memory tile too).
INSTANTIATE_TEST_SUITE_P(Sizes, CudaBackend,
                         ::testing::Values(Size{1, 1, 1}, Size{255, 3, 2}, Size{257, 8, 7}, Size{10007, 16, 16},
                                           Size{100003, 32, 64}, Size{65537, 64, 256}, Size{1000003, 7, 33},
                                           Size{10000019, 32, 16}),
                         testing::size_name);

}  // namespace
}  // namespace kseg
