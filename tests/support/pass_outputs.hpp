#pragma once

// What a backend's pass leaves, per customer and in its sums, and the bit-for-bit comparison the
// backend tests make of two passes (tests/unit/test_reassign_changed.cpp, tests/gpu/test_cuda_backend.cpp).

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "kernels/backend.hpp"

namespace kseg::testing {

struct PassOutputs {
  std::vector<int32_t> labels;
  std::vector<float> sq;
  LloydSums sums;
  std::vector<float> runner_up;  // empty where the pass was not asked for it
  std::vector<float> min_sq;     // lower_min_sq_distances after the pass; empty where not run
};

/// A full pass of `backend` (its shard loaded) at `centroids`: labels, distances and sums, with
/// the runner-ups too when `runner_up`.
inline PassOutputs full_pass(Backend& backend, const std::vector<float>& centroids, int k, const Quantization& q,
                             int64_t n, bool runner_up = false) {
  PassOutputs p{std::vector<int32_t>(n), std::vector<float>(n), {}, std::vector<float>(runner_up ? n : 0), {}};
  backend.assign_and_accumulate(centroids.data(), k, q, &p.sums, p.labels.data(), p.sq.data(),
                                runner_up ? p.runner_up.data() : nullptr);
  return p;
}

inline void expect_identical(const PassOutputs& got, const PassOutputs& want, const std::string& what) {
  EXPECT_EQ(got.labels, want.labels) << what;
  EXPECT_EQ(0, std::memcmp(got.sq.data(), want.sq.data(), sizeof(float) * want.sq.size())) << what;
  ASSERT_EQ(got.runner_up.size(), want.runner_up.size()) << what;
  EXPECT_EQ(0, std::memcmp(got.runner_up.data(), want.runner_up.data(), sizeof(float) * want.runner_up.size())) << what;
  ASSERT_EQ(got.min_sq.size(), want.min_sq.size()) << what;
  EXPECT_EQ(0, std::memcmp(got.min_sq.data(), want.min_sq.data(), sizeof(float) * want.min_sq.size())) << what;
  EXPECT_TRUE(got.sums.feature_sums == want.sums.feature_sums) << what;
  EXPECT_EQ(got.sums.counts, want.sums.counts) << what;
  EXPECT_TRUE(got.sums.inertia == want.sums.inertia) << what;
  for (std::size_t slot = 0; slot <= want.sums.inertia_slot(); ++slot) {
    const double expected = want.sums.off_grid.empty() ? 0.0 : want.sums.off_grid[slot].to_double();
    const double found = got.sums.off_grid.empty() ? 0.0 : got.sums.off_grid[slot].to_double();
    EXPECT_EQ(found, expected) << what << ", off-grid slot " << slot;
  }
}

}  // namespace kseg::testing
