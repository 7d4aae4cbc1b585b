#include "io/customer_attributes.hpp"

#include <cmath>

#include "common/errors.hpp"
#include "io/first_rejected_row.hpp"
#include "io/hdf5.hpp"

namespace kseg {
namespace {


std::vector<std::string> column_names(hid_t file, const std::string& path) {
  const h5::Id group(H5Gopen2(file, kCustomers, H5P_DEFAULT), H5Gclose, path + ": cannot open " + kCustomers);
  H5G_info_t info;
  h5::check(H5Gget_info(group, &info), path + ": cannot list " + kCustomers);
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t length = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (length < 0) h5::check(-1, path + ": cannot list " + kCustomers);
    std::string name(static_cast<std::size_t>(length), '\0');
    H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1, H5P_DEFAULT);
    if (name != "customer_id") names.push_back(name);
  }
  return names;
}

// Opens a 1-D numeric column and checks its length against customer_id's.
h5::Id open_column(hid_t file, const std::string& path, const std::string& name, int64_t rows) {
  const std::string dataset_path = std::string(kCustomers) + "/" + name, where = path + ":" + dataset_path;
  h5::Id dataset = h5::open_dataset(file, dataset_path, path);
  const std::vector<hsize_t> dims = h5::dataset_dims(dataset);
  const h5::Id type(H5Dget_type(dataset), H5Tclose, where + ": cannot read its type");
  const H5T_class_t kind = H5Tget_class(type);
  if (dims.size() != 1 || (kind != H5T_INTEGER && kind != H5T_FLOAT))
    refuse(where + ": customer attributes must be 1-D columns of numbers (categories as integer codes with a "
                   "'labels' attribute)");
  if (rows >= 0 && static_cast<int64_t>(dims[0]) != rows)
    refuse(where + ": has " + std::to_string(dims[0]) + " rows but " + kCustomers + "/customer_id has " +
           std::to_string(rows));
  h5::expect_stored(dataset, static_cast<int64_t>(dims[0]), where);
  return dataset;
}

// The globally first code outside [−1, labels) is reported by every rank alike.
void refuse_bad_codes(const CustomerAttributes& table, const AttributeColumn& column, const Communicator& comm) {
  const auto is_code = [&](double code) {
    return code == std::floor(code) && code >= -1 && code < static_cast<double>(column.labels.size());
  };
  if (const std::optional<int64_t> row = first_rejected_row(column.values, table.block, is_code, comm))
    refuse(table.path + ":" + kCustomers + "/" + column.name + " row " + std::to_string(*row) +
           ": not a code of its " + std::to_string(column.labels.size()) + " labels (or -1 for unknown)");
}

}  // namespace

bool has_customer_attributes(const InputFile& input) {
  return input.has(kCustomers) && input.has(std::string(kCustomers) + "/customer_id");
}

CustomerAttributes read_customer_attributes(const InputFile& input) {
  const std::string& path = input.path();
  const Communicator& comm = input.comm();
  const hid_t file = input.handle();
  CustomerAttributes table;
  table.path = path;
  const h5::Id ids = open_column(file, path, "customer_id", -1);
  table.total_rows = static_cast<int64_t>(h5::dataset_dims(ids)[0]);
  table.block = row_block(table.total_rows, comm.size(), comm.rank());
  table.customer_id.resize(static_cast<std::size_t>(table.block.count));
  h5::read_rows(comm, ids, H5T_NATIVE_INT64, table.block.first, table.block.count, 1, table.customer_id.data(),
                path + ":" + kCustomers + "/customer_id");
  for (const std::string& name : column_names(file, path)) {
    const h5::Id dataset = open_column(file, path, name, table.total_rows);
    AttributeColumn column{name, h5::read_string_array_attribute(dataset, "labels", path + ":" + kCustomers + "/" + name),
                           std::vector<double>(static_cast<std::size_t>(table.block.count))};
    h5::read_rows(comm, dataset, H5T_NATIVE_DOUBLE, table.block.first, table.block.count, 1, column.values.data(),
                  path + ":" + kCustomers + "/" + name);
    if (column.categorical()) refuse_bad_codes(table, column, comm);
    table.columns.push_back(std::move(column));
  }
  return table;
}

struct CustomerAttributeWriter::Impl {
  std::string path;
  std::vector<AttributeColumnSpec> columns;
  const Communicator& comm;
  h5::Id file, ids;
  std::vector<h5::Id> datasets;  // parallel to columns

  std::string where(const std::string& column) const { return path + ":" + kCustomers + "/" + column; }
};

CustomerAttributeWriter::CustomerAttributeWriter(const std::string& path, int64_t total_rows,
                                                 std::vector<AttributeColumnSpec> columns, const Communicator& comm)
    : impl_(new Impl{path, std::move(columns), comm, h5::open_parallel_for_write(path, comm), {}, {}}) {
  Impl& w = *impl_;
  h5::create_group(w.file, kCustomers);
  const hsize_t rows = static_cast<hsize_t>(total_rows);
  w.ids = h5::create_dataset(w.file, std::string(kCustomers) + "/customer_id", H5T_STD_I64LE, {rows});
  for (const AttributeColumnSpec& c : w.columns)
    w.datasets.push_back(h5::create_dataset(w.file, std::string(kCustomers) + "/" + c.name,
                                            c.integer ? H5T_STD_I32LE : H5T_IEEE_F64LE, {rows}));
}

CustomerAttributeWriter::~CustomerAttributeWriter() = default;

void CustomerAttributeWriter::write_rows(int64_t first, int64_t count, const int64_t* ids,
                                         const std::vector<std::vector<double>>& values) {
  Impl& w = *impl_;
  h5::write_rows(w.comm, w.ids, H5T_NATIVE_INT64, first, count, 1, ids, w.where("customer_id"));
  for (std::size_t j = 0; j < w.columns.size(); ++j)
    h5::write_rows(w.comm, w.datasets[j], H5T_NATIVE_DOUBLE, first, count, 1, values[j].data(),
                   w.where(w.columns[j].name));
}

void CustomerAttributeWriter::finish(const std::vector<std::pair<std::string, h5::AttributeValue>>& file_attributes) {
  Impl& w = *impl_;
  w.ids.close(w.path + ": cannot close " + kCustomers + "/customer_id");
  for (std::size_t j = 0; j < w.datasets.size(); ++j) w.datasets[j].close(w.path + ": cannot close " + w.where(w.columns[j].name));
  w.file.close(w.path + ": cannot close (disk full?)");
  if (w.comm.is_root()) {  // variable-length strings cannot be written through MPI-IO
    h5::Id file = h5::open_serial_for_write(w.path);
    for (const AttributeColumnSpec& c : w.columns) {
      if (c.labels.empty()) continue;
      const std::string name = std::string(kCustomers) + "/" + c.name;
      h5::Id dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose, w.path + ": cannot reopen " + name);
      h5::write_string_array_attribute(dataset, "labels", c.labels);
      dataset.close(w.path + ": cannot close " + name);
    }
    for (const auto& [name, value] : file_attributes) h5::write_attribute(file, name, value);
    file.close(w.path + ": cannot close (disk full?)");
  }
  w.comm.barrier();
}

}  // namespace kseg
