#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/errors.hpp"

namespace kseg {

/// Position of the column called `name` among `names`; none when there is no such column.
inline std::optional<std::size_t> find_column(const std::vector<std::string>& names, const std::string& name) {
  const auto at = std::find(names.begin(), names.end(), name);
  if (at == names.end()) return std::nullopt;
  return static_cast<std::size_t>(at - names.begin());
}

/// Position of the column called `name`; refuses (every rank) naming `source` and the columns it has.
inline std::size_t require_column(const std::vector<std::string>& names, const std::string& name,
                                  const std::string& source) {
  if (const std::optional<std::size_t> column = find_column(names, name)) return *column;
  std::string available;
  for (const std::string& n : names) available += (available.empty() ? "" : ", ") + n;
  refuse(source + ": no feature '" + name + "' (available: " + available + ")");
}

}  // namespace kseg
