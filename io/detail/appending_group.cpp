#include "io/detail/appending_group.hpp"

#include <algorithm>

namespace kseg::detail {

AppendingGroup::AppendingGroup(hid_t file, std::string file_path, std::string group)
    : file_path_(std::move(file_path)), group_path_(std::move(group)), group_(h5::create_group(file, group_path_)) {}

void AppendingGroup::append(const std::string& column, hid_t file_type, hid_t mem_type, int64_t count,
                            const void* data) {
  constexpr hsize_t kRowsPerHdf5Chunk = hsize_t{1} << 16;  // 512 KiB of int64, inside the default 1 MiB chunk cache
  const std::string where = file_path_ + ":" + group_path_ + "/" + column;
  auto dataset = columns_.find(column);
  if (dataset == columns_.end()) {
    const hsize_t chunk = std::clamp<hsize_t>(static_cast<hsize_t>(count), 1, kRowsPerHdf5Chunk);
    dataset = columns_.emplace(column, h5::create_extendible_dataset(group_, column, file_type, chunk, where)).first;
  }
  h5::append_rows(dataset->second, mem_type, count, data, where);
}

void AppendingGroup::close() {
  for (auto& [name, dataset] : columns_)
    dataset.close(file_path_ + ":" + group_path_ + "/" + name + ": cannot close (disk full?)");
  group_.close(file_path_ + ": cannot close " + group_path_);
}

}  // namespace kseg::detail
