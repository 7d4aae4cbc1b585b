#include "io/event_file.hpp"

#include <tuple>

#include "common/errors.hpp"
#include "common/named_columns.hpp"
#include "io/first_rejected_row.hpp"
#include "io/hdf5.hpp"

namespace kseg {
namespace {

// Opens /events/<name>, a 1-D column of `rows` integers (any length when rows < 0).
h5::Id open_column(hid_t file, const std::string& path, const std::string& name, int64_t rows) {
  const std::string dataset_path = std::string(kEvents) + "/" + name, where = path + ":" + dataset_path;
  h5::Id dataset = h5::open_dataset(file, dataset_path, path);
  const std::vector<hsize_t> dims = h5::dataset_dims(dataset);
  const h5::Id type(H5Dget_type(dataset), H5Tclose, where + ": cannot read its type");
  if (dims.size() != 1 || H5Tget_class(type) != H5T_INTEGER)
    refuse(where + ": events must be 1-D integer columns (timestamps in Unix seconds, types as codes with 'labels')");
  if (rows >= 0 && static_cast<int64_t>(dims[0]) != rows)
    refuse(where + ": has " + std::to_string(dims[0]) + " rows but " + kEvents + "/customer_id has " + std::to_string(rows));
  h5::expect_stored(dataset, static_cast<int64_t>(dims[0]), where);
  return dataset;
}

// The EventType of each code of the file's labels.
std::vector<EventType> types_of_labels(const std::vector<std::string>& labels, const std::string& where) {
  if (labels.empty()) refuse(where + ": needs a 'labels' attribute naming the event type of each code");
  std::vector<EventType> types;
  for (const std::string& label : labels) {
    const std::optional<std::size_t> known = find_column(event_type_labels(), label);
    if (!known) {
      std::string all;
      for (const std::string& l : event_type_labels()) all += (all.empty() ? "" : ", ") + l;
      refuse(where + ": label '" + label + "' is not an event type (" + all + ")");
    }
    types.push_back(static_cast<EventType>(*known));
  }
  return types;
}

}  // namespace

bool has_events(const InputFile& input) { return input.has(kEvents) && input.has(std::string(kEvents) + "/customer_id"); }

EventRows read_event_rows(const InputFile& input) {
  const std::string& path = input.path();
  const Communicator& comm = input.comm();
  const h5::Id ids = open_column(input.handle(), path, "customer_id", -1);
  const int64_t rows = static_cast<int64_t>(h5::dataset_dims(ids)[0]);
  const RowBlock block = row_block(rows, comm.size(), comm.rank());
  const std::size_t n = static_cast<std::size_t>(block.count);
  EventRows events{std::vector<int64_t>(n), std::vector<int64_t>(n), {}};
  h5::read_rows(comm, ids, H5T_NATIVE_INT64, block.first, block.count, 1, events.customer_id.data(),
                path + ":" + kEvents + "/customer_id");
  const h5::Id times = open_column(input.handle(), path, "timestamp", rows);
  h5::read_rows(comm, times, H5T_NATIVE_INT64, block.first, block.count, 1, events.timestamp.data(),
                path + ":" + kEvents + "/timestamp");
  const std::string where = path + ":" + kEvents + "/type";
  const h5::Id type = open_column(input.handle(), path, "type", rows);
  const std::vector<EventType> types = types_of_labels(h5::read_string_array_attribute(type, "labels", where), where);
  std::vector<int32_t> codes(n);
  h5::read_rows(comm, type, H5T_NATIVE_INT32, block.first, block.count, 1, codes.data(), where);
  const auto is_code = [&](int32_t code) { return code >= 0 && code < static_cast<int32_t>(types.size()); };
  if (const std::optional<int64_t> row = first_rejected_row(codes, block, is_code, comm))
    refuse(where + " row " + std::to_string(*row) + ": not a code of its " + std::to_string(types.size()) + " labels");
  for (int32_t code : codes) events.type.push_back(types[static_cast<std::size_t>(code)]);
  return events;
}

void write_event_rows(const std::string& path, const EventRows& mine, const Communicator& comm) {
  const int64_t count = static_cast<int64_t>(mine.customer_id.size());
  const int64_t first = comm.exclusive_prefix_sum(count);
  const hsize_t rows = static_cast<hsize_t>(comm.sum(count));
  std::vector<int32_t> codes;
  for (EventType t : mine.type) codes.push_back(static_cast<int32_t>(t));
  const std::string group = kEvents, type_path = group + "/type";
  {
    h5::Id file = h5::open_parallel_for_write(path, comm);
    h5::create_group(file, kEvents);
    for (const auto& [name, file_type, mem_type, data] :
         {std::tuple{"/customer_id", H5T_STD_I64LE, H5T_NATIVE_INT64, static_cast<const void*>(mine.customer_id.data())},
          std::tuple{"/timestamp", H5T_STD_I64LE, H5T_NATIVE_INT64, static_cast<const void*>(mine.timestamp.data())},
          std::tuple{"/type", H5T_STD_I32LE, H5T_NATIVE_INT32, static_cast<const void*>(codes.data())}}) {
      const std::string where = group + name;
      h5::Id dataset = h5::create_dataset(file, where, file_type, {rows});
      h5::write_rows(comm, dataset, mem_type, first, count, 1, data, path + ":" + where);
      dataset.close(path + ": cannot close " + where);
    }
    file.close(path + ": cannot close (disk full?)");
  }
  if (comm.is_root()) {  // variable-length strings cannot be written through MPI-IO
    h5::Id file = h5::open_serial_for_write(path);
    h5::Id type(H5Dopen2(file, type_path.c_str(), H5P_DEFAULT), H5Dclose, path + ": cannot reopen " + type_path);
    h5::write_string_array_attribute(type, "labels", event_type_labels());
    type.close(path + ": cannot close " + type_path);
    file.close(path + ": cannot close (disk full?)");
  }
  comm.barrier();
}

}  // namespace kseg
