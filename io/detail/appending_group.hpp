#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "io/hdf5.hpp"

namespace kseg::detail {

/// One process: a new group of 1-D columns that grow by appends, as the streaming importers write
/// them. A column's dataset is made on its first append, so that a table of fewer rows than an
/// HDF5 chunk gets chunks of its own size rather than mostly empty ones.
class AppendingGroup {
 public:
  /// Creates `group` in the open `file`; `file_path` names the file in errors.
  AppendingGroup(hid_t file, std::string file_path, std::string group);

  /// `count` values after the column's last row.
  void append(const std::string& column, hid_t file_type, hid_t mem_type, int64_t count, const void* data);
  /// A column appended to at least once.
  hid_t column(const std::string& name) const { return columns_.at(name); }
  hid_t group() const { return group_; }
  /// Closes the columns and the group, checking each.
  void close();

 private:
  std::string file_path_, group_path_;
  h5::Id group_;
  std::map<std::string, h5::Id> columns_;  // closed before the group
};

}  // namespace kseg::detail
