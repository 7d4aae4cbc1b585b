// Run under mpiexec with 1, 2 and 4 ranks: a campaign's control group is, in every segment,
// exactly round(share × customers) customers, those with the smallest (draw, id), whatever the
// number of ranks and whichever rank holds which rows; the measured response (counts, exact
// revenue sums) is bit-identical to one process's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "customers/campaign_groups.hpp"
#include "customers/campaign_response.hpp"
#include "io/row_partition.hpp"

namespace kseg {
namespace {

// Segment sizes from 1 to thousands, so that rounding, tiny segments and large ones all occur.
struct Customers {
  std::vector<int64_t> id;
  std::vector<int32_t> segment;
};

Customers all_customers() {
  Customers c;
  const std::vector<std::pair<int32_t, int64_t>> sizes = {{0, 1}, {3, 2}, {4, 5}, {7, 15}, {9, 1234}, {12, 4001}};
  int64_t next = 5000000;
  for (const auto& [segment, n] : sizes)
    for (int64_t i = 0; i < n; ++i) c.id.push_back(next += 7 + (i % 5)), c.segment.push_back(segment);
  return c;
}

// Row i goes to rank i % ranks: the rows of a segment are spread over every rank, out of order.
Customers dealt(const Customers& all, const Communicator& comm) {
  Customers mine;
  for (std::size_t i = 0; i < all.id.size(); ++i)
    if (static_cast<int>(i % comm.size()) == comm.rank()) mine.id.push_back(all.id[i]), mine.segment.push_back(all.segment[i]);
  return mine;
}

std::map<int64_t, int8_t> groups_by_id(const Customers& c, const CampaignGroups& g) {
  std::map<int64_t, int8_t> by_id;
  for (std::size_t i = 0; i < c.id.size(); ++i) by_id[c.id[i]] = g.group[i];
  return by_id;
}

TEST(CampaignGroups, SameControlGroupForAnyRankCountAndRowOrder) {
  const Communicator world(MPI_COMM_WORLD), self(MPI_COMM_SELF);
  const Customers all = all_customers(), mine = dealt(all, world);
  const CampaignGroups alone = choose_control_groups(all.id, all.segment, "winback-2024", 0.1, self);
  const CampaignGroups spread = choose_control_groups(mine.id, mine.segment, "winback-2024", 0.1, world);
  const std::map<int64_t, int8_t> reference = groups_by_id(all, alone);
  int64_t differ = 0;
  for (std::size_t i = 0; i < mine.id.size(); ++i) differ += spread.group[i] != reference.at(mine.id[i]);
  EXPECT_EQ(world.sum(differ), 0);
  EXPECT_EQ(spread.segment_ids, (std::vector<int32_t>{0, 3, 4, 7, 9, 12}));
  EXPECT_EQ(spread.customers, alone.customers);
  EXPECT_EQ(spread.control, alone.control);
}

TEST(CampaignGroups, ExactlyTheSmallestDrawsOfEachSegment) {
  const Communicator world(MPI_COMM_WORLD);
  const Customers all = all_customers(), mine = dealt(all, world);
  for (const double share : {0.1, 0.5, 0.25, 0.9}) {
    const CampaignGroups g = choose_control_groups(mine.id, mine.segment, "spring", share, world);
    std::vector<int64_t> control_ids;
    for (std::size_t i = 0; i < mine.id.size(); ++i)
      if (g.group[i] == CampaignGroups::kControl) control_ids.push_back(mine.id[i]);
    std::vector<int64_t> chosen = world.all_gather_values(control_ids);
    std::sort(chosen.begin(), chosen.end());
    // By brute force: sort each segment by (draw, id) and take the first round(share × n).
    std::vector<int64_t> expected;
    for (const int32_t s : g.segment_ids) {
      std::vector<std::pair<uint64_t, int64_t>> ranked;
      for (std::size_t i = 0; i < all.id.size(); ++i)
        if (all.segment[i] == s) ranked.emplace_back(control_draw(campaign_key("spring"), all.id[i]), all.id[i]);
      std::sort(ranked.begin(), ranked.end());
      const int64_t wanted = std::llround(share * static_cast<double>(ranked.size()));
      for (int64_t k = 0; k < wanted; ++k) expected.push_back(ranked[k].second);
    }
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(chosen, expected) << "share " << share;
    // round(share × n): segments of 1, 2, 5, 15, 1234 and 4001 customers.
    for (std::size_t s = 0; s < g.segment_ids.size(); ++s)
      EXPECT_EQ(g.control[s], std::llround(share * static_cast<double>(g.customers[s])));
  }
}

TEST(CampaignGroups, AnotherNameDrawsAnotherGroup) {
  const Communicator world(MPI_COMM_WORLD);
  const Customers mine = dealt(all_customers(), world);
  const CampaignGroups a = choose_control_groups(mine.id, mine.segment, "campaign-a", 0.5, world);
  const CampaignGroups b = choose_control_groups(mine.id, mine.segment, "campaign-b", 0.5, world);
  int64_t both = 0, control_a = 0;
  for (std::size_t i = 0; i < mine.id.size(); ++i) both += a.group[i] && b.group[i], control_a += a.group[i];
  // Independent halves overlap in about a quarter of the customers, never all of them.
  const double overlap = static_cast<double>(world.sum(both)) / static_cast<double>(world.sum(control_a));
  EXPECT_GT(overlap, 0.4);
  EXPECT_LT(overlap, 0.6);
}

// Lines of the plan's customers (and of a customer outside it), dealt over the ranks out of order.
TransactionColumns window_lines(const Customers& all, const Communicator& comm) {
  TransactionColumns lines;
  int64_t line = 0;
  for (std::size_t i = 0; i < all.id.size(); i += 3)
    for (int k = 0; k < static_cast<int>(i % 4); ++k, ++line) {
      if (line % comm.size() != comm.rank()) continue;
      lines.customer_id.push_back(all.id[i]);
      lines.timestamp.push_back(1000 + 37 * line % 5000);
      lines.amount.push_back(k == 2 ? -0.1 * (line % 9) : 0.01 * (line % 1000) + 1e-3 * k);  // returns too
      lines.order_id.push_back(all.id[i] * 1000 + k / 2);
    }
  if (comm.is_root()) lines.customer_id.push_back(42), lines.timestamp.push_back(2000), lines.amount.push_back(5),
      lines.order_id.push_back(1);
  return lines;
}

TEST(CampaignResponse, SameTotalsForAnyRankCount) {
  const Communicator world(MPI_COMM_WORLD), self(MPI_COMM_SELF);
  const Customers all = all_customers(), mine = dealt(all, world);
  const CampaignGroups g_all = choose_control_groups(all.id, all.segment, "x", 0.3, self);
  const CampaignGroups g_mine = choose_control_groups(mine.id, mine.segment, "x", 0.3, world);
  const PlanRows plan_all{"all", all.id, all.segment, g_all.group}, plan_mine{"mine", mine.id, mine.segment, g_mine.group};
  // The lines dealt over the ranks, against one process holding them all (a one-rank split).
  const CampaignResponse spread = measure_campaign_response(plan_mine, window_lines(all, world), true, 1500, 5000, "t", world);
  const CampaignResponse alone = measure_campaign_response(plan_all, window_lines(all, self), true, 1500, 5000, "t", self);
  ASSERT_EQ(spread.segment_ids, alone.segment_ids);
  EXPECT_EQ(spread.lines_in_window, alone.lines_in_window);
  EXPECT_EQ(spread.buyers_outside_plan, 1);
  EXPECT_EQ(alone.buyers_outside_plan, 1);
  const auto same = [](const GroupResponse& a, const GroupResponse& b) {
    return a.customers == b.customers && a.converted == b.converted && a.orders == b.orders &&
           std::memcmp(&a.revenue, &b.revenue, sizeof(double)) == 0 &&
           std::memcmp(&a.revenue_deviation, &b.revenue_deviation, sizeof(double)) == 0;
  };
  for (std::size_t s = 0; s < spread.segment_ids.size(); ++s) {
    EXPECT_TRUE(same(spread.treated[s], alone.treated[s])) << "segment " << spread.segment_ids[s];
    EXPECT_TRUE(same(spread.control[s], alone.control[s])) << "segment " << spread.segment_ids[s];
  }
  EXPECT_TRUE(same(spread.all_treated, alone.all_treated));
  EXPECT_TRUE(same(spread.all_control, alone.all_control));
  EXPECT_EQ(spread.all_treated.customers + spread.all_control.customers, static_cast<int64_t>(all.id.size()));
  EXPECT_GT(spread.all_treated.converted, 0);
}

}  // namespace
}  // namespace kseg
