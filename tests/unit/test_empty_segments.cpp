// The empty-segment policy: farthest customer first, ties to the smaller id, never NaN.
#include <gtest/gtest.h>

#include <cmath>

#include "cluster/empty_segments.hpp"
#include "cluster/lloyd.hpp"
#include "tests/support/test_data.hpp"

namespace kseg {
namespace {

TEST(EmptySegments, MovesEmptyCentroidOntoTheFarthestCustomer) {
  // 1-D customers at 0, 1, 2 and 10; centroid 0 at 1 takes them all, centroid 1 at 100 none.
  testing::LocalFit fit({0, 1, 2, 10}, {7, 8, 9, 10}, 1);
  const std::vector<float> assigned_to = {1.0f, 100.0f};
  std::vector<float> updated = {3.25f, 100.0f};
  const int moved = reseed_empty_segments(fit.context(), assigned_to, {4, 0}, updated);
  EXPECT_EQ(moved, 1);
  EXPECT_EQ(updated[0], 3.25f) << "non-empty segments keep their mean";
  EXPECT_EQ(updated[1], 10.0f) << "the customer at 10 is farthest from its centroid";
}

TEST(EmptySegments, TiesGoToTheSmallerCustomerId) {
  // Customers at -5 (id 31) and +5 (id 30) are equally far from the centroid at 0.
  testing::LocalFit fit({-5, 0, 5}, {31, 32, 30}, 1);
  std::vector<float> updated = {0.0f, 50.0f};
  reseed_empty_segments(fit.context(), {0.0f, 50.0f}, {3, 0}, updated);
  EXPECT_EQ(updated[1], 5.0f);
}

TEST(EmptySegments, SeveralEmptySegmentsTakeDistinctCustomers) {
  testing::LocalFit fit({0, 1, 2, 3, 20, 30}, {1, 2, 3, 4, 5, 6}, 1);
  std::vector<float> updated = {0.0f, 500.0f, 600.0f};
  reseed_empty_segments(fit.context(), {0.0f, 500.0f, 600.0f}, {6, 0, 0}, updated);
  EXPECT_EQ(updated[1], 30.0f);
  EXPECT_EQ(updated[2], 20.0f);
}

TEST(EmptySegments, DuplicatePointsNeverProduceNaN) {
  // Ten identical customers and k = 3: segments must stay finite and sizes add up.
  const int d = 2;
  testing::LocalFit fit(std::vector<float>(20, 1.5f), testing::sequential_ids(10), d);
  for (InitMethod init : {InitMethod::kmeans_parallel, InitMethod::kmeans_plus_plus, InitMethod::random}) {
    KMeansParams p;
    p.k = 3;
    p.init = init;
    p.max_iter = 10;
    FitObserver quiet;
    const KMeansResult r = fit_kmeans(fit.context(), p, quiet);
    for (float v : r.centroids) EXPECT_TRUE(std::isfinite(v));
    int64_t total = 0;
    for (int64_t s : r.sizes) total += s;
    EXPECT_EQ(total, 10);
    EXPECT_EQ(r.inertia, 0.0);
  }
}

}  // namespace
}  // namespace kseg
