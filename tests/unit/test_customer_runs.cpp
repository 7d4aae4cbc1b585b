// The CPU's linear-time grouping of lines by customer against the comparison sort it replaces:
// the same positions in detail::LineOrder, the same runs, for dense and sparse ids alike.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <numeric>
#include <random>

#include "kernels/customer_runs_cpu.hpp"

namespace kseg {
namespace {

enum class Ids { dense, sparse, extremes };

struct RunsCase {
  int64_t lines;
  int64_t customers;
  Ids ids;
  bool time_ordered;  // a log written as it happens; otherwise times in any order, many ties
  bool with_orders;
};

std::string case_name(const testing::TestParamInfo<RunsCase>& info) {
  const RunsCase& c = info.param;
  const char* ids = c.ids == Ids::dense ? "dense" : c.ids == Ids::sparse ? "sparse" : "extremes";
  return std::to_string(c.lines) + "lines_" + std::to_string(c.customers) + "customers_" + ids +
         (c.time_ordered ? "_timeordered" : "_shuffled") + (c.with_orders ? "_orders" : "");
}

struct Lines {
  std::vector<int64_t> customer, timestamp, order;
  LineColumns view() const {
    LineColumns v;
    v.n = static_cast<int64_t>(customer.size());
    v.customer_id = customer.data();
    v.timestamp = timestamp.data();
    v.order_id = order.empty() ? nullptr : order.data();
    return v;
  }
};

int64_t id_of(int64_t c, Ids ids, std::mt19937_64& rng) {
  switch (ids) {
    case Ids::dense: return 1000 + 2 * c;  // gaps: keys without lines
    case Ids::sparse: return static_cast<int64_t>(rng() >> 1) - (int64_t{1} << 61);
    case Ids::extremes: return c % 3 == 0 ? INT64_MIN + c : c % 3 == 1 ? INT64_MAX - c : -c;
  }
  return c;
}

Lines make_lines(const RunsCase& c) {
  std::mt19937_64 rng(static_cast<uint64_t>(c.lines * 31 + c.customers));
  std::vector<int64_t> ids(c.customers);
  for (int64_t k = 0; k < c.customers; ++k) ids[k] = id_of(k, c.ids, rng);
  Lines l;
  for (int64_t i = 0; i < c.lines; ++i) {
    // A few customers get long runs (past the insertion sort's limit).
    const int64_t who = rng() % 4 == 0 ? static_cast<int64_t>(rng() % std::min<int64_t>(3, c.customers))
                                       : static_cast<int64_t>(rng() % c.customers);
    l.customer.push_back(ids[who]);
    l.timestamp.push_back(c.time_ordered ? i * 3600 : static_cast<int64_t>(rng() % 5) * 86400);
    if (c.with_orders) l.order.push_back(static_cast<int64_t>(rng() % 4));
  }
  return l;
}

class CustomerRunsSizes : public testing::TestWithParam<RunsCase> {};

TEST_P(CustomerRunsSizes, EqualsTheComparisonSort) {
  const Lines lines = make_lines(GetParam());
  const LineColumns view = lines.view();
  std::vector<int64_t> expected(view.n);
  std::iota(expected.begin(), expected.end(), 0);
  std::sort(expected.begin(), expected.end(), detail::LineOrder{view.customer_id, view.timestamp, view.order_id});
  std::vector<int64_t> customers, starts{0};
  for (int64_t k = 0; k < view.n; ++k) {
    if (k > 0 && lines.customer[expected[k]] == lines.customer[expected[k - 1]]) continue;
    if (k > 0) starts.push_back(k);
    customers.push_back(lines.customer[expected[k]]);
  }
  starts.push_back(view.n);

  const CustomerRuns runs = group_by_customer_cpu(view);
  EXPECT_EQ(runs.order, expected);
  EXPECT_EQ(runs.customer, customers);
  EXPECT_EQ(runs.start, starts);
}

INSTANTIATE_TEST_SUITE_P(
    Table, CustomerRunsSizes,
    testing::Values(RunsCase{1, 1, Ids::dense, true, false}, RunsCase{7, 3, Ids::extremes, false, true},
                    RunsCase{500, 40, Ids::dense, false, true}, RunsCase{500, 40, Ids::sparse, false, false},
                    RunsCase{20000, 3000, Ids::dense, true, true}, RunsCase{20000, 3000, Ids::sparse, true, true},
                    RunsCase{20000, 3000, Ids::extremes, false, false},
                    RunsCase{100000, 30000, Ids::sparse, false, true}),  // the id table grows many times
    case_name);

TEST(CustomerRuns, NoLinesNoRuns) {
  const CustomerRuns runs = group_by_customer_cpu(LineColumns{});
  EXPECT_TRUE(runs.order.empty());
  EXPECT_TRUE(runs.customer.empty());
  EXPECT_EQ(runs.start, std::vector<int64_t>{0});
}

}  // namespace
}  // namespace kseg
