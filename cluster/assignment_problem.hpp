#pragma once

#include <vector>

namespace kseg {

/// Minimum-cost matching of the rows of a rows × cols cost matrix (row-major, finite values) to
/// its columns: each row gets at most one column and each column at most one row, and
/// min(rows, cols) pairs are made with the smallest total cost (Hungarian algorithm with
/// potentials, O(n³) for n = max(rows, cols)). Ties are broken deterministically: the result
/// depends only on the matrix. Returns, for each row, its column or -1 when it has none.
/// Throws std::invalid_argument when cost.size() != rows * cols or a cost is not finite.
std::vector<int> min_cost_assignment(const std::vector<double>& cost, int rows, int cols);

}  // namespace kseg
