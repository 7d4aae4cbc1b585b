#include "io/result_file.hpp"

namespace kseg {
namespace {

void write_segments(const std::string& path, const ResultContent& c, const Communicator& comm) {
  h5::Id file = h5::create_parallel(path, comm);
  h5::create_group(file, "/segments");
  const hsize_t rows = static_cast<hsize_t>(c.total_rows);
  struct Column {
    const char* name;
    hid_t file_type, mem_type;
    const void* data;
  };
  std::vector<Column> columns = {Column{"/segments/customer_id", H5T_STD_I64LE, H5T_NATIVE_INT64, c.customer_id},
                                 Column{"/segments/segment", H5T_STD_I32LE, H5T_NATIVE_INT32, c.segment},
                                 Column{"/segments/distance", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, c.distance}};
  std::vector<std::string> names;  // keeps the extra columns' paths alive for Column::name
  for (const auto& [name, data] : c.customer_columns) names.push_back("/segments/" + name);
  for (std::size_t i = 0; i < names.size(); ++i)
    columns.push_back({names[i].c_str(), H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, c.customer_columns[i].second});
  for (const Column& col : columns) {
    h5::Id dataset = h5::create_dataset(file, col.name, col.file_type, {rows});
    h5::write_rows(comm, dataset, col.mem_type, c.block.first, c.block.count, 1, col.data, path + ":" + col.name);
    dataset.close(path + ": cannot close " + col.name);
  }
  file.close(path + ": cannot close (disk full?)");
}

// Small and string-valued data: rank 0 writes it serially (MPI-IO cannot write variable-length strings).
void write_model(const std::string& path, const ResultContent& c) {
  h5::Id file = h5::open_serial_for_write(path);
  h5::create_group(file, "/model");
  const hsize_t k = static_cast<hsize_t>(c.k), d = static_cast<hsize_t>(c.d);
  h5::write_small(file, "/model/centroids", H5T_NATIVE_FLOAT, {k, d}, c.centroids.data());
  h5::write_small(file, "/model/centroids_original", H5T_NATIVE_FLOAT, {k, d}, c.centroids_original.data());
  h5::write_small(file, "/model/segment_size", H5T_NATIVE_INT64, {k}, c.segment_size.data());
  h5::create_group(file, "/model/scaler");
  for (const auto& [name, values] : c.scaler)
    h5::write_small(file, "/model/scaler/" + name, H5T_NATIVE_DOUBLE, {d}, values.data());
  h5::write_strings(file, "/model/scaler/steps", c.transforms);
  h5::write_strings(file, "/model/segment_names", c.segment_names);
  h5::write_strings(file, "/model/segment_actions", c.segment_actions);
  h5::write_strings(file, "/model/feature_names", c.feature_names);
  for (const auto& [name, value] : c.attributes) h5::write_attribute(file, name, value);
  file.close(path + ": cannot close (disk full?)");
}

}  // namespace

void write_result_file(const std::string& path, const ResultContent& content, const Communicator& comm) {
  write_segments(path, content, comm);
  if (comm.is_root()) write_model(path, content);
  comm.barrier();
}

}  // namespace kseg
