// Matching of segments across quarters and the drift figures, on small hand-made cases.
#include <gtest/gtest.h>

#include <cmath>

#include "customers/quarter_comparison.hpp"

namespace kseg {
namespace {

// Last quarter: ids 4, 7, 9 at (0,0), (10,0), (0,10). This quarter, in another row order: one
// near (10,0), one near (0,0), and one far from everything (the old (0,10) is gone).
TEST(SegmentMatching, KeepsIdsOfCloseSegmentsAndGivesNewOnesFreshIds) {
  const std::vector<float> previous = {0, 0, 10, 0, 0, 10};
  const std::vector<float> current = {10.3f, 0, 0, 0.4f, 30, 30};
  const SegmentMatch m = match_segments(previous, {4, 7, 9}, {"A", "B", "C"}, current, 2, ComparisonParams{}.match_threshold);
  EXPECT_EQ(m.ids, (std::vector<int32_t>{7, 4, 10})) << "a new segment's id is above every previous id";
  EXPECT_EQ(m.previous_row, (std::vector<int>{1, 0, -1}));
  EXPECT_EQ(m.paired_row[2], 2) << "the far segment was paired with the old (0,10), but too far to match";
  EXPECT_NEAR(m.distance[0], 0.3, 1e-6);
  EXPECT_NEAR(m.distance[2], std::hypot(30.0, 20.0), 1e-4);
  EXPECT_EQ(m.vanished, (std::vector<int32_t>{9}));
}

// Greedy nearest-first would pair current 0 with previous 0 (distance 1) and leave current 1 at
// distance 9; the optimum swaps them (2 + 2 = 4 < 1 + 9).
TEST(SegmentMatching, MinimisesTheTotalDistanceNotEachOne) {
  const std::vector<float> previous = {0, 9};
  const std::vector<float> current = {1, -2};
  ComparisonParams params;
  params.match_threshold = 100;
  const SegmentMatch m = match_segments(previous, {0, 1}, {"A", "B"}, current, 1, params.match_threshold);
  EXPECT_EQ(m.previous_row, (std::vector<int>{1, 0}));
  EXPECT_EQ(m.ids, (std::vector<int32_t>{1, 0}));
}

TEST(SegmentMatching, MoreSegmentsThanLastQuarterGetNewIds) {
  const SegmentMatch m = match_segments({0}, {3}, {"A"}, {0.1f, 50}, 1, ComparisonParams{}.match_threshold);
  EXPECT_EQ(m.ids, (std::vector<int32_t>{3, 4}));
  EXPECT_EQ(m.paired_row[1], -1);
  EXPECT_TRUE(std::isnan(m.distance[1]));
  EXPECT_TRUE(m.vanished.empty());
}

// Last quarter ids 0, 1; this quarter 0 (matched, moved 0.7) and 2 (new); 1 vanished.
struct DriftCase {
  SegmentMatch m;
  MigrationMatrix migration;
};

DriftCase drift_case() {
  DriftCase c;
  SegmentMatch& m = c.m;
  m.previous_ids = {0, 1};
  m.previous_names = {"A", "B"};
  m.ids = {0, 2};
  m.previous_row = {0, -1};
  m.paired_row = {0, 1};
  m.distance = {0.7, 3.0};
  m.vanished = {1};
  MigrationMatrix& migration = c.migration;  // rows 0, 1, new; columns 0, 2, gone
  migration.from = {0, 1, -1};
  migration.to = {0, 2, -1};
  migration.customers = {50, 10, 0,  //
                         20, 10, 10,  //
                         0, 20, 0};
  return c;
}

TEST(Drift, PsiChangedShareAndWarnings) {
  const DriftCase c = drift_case();
  const Drift d = measure_drift(c.m, {60, 40}, {70, 30}, c.migration, ComparisonParams{});
  // Shares by id: 0: 0.6 → 0.7; 1: 0.4 → 0 (floored at 1e-4); 2: 0 (floored) → 0.3.
  const double psi = 0.1 * std::log(0.7 / 0.6) + (1e-4 - 0.4) * std::log(1e-4 / 0.4) + (0.3 - 1e-4) * std::log(0.3 / 1e-4);
  EXPECT_NEAR(d.psi, psi, 1e-12);
  EXPECT_DOUBLE_EQ(d.changed_share, 40.0 / 90.0) << "of the 90 returning customers, 10 + 20 + 10 changed id";
  EXPECT_DOUBLE_EQ(d.centroid_shift[0], 0.7);
  EXPECT_TRUE(std::isnan(d.centroid_shift[1])) << "a new segment has no shift";
  ASSERT_EQ(d.warnings.size(), 5u);
  EXPECT_NE(d.warnings[0].find("PSI"), std::string::npos);
  EXPECT_NE(d.warnings[1].find("44.4% of returning customers"), std::string::npos);
  EXPECT_EQ(d.warnings[2], "segment 0 moved 0.700 (> 0.500)");
  EXPECT_EQ(d.warnings[3], "segment 2 is new: its closest counterpart, last quarter's 1 (B), is 3.000 away "
                           "(> the match threshold 1.000)");
  EXPECT_EQ(d.warnings[4], "segment 1 of last quarter has no match this quarter (vanished)");
}

TEST(Drift, ThresholdsAreTheUsers) {
  const DriftCase c = drift_case();
  ComparisonParams lenient;
  lenient.psi_warning = 100;
  lenient.changed_share_warning = 0.5;
  lenient.shift_warning = 0.8;
  const Drift d = measure_drift(c.m, {60, 40}, {70, 30}, c.migration, lenient);
  ASSERT_EQ(d.warnings.size(), 2u) << "only the new and the vanished segment are still worth a line";
  EXPECT_NE(d.warnings[0].find("segment 2 is new"), std::string::npos);
  EXPECT_NE(d.warnings[1].find("vanished"), std::string::npos);
}

}  // namespace
}  // namespace kseg
