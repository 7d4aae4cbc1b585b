#pragma once

#include <algorithm>
#include <cstdint>

namespace kseg {

/// Rank r's contiguous block of a table's rows: sizes differ by at most one, lower ranks larger.
struct RowBlock {
  int64_t first = 0;
  int64_t count = 0;
};

inline RowBlock row_block(int64_t total_rows, int ranks, int rank) {
  const int64_t base = total_rows / ranks, extra = total_rows % ranks;
  return {rank * base + std::min<int64_t>(rank, extra), base + (rank < extra ? 1 : 0)};
}

/// The rank whose block holds `row`.
inline int owner_of_row(int64_t total_rows, int ranks, int64_t row) {
  int lo = 0, hi = ranks - 1;
  while (lo < hi) {
    const int mid = (lo + hi + 1) / 2;
    if (row_block(total_rows, ranks, mid).first <= row) lo = mid; else hi = mid - 1;
  }
  return lo;
}

}  // namespace kseg
