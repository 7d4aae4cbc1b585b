#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/communicator.hpp"
#include "io/row_partition.hpp"

namespace kseg {

/// Collective: the globally first row of a column read in row blocks (`values` is this rank's
/// block) whose value `accepted` rejects, the same on every rank; none when all are accepted.
/// Pass `accepted` as a lambda, not a function pointer, so that it is inlined: the scan runs over
/// every line of an input and is vectorized a block at a time (no early exit inside a block).
template <typename T, typename Accepted>
std::optional<int64_t> first_rejected_row(const std::vector<T>& values, const RowBlock& block, Accepted accepted,
                                          const Communicator& comm) {
  constexpr std::size_t kBlock = 1024;
  int64_t local = INT64_MAX;
  for (std::size_t start = 0; start < values.size() && local == INT64_MAX; start += kBlock) {
    const std::size_t end = std::min(values.size(), start + kBlock);
    bool all_accepted = true;
    for (std::size_t i = start; i < end; ++i) all_accepted &= static_cast<bool>(accepted(values[i]));
    if (all_accepted) continue;
    for (std::size_t i = start; local == INT64_MAX; ++i)
      if (!accepted(values[i])) local = block.first + static_cast<int64_t>(i);
  }
  const int64_t first = comm.min(local);
  if (first == INT64_MAX) return std::nullopt;
  return first;
}

}  // namespace kseg
