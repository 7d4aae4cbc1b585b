// The minimum-cost assignment: optimal against brute force, a valid partial injection, deterministic.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <numeric>
#include <ostream>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cluster/assignment_problem.hpp"

namespace kseg {
namespace {

double total_cost(const std::vector<double>& cost, int cols, const std::vector<int>& col_of_row) {
  double total = 0.0;
  for (std::size_t r = 0; r < col_of_row.size(); ++r)
    if (col_of_row[r] >= 0) total += cost[r * static_cast<std::size_t>(cols) + static_cast<std::size_t>(col_of_row[r])];
  return total;
}

// Every injective map of the smaller side into the larger one is the restriction of some
// permutation of max(rows, cols) slots, so enumerating permutations covers them all.
double brute_force_optimum(const std::vector<double>& cost, int rows, int cols) {
  std::vector<int> perm(static_cast<std::size_t>(std::max(rows, cols)));
  std::iota(perm.begin(), perm.end(), 0);
  double best = std::numeric_limits<double>::infinity();
  do {
    double total = 0.0;
    for (int r = 0; r < rows; ++r)
      if (perm[r] < cols) total += cost[static_cast<std::size_t>(r) * cols + perm[r]];
    best = std::min(best, total);
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

void expect_valid_partial_injection(const std::vector<int>& col_of_row, int rows, int cols) {
  ASSERT_EQ(col_of_row.size(), static_cast<std::size_t>(rows));
  std::vector<int> uses(static_cast<std::size_t>(cols), 0);
  int pairs = 0;
  for (int c : col_of_row) {
    ASSERT_GE(c, -1);
    ASSERT_LT(c, cols);
    if (c < 0) continue;
    EXPECT_EQ(++uses[static_cast<std::size_t>(c)], 1) << "column " << c << " matched twice";
    ++pairs;
  }
  EXPECT_EQ(pairs, std::min(rows, cols));
}

TEST(AssignmentProblem, HandCheckedThreeByThree) {
  // c[i][j] = (i + 1)(j + 1). The six permutations cost 14, 13, 13, 11, 11 and 10; the unique
  // optimum is the anti-diagonal, while taking each row's cheapest free column gives 1 + 4 + 9.
  const std::vector<double> cost = {1, 2, 3,  //
                                    2, 4, 6,  //
                                    3, 6, 9};
  const std::vector<int> col_of_row = min_cost_assignment(cost, 3, 3);
  EXPECT_EQ(col_of_row, (std::vector<int>{2, 1, 0}));
  EXPECT_DOUBLE_EQ(total_cost(cost, 3, col_of_row), 10.0);
}

TEST(AssignmentProblem, WideMatrixLeavesNoRowUnmatched) {
  // Both rows want column 0; the optimum gives it to row 1 (3 + 1 = 4 beats 0 + 5).
  const std::vector<double> cost = {0, 3, 9,  //
                                    1, 5, 9};
  EXPECT_EQ(min_cost_assignment(cost, 2, 3), (std::vector<int>{1, 0}));
}

TEST(AssignmentProblem, TallMatrixLeavesTheCostliestRowUnmatched) {
  const std::vector<double> cost = {4, 1,  //
                                    2, 7,  //
                                    0, 9};
  EXPECT_EQ(min_cost_assignment(cost, 3, 2), (std::vector<int>{1, -1, 0}));
}

TEST(AssignmentProblem, EmptySidesGiveNoPairs) {
  EXPECT_EQ(min_cost_assignment({}, 0, 0), std::vector<int>{});
  EXPECT_EQ(min_cost_assignment({}, 0, 4), std::vector<int>{});
  EXPECT_EQ(min_cost_assignment({}, 3, 0), (std::vector<int>{-1, -1, -1}));
}

TEST(AssignmentProblem, SizeMismatchThrows) {
  EXPECT_THROW(min_cost_assignment(std::vector<double>(5, 1.0), 2, 3), std::invalid_argument);
  EXPECT_THROW(min_cost_assignment(std::vector<double>(7, 1.0), 2, 3), std::invalid_argument);
  EXPECT_THROW(min_cost_assignment({1.0}, 0, 0), std::invalid_argument);
  EXPECT_THROW(min_cost_assignment({}, -1, 0), std::invalid_argument);
}

TEST(AssignmentProblem, NonFiniteCostThrows) {
  std::vector<double> cost(6, 1.0);
  cost[4] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(min_cost_assignment(cost, 2, 3), std::invalid_argument);
  cost[4] = std::numeric_limits<double>::infinity();
  EXPECT_THROW(min_cost_assignment(cost, 2, 3), std::invalid_argument);
  cost[4] = -std::numeric_limits<double>::infinity();
  EXPECT_THROW(min_cost_assignment(cost, 2, 3), std::invalid_argument);
}

TEST(AssignmentProblem, SameMatrixGivesTheSameAnswer) {
  // Small integer costs make ties likely, which is where an order-dependent solver would differ.
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> value(0, 2);
  std::vector<double> cost(6 * 9);
  for (double& c : cost) c = value(rng);
  const std::vector<int> first = min_cost_assignment(cost, 6, 9);
  EXPECT_EQ(min_cost_assignment(cost, 6, 9), first);
  const std::vector<double> copy = cost;
  EXPECT_EQ(min_cost_assignment(copy, 6, 9), first);
}

TEST(AssignmentProblem, AllEqualCostsGiveAValidMatching) {
  for (auto [rows, cols] : {std::pair{5, 5}, std::pair{4, 7}, std::pair{7, 4}}) {
    const std::vector<double> cost(static_cast<std::size_t>(rows) * cols, 2.5);
    const std::vector<int> col_of_row = min_cost_assignment(cost, rows, cols);
    expect_valid_partial_injection(col_of_row, rows, cols);
    EXPECT_DOUBLE_EQ(total_cost(cost, cols, col_of_row), 2.5 * std::min(rows, cols));
  }
}

struct Shape {
  int rows;
  int cols;
};

void PrintTo(const Shape& shape, std::ostream* os) { *os << shape.rows << "x" << shape.cols; }

class AssignmentVsBruteForce : public testing::TestWithParam<Shape> {
 protected:
  void check_trials(const std::function<double()>& draw) const {
    const auto [rows, cols] = GetParam();
    for (int trial = 0; trial < 5; ++trial) {
      std::vector<double> cost(static_cast<std::size_t>(rows) * cols);
      for (double& c : cost) c = draw();
      const std::vector<int> col_of_row = min_cost_assignment(cost, rows, cols);
      expect_valid_partial_injection(col_of_row, rows, cols);
      EXPECT_NEAR(total_cost(cost, cols, col_of_row), brute_force_optimum(cost, rows, cols), 1e-9)
          << rows << "x" << cols << " trial " << trial;
    }
  }
};

TEST_P(AssignmentVsBruteForce, RandomRealCostsReachTheOptimum) {
  std::mt19937 rng(20240611u + static_cast<unsigned>(GetParam().rows * 31 + GetParam().cols));
  std::uniform_real_distribution<double> value(-5.0, 10.0);
  check_trials([&] { return value(rng); });
}

TEST_P(AssignmentVsBruteForce, RandomIntegerCostsWithTiesReachTheOptimum) {
  std::mt19937 rng(99u + static_cast<unsigned>(GetParam().rows * 31 + GetParam().cols));
  std::uniform_int_distribution<int> value(0, 3);
  check_trials([&] { return static_cast<double>(value(rng)); });
}

INSTANTIATE_TEST_SUITE_P(Shapes, AssignmentVsBruteForce,
                         testing::Values(Shape{1, 1}, Shape{2, 3}, Shape{3, 2}, Shape{4, 4}, Shape{5, 7}, Shape{7, 5},
                                         Shape{8, 8}),
                         [](const testing::TestParamInfo<Shape>& shape) {
                           return std::to_string(shape.param.rows) + "x" + std::to_string(shape.param.cols);
                         });

}  // namespace
}  // namespace kseg
