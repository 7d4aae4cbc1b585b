// Backend::reassign_changed against full passes: after one centroid jumps onto a customer (a
// swap), after the Lloyd step that follows, after nothing changed, and after one centroid lands on
// another (ties). Over a table of sizes and with any thread count, its labels, distances and
// exact sums must equal the full pass's bit for bit.
#include <gtest/gtest.h>
#include <omp.h>

#include <random>
#include <string>

#include "cluster/lloyd.hpp"
#include "kernels/centroid_motion.hpp"
#include "tests/support/bounded_pass_cases.hpp"
#include "tests/support/pass_outputs.hpp"
#include "tests/support/test_data.hpp"

namespace kseg {
namespace {

using testing::expect_identical;
using testing::full_pass;
using testing::PassOutputs;
using testing::Size;

// From k of the points, a chain of changes, each checked against a full pass at its centroids.
void expect_reassign_equals_full_pass(const std::vector<float>& x, const Size& s) {
  static const char* const kChanges[] = {"a jump onto a customer", "a Lloyd step", "no change", "a centroid onto another"};
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    testing::LocalFit fit(x, testing::sequential_ids(s.n), s.d);
    const Quantization& q = fit.summary.quantization;
    std::vector<float> centroids(fit.x.begin(), fit.x.begin() + std::min<int64_t>(s.k, s.n) * s.d);
    centroids.resize(static_cast<std::size_t>(s.k) * s.d, 0.5f);
    PassOutputs state = full_pass(*fit.backend, centroids, s.k, q, s.n);
    std::mt19937 rng(static_cast<uint32_t>(threads));
    for (int step = 0; step < 12; ++step) {
      std::vector<float> next = centroids;
      const int row = static_cast<int>(rng() % s.k), other = static_cast<int>(rng() % s.k);
      switch (step % 4) {
        case 0: std::copy_n(fit.x.begin() + (rng() % s.n) * s.d, s.d, next.begin() + row * s.d); break;
        case 1: next = centroids_from_sums(state.sums, q, centroids); break;
        case 2: break;
        case 3: std::copy_n(centroids.begin() + other * s.d, s.d, next.begin() + row * s.d); break;
      }
      const std::string where = std::to_string(threads) + " threads, step " + std::to_string(step) + ": " + kChanges[step % 4];
      PassOutputs got = state;
      fit.backend->reassign_changed(next.data(), s.k, changed_centroids(centroids, next, s.k, s.d), q, &got.sums,
                                    got.labels.data(), got.sq.data());
      const PassOutputs want = full_pass(*fit.backend, next, s.k, q, s.n);
      expect_identical(got, want, where);
      state = want;
      centroids = next;
    }
  }
  omp_set_num_threads(2);
}

class ReassignChanged : public ::testing::TestWithParam<Size> {};

TEST_P(ReassignChanged, EqualsTheFullPass) {
  const Size s = GetParam();
  expect_reassign_equals_full_pass(testing::random_matrix(s.n, s.d, 41), s);
}

TEST_P(ReassignChanged, EqualsTheFullPassWithTiedDistances) {
  const Size s = GetParam();
  expect_reassign_equals_full_pass(testing::tied_matrix(s.n, s.d, 42), s);
}

TEST_P(ReassignChanged, EqualsTheFullPassWithOffGridValues) {
  const Size s = GetParam();
  expect_reassign_equals_full_pass(testing::off_grid_matrix(s.n, s.d, 43, 1e11f), s);
}

INSTANTIATE_TEST_SUITE_P(Sizes, ReassignChanged, ::testing::ValuesIn(testing::bounded_pass_sizes()), testing::size_name);

}  // namespace
}  // namespace kseg
