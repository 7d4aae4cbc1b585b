// The bounded pass one point at a time, as the CUDA backend runs it (a thread per point, the
// rules of kernels/detail/bounded_point.hpp), run here on the host: along Lloyd iterations and
// centroids that jump and return, over a table of sizes, with Hamerly bounds alone and with group
// bounds, every pass must leave each customer in the segment a full pass gives, count its moves,
// and spare distances once the segments settle.
#include <gtest/gtest.h>

#include "cluster/lloyd.hpp"
#include "kernels/centroid_motion.hpp"
#include "kernels/detail/bounded_point.hpp"
#include "tests/support/bounded_pass_cases.hpp"
#include "tests/support/test_data.hpp"

namespace kseg {
namespace {

using testing::Size;

// Every customer's state as the CUDA backend keeps it, here in host memory, and its passes.
class PointAtATimePass {
 public:
  PointAtATimePass(const std::vector<float>& x, const Size& s, int groups)
      : x_(x), s_(s), groups_(groups), label_(s.n), stamp_(s.n), upper_(s.n), lower_(s.n),
        group_lower_(static_cast<std::size_t>(s.n) * groups) {}

  void start(const std::vector<float>& centroids) {
    if (groups_ > 0) drift_.reset(groups_);
    for (int64_t i = 0; i < s_.n; ++i)
      detail::start_point(states(), i, detail::nearest_in_range(row(i), centroids.data(), 0, s_.k, s_.d), s_.d);
  }

  void follow(const std::vector<float>& centroids, const CentroidMotion& motion) {
    if (groups_ > 0) drift_.advance(motion.group_moved.data());
    const detail::GroupDriftView drift{drift_.table().data(), groups_ > 0 ? drift_.pass() : 0};
    moved_ = searched_ = 0;
    for (int64_t i = 0; i < s_.n; ++i) {
      const detail::FollowedPoint point =
          detail::follow_point(row(i), centroids.data(), s_.k, s_.d, i, motion.view(), drift, states());
      moved_ += point.from != point.to;
      searched_ += point.searched;
    }
  }

  const std::vector<int32_t>& labels() const { return label_; }
  int64_t moved() const { return moved_; }
  int64_t distances_searched() const { return searched_; }

 private:
  const float* row(int64_t i) const { return x_.data() + i * s_.d; }
  detail::PointStates states() {
    return {label_.data(), upper_.data(), lower_.data(), group_lower_.data(), stamp_.data(), groups_};
  }

  const std::vector<float>& x_;
  Size s_;
  int groups_;
  std::vector<int32_t> label_, stamp_;
  std::vector<float> upper_, lower_, group_lower_;
  detail::GroupDrift drift_;
  int64_t moved_ = 0, searched_ = 0;
};

// Passes from k of the customers, the centroids of each from next(full pass's sums, q, centroids):
// at each, the customers' segments must be the full pass's, and the moves counted those that
// changed. Returns the distances searched from the 7th pass on, per customer and pass.
template <typename Next = decltype(&testing::lloyd_next)>
double expect_full_pass_segments(const std::vector<float>& x, const Size& s, int groups, int iterations = 12,
                                 Next next = &testing::lloyd_next) {
  constexpr int kSettled = 6;
  testing::LocalFit fit(x, testing::sequential_ids(s.n), s.d);
  const Quantization& q = fit.summary.quantization;
  std::vector<float> centroids(fit.x.begin(), fit.x.begin() + std::min<int64_t>(s.k, s.n) * s.d);
  centroids.resize(static_cast<std::size_t>(s.k) * s.d, 0.5f);
  PointAtATimePass pass(fit.x, s, groups);
  std::vector<float> before;
  std::vector<int32_t> labels_before;
  int64_t searched = 0;
  for (int it = 0; it < iterations && !::testing::Test::HasFailure(); ++it) {
    const std::string where = std::to_string(groups) + " groups, iteration " + std::to_string(it);
    LloydSums full;
    std::vector<int32_t> labels(s.n);
    fit.backend->assign_and_accumulate(centroids.data(), s.k, q, &full, labels.data(), nullptr, nullptr);
    if (before.empty()) {
      pass.start(centroids);
    } else {
      pass.follow(centroids, measure_motion(before, centroids, s.k, s.d));
      int64_t changed = 0;
      for (int64_t i = 0; i < s.n; ++i) changed += labels[i] != labels_before[i];
      EXPECT_EQ(pass.moved(), changed) << where;
    }
    EXPECT_EQ(pass.labels(), labels) << where;
    if (it >= kSettled) searched += pass.distances_searched();
    labels_before = labels;
    before = centroids;
    centroids = next(full, q, centroids);
  }
  return static_cast<double>(searched) / static_cast<double>((iterations - kSettled) * s.n);
}

class BoundedPoint : public ::testing::TestWithParam<Size> {
 protected:
  // Hamerly bounds alone, and group bounds.
  template <typename... Rest>
  void expect_full_pass_segments_either_way(const std::vector<float>& x, const Size& s, Rest... rest) {
    for (int groups : {0, detail::group_count(s.k)}) expect_full_pass_segments(x, s, groups, rest...);
  }
};

TEST_P(BoundedPoint, KeepsTheFullPassSegmentsAlongLloydIterations) {
  const Size s = GetParam();
  expect_full_pass_segments_either_way(testing::random_matrix(s.n, s.d, 41), s);
}

// Small integers: many customers at exactly equal distance from two centroids.
TEST_P(BoundedPoint, SendsTiesWhereTheFullPassDoes) {
  const Size s = GetParam();
  expect_full_pass_segments_either_way(testing::tied_matrix(s.n, s.d, 42), s);
}

TEST_P(BoundedPoint, HandlesOffGridAndHugeDistances) {
  const Size s = GetParam();
  expect_full_pass_segments_either_way(testing::off_grid_matrix(s.n, s.d, 43, 1.2e19f), s);
}

// Centroids that jump onto a customer and come back, one that leaps, or all that drift.
TEST_P(BoundedPoint, FollowsCentroidsThatJumpAndReturn) {
  const Size s = GetParam();
  const std::vector<float> x = testing::random_matrix(s.n, s.d, 44);
  for (int groups : {0, detail::group_count(s.k)}) expect_full_pass_segments(x, s, groups, 24, testing::JumpOrDrift(x, s, 45));
}

// On segments that stand apart the bounds settle nearly every customer, and at many segments
// the group bounds search a fraction of the centroids the Hamerly bounds alone do.
TEST_P(BoundedPoint, SparesDistancesOnSeparatedSegments) {
  const Size s = GetParam();
  if (s.n < 1000) GTEST_SKIP() << "too few customers for a share to mean anything";
  const std::vector<float> x = testing::separated_blobs(s);
  const double hamerly = expect_full_pass_segments(x, s, 0);
  const double grouped = expect_full_pass_segments(x, s, detail::group_count(s.k));
  EXPECT_LT(hamerly, 0.25 * s.k) << "centroid distances per customer and pass";
  EXPECT_LE(grouped, hamerly);
  if (s.k >= 64) {
    EXPECT_LT(grouped, 0.25 * hamerly);
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, BoundedPoint, ::testing::ValuesIn(testing::bounded_pass_sizes()), testing::size_name);

}  // namespace
}  // namespace kseg
