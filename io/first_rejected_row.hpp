#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/communicator.hpp"
#include "io/row_partition.hpp"

namespace kseg {

/// Collective: the globally first row of a column read in row blocks (`values` is this rank's
/// block) whose value `accepted` rejects, the same on every rank; none when all are accepted.
template <typename T, typename Accepted>
std::optional<int64_t> first_rejected_row(const std::vector<T>& values, const RowBlock& block, Accepted accepted,
                                          const Communicator& comm) {
  int64_t local = INT64_MAX;
  for (std::size_t i = 0; i < values.size() && local == INT64_MAX; ++i)
    if (!accepted(values[i])) local = block.first + static_cast<int64_t>(i);
  const int64_t first = comm.min(local);
  if (first == INT64_MAX) return std::nullopt;
  return first;
}

}  // namespace kseg
