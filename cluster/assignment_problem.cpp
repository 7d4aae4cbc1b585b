#include "cluster/assignment_problem.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>

namespace kseg {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

void validate(const std::vector<double>& cost, int rows, int cols) {
  if (rows < 0 || cols < 0) throw std::invalid_argument("min_cost_assignment: negative matrix dimension");
  if (cost.size() != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols))
    throw std::invalid_argument("min_cost_assignment: cost.size() != rows * cols");
  // A NaN would make every comparison false and an infinity every potential meaningless.
  for (double c : cost)
    if (!std::isfinite(c)) throw std::invalid_argument("min_cost_assignment: cost is not finite");
}

// The square n × n problem, n = max(rows, cols). Padding with zero-cost dummy rows or columns
// leaves the optimum over the real pairs unchanged, because every dummy pairing costs the same.
struct SquareProblem {
  const std::vector<double>& cost;
  int rows;
  int cols;
  int n;

  // 1-based indices, as in the potentials formulation where index 0 is the virtual start column.
  double at(int i, int j) const {
    if (i > rows || j > cols) return 0.0;
    return cost[static_cast<std::size_t>(i - 1) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(j - 1)];
  }
};

// Dual variables and the current matching; row_of[j] is the row matched to column j (0: none).
struct Matching {
  std::vector<double> u, v;
  std::vector<int> row_of;
  explicit Matching(int n) : u(n + 1, 0.0), v(n + 1, 0.0), row_of(n + 1, 0) {}
};

// Adds row i to the matching along a shortest augmenting path in reduced costs (Dijkstra over the
// columns), then updates the potentials so that all reduced costs stay non-negative. Ties pick
// the smallest column index, which keeps the result a function of the matrix alone.
void augment_with_row(const SquareProblem& p, int i, Matching& m) {
  std::vector<double> min_reduced(p.n + 1, kInfinity);
  std::vector<int> previous_col(p.n + 1, 0);
  std::vector<char> visited(p.n + 1, 0);
  m.row_of[0] = i;
  int col = 0;
  while (m.row_of[col] != 0) {
    visited[col] = 1;
    const int row = m.row_of[col];
    double delta = kInfinity;
    int next_col = 0;
    for (int j = 1; j <= p.n; ++j) {
      if (visited[j]) continue;
      const double reduced = p.at(row, j) - m.u[row] - m.v[j];
      if (reduced < min_reduced[j]) {
        min_reduced[j] = reduced;
        previous_col[j] = col;
      }
      if (min_reduced[j] < delta) {
        delta = min_reduced[j];
        next_col = j;
      }
    }
    for (int j = 0; j <= p.n; ++j) {
      if (visited[j]) {
        m.u[m.row_of[j]] += delta;
        m.v[j] -= delta;
      } else {
        min_reduced[j] -= delta;
      }
    }
    col = next_col;
  }
  // Flip the alternating path back to the virtual column 0.
  while (col != 0) {
    const int prev = previous_col[col];
    m.row_of[col] = m.row_of[prev];
    col = prev;
  }
}

}  // namespace

std::vector<int> min_cost_assignment(const std::vector<double>& cost, int rows, int cols) {
  validate(cost, rows, cols);
  std::vector<int> col_of_row(static_cast<std::size_t>(rows), -1);
  if (rows == 0 || cols == 0) return col_of_row;

  const SquareProblem problem{cost, rows, cols, std::max(rows, cols)};
  Matching matching(problem.n);
  for (int i = 1; i <= problem.n; ++i) augment_with_row(problem, i, matching);

  for (int j = 1; j <= cols; ++j) {
    const int row = matching.row_of[j];
    if (row <= rows) col_of_row[static_cast<std::size_t>(row - 1)] = j - 1;
  }
  return col_of_row;
}

}  // namespace kseg
