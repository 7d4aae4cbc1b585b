#include "io/feature_file.hpp"

#include <algorithm>
#include <cmath>

#include "common/errors.hpp"
#include "common/huge_pages.hpp"
#include "common/spread.hpp"
#include "io/first_rejected_row.hpp"
#include "io/hdf5.hpp"
#include "common/value_ranges.hpp"

namespace kseg {
namespace {

std::string type_description(hid_t type) {
  switch (H5Tget_class(type)) {
    case H5T_INTEGER: return "integers";
    case H5T_FLOAT: return "floats";
    case H5T_STRING: return "strings";
    case H5T_COMPOUND: return "compound records";
    default: return "a non-numeric type";
  }
}

void expect_class(hid_t dataset, H5T_class_t wanted, const std::string& where, const std::string& wanted_text) {
  h5::Id type(H5Dget_type(dataset), H5Tclose, where + ": cannot read its type");
  if (H5Tget_class(type) != wanted) refuse(where + ": expected " + wanted_text + ", found " + type_description(type));
}

std::vector<std::string> feature_names(hid_t matrix, const std::string& where, int d) {
  std::vector<std::string> names = h5::read_string_array_attribute(matrix, "names", where);
  if (names.empty())
    for (int j = 0; j < d; ++j) names.push_back("f" + std::to_string(j));
  if (static_cast<int>(names.size()) != d)
    refuse(where + ": attribute 'names' has " + std::to_string(names.size()) + " entries for " + std::to_string(d) +
           " features");
  return names;
}

std::optional<ModelDefaults> model_defaults(hid_t matrix, const std::string& where) {
  ModelDefaults d{h5::read_string_array_attribute(matrix, "model_features", where),
                  h5::read_string_array_attribute(matrix, "model_transforms", where), "", 0};
  const std::vector<std::string> unit = h5::read_string_array_attribute(matrix, "model_time_unit", where);
  const std::vector<std::string> period = h5::read_string_array_attribute(matrix, "model_period_days", where);
  if (d.features.empty()) return std::nullopt;
  if (d.transforms.size() != d.features.size() || unit.size() != 1 || period.size() != 1)
    refuse(where + ": model_features, model_transforms, model_time_unit and model_period_days disagree in length");
  d.time_unit = unit[0];
  try {
    d.period_days = std::stoll(period[0]);
  } catch (const std::exception&) {
    refuse(where + ": model_period_days '" + period[0] + "' is not a number of days");
  }
  return d;
}

// Every rank finds its first NaN/Inf; the globally first is reported by all ranks alike.
void refuse_non_finite(const FeatureShard& shard, const Communicator& comm) {
  const int64_t none = INT64_MAX;
  int64_t local_first = none;
  for (std::size_t i = 0; i < shard.matrix.size() && local_first == none; ++i)
    if (!std::isfinite(shard.matrix[i])) local_first = static_cast<int64_t>(i);
  const int64_t global_row = local_first == none ? none : shard.block.first + local_first / shard.d;
  const int64_t first_bad_row = comm.min(global_row);
  if (first_bad_row == none) return;

  struct Bad { int64_t id; int64_t column; double value; } bad{};
  const int owner = owner_of_row(shard.total_rows, comm.size(), first_bad_row);
  if (comm.rank() == owner) {
    bad.id = shard.customer_id[first_bad_row - shard.block.first];
    bad.column = local_first % shard.d;
    bad.value = shard.matrix[local_first];
  }
  comm.broadcast(&bad, sizeof bad, owner);
  refuse(shard.path + ":" + kFeatureMatrix + " row " + std::to_string(first_bad_row) + " (customer_id " +
         std::to_string(bad.id) + ", feature '" + shard.feature_names[bad.column] + "'): value is " +
         (std::isnan(bad.value) ? "NaN" : "infinite") + "; features must be finite numbers");
}

// Ids at the int64 bounds are what unsigned ids of 2^63 or more saturate to: refused, first row named.
void refuse_ids_out_of_range(const FeatureShard& shard, const Communicator& comm) {
  const std::optional<int64_t> row = first_rejected_row(shard.customer_id, shard.block, [](int64_t id) { return customer_id_in_range(id); }, comm);
  if (!row) return;
  refuse(shard.path + ":" + kFeatureIds + " row " + std::to_string(*row) +
         ": the id is outside the ids kseg takes (-2^63 < id < 2^63-1; an unsigned id of 2^63 or more?)");
}

// A customer id on two rows would be two customers to k-means and one to every later join:
// refused. Ids and rows meet on rank rank_of_customer(id), where sorting finds the repeats.
void refuse_duplicate_ids(const FeatureShard& shard, const Communicator& comm) {
  const std::size_t ranks = static_cast<std::size_t>(comm.size());
  std::vector<std::vector<int64_t>> to(ranks);
  for (std::size_t i = 0; i < shard.customer_id.size(); ++i) {
    auto& bucket = to[rank_of_customer(shard.customer_id[i], static_cast<int>(ranks))];
    bucket.push_back(shard.customer_id[i]);
    bucket.push_back(shard.block.first + static_cast<int64_t>(i));
  }
  std::vector<int64_t> send, counts(ranks);
  for (std::size_t r = 0; r < ranks; ++r) {
    send.insert(send.end(), to[r].begin(), to[r].end());
    counts[r] = static_cast<int64_t>(to[r].size());
  }
  const std::vector<int64_t> pairs = comm.all_to_all(send, counts);  // (id, row) pairs
  std::vector<std::pair<int64_t, int64_t>> seen;
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) seen.emplace_back(pairs[i], pairs[i + 1]);
  std::sort(seen.begin(), seen.end());
  int64_t duplicate[3] = {INT64_MAX, 0, 0};  // id, first row, second row
  for (std::size_t i = 1; i < seen.size(); ++i)
    if (seen[i].first == seen[i - 1].first) {
      duplicate[0] = seen[i].first, duplicate[1] = seen[i - 1].second, duplicate[2] = seen[i].second;
      break;
    }
  const int64_t smallest = comm.min(duplicate[0]);
  if (smallest == INT64_MAX) return;
  const int holder = static_cast<int>(comm.min(duplicate[0] == smallest ? comm.rank() : INT64_MAX));
  comm.broadcast(duplicate, sizeof duplicate, holder);
  refuse(shard.path + ":" + kFeatureIds + ": customer_id " + std::to_string(duplicate[0]) + " appears on rows " +
         std::to_string(duplicate[1]) + " and " + std::to_string(duplicate[2]) + "; each customer needs one row");
}

}  // namespace

FeatureShard read_feature_shard(const std::string& path, const Communicator& comm) {
  return read_feature_shard(InputFile(path, comm));
}

FeatureShard read_feature_shard(const InputFile& input) {
  const std::string& path = input.path();
  const Communicator& comm = input.comm();
  const hid_t file = input.handle();
  const std::string matrix_where = path + ":" + kFeatureMatrix, ids_where = path + ":" + kFeatureIds;
  h5::Id matrix = h5::open_dataset(file, kFeatureMatrix, path);
  h5::Id ids = h5::open_dataset(file, kFeatureIds, path);

  const std::vector<hsize_t> dims = h5::dataset_dims(matrix);
  if (dims.size() != 2)
    refuse(matrix_where + ": expected 2 dimensions [customers, features], found " + std::to_string(dims.size()));
  expect_class(matrix, H5T_FLOAT, matrix_where, "floating-point features");
  const std::vector<hsize_t> id_dims = h5::dataset_dims(ids);
  if (id_dims.size() != 1) refuse(ids_where + ": expected 1 dimension, found " + std::to_string(id_dims.size()));
  expect_class(ids, H5T_INTEGER, ids_where, "integer customer ids");

  FeatureShard shard;
  shard.path = path;
  shard.total_rows = static_cast<int64_t>(dims[0]);
  shard.d = static_cast<int>(dims[1]);
  if (shard.total_rows == 0) refuse(matrix_where + ": has no rows (no customers)");
  if (shard.d == 0) refuse(matrix_where + ": has no feature columns");
  if (id_dims[0] != dims[0])
    refuse(ids_where + ": has " + std::to_string(id_dims[0]) + " rows but " + kFeatureMatrix + " has " +
           std::to_string(dims[0]));
  if (shard.total_rows < comm.size())
    refuse(path + ": " + std::to_string(shard.total_rows) + " customers cannot be split over " +
           std::to_string(comm.size()) + " ranks; run with at most " + std::to_string(shard.total_rows) + " ranks");
  shard.feature_names = feature_names(matrix, matrix_where, shard.d);
  shard.defaults = model_defaults(matrix, matrix_where);
  h5::expect_stored(matrix, shard.total_rows * shard.d, matrix_where);
  h5::expect_stored(ids, shard.total_rows, ids_where);

  shard.block = row_block(shard.total_rows, comm.size(), comm.rank());
  shard.customer_id.resize(shard.block.count);
  resize_on_huge_pages(shard.matrix, static_cast<std::size_t>(shard.block.count) * shard.d);  // read at random by bounded passes
  h5::read_rows(comm, ids, H5T_NATIVE_INT64, shard.block.first, shard.block.count, 1, shard.customer_id.data(),
                ids_where);
  h5::read_rows(comm, matrix, H5T_NATIVE_FLOAT, shard.block.first, shard.block.count, shard.d, shard.matrix.data(),
                matrix_where);
  refuse_non_finite(shard, comm);
  refuse_ids_out_of_range(shard, comm);
  refuse_duplicate_ids(shard, comm);
  return shard;
}

struct FeatureFileWriter::Impl {
  std::string path;
  FeatureFileSpec spec;
  const Communicator& comm;
  h5::Id file, ids, matrix, truth;
};

FeatureFileWriter::FeatureFileWriter(const std::string& path, const FeatureFileSpec& spec, const Communicator& comm)
    : impl_(new Impl{path, spec, comm, {}, {}, {}, {}}) {
  impl_->file = h5::create_parallel(path, comm);
  h5::create_group(impl_->file, "/features");
  const hsize_t rows = static_cast<hsize_t>(spec.rows);
  impl_->ids = h5::create_dataset(impl_->file, kFeatureIds, H5T_STD_I64LE, {rows});
  impl_->matrix = h5::create_dataset(impl_->file, kFeatureMatrix, H5T_IEEE_F32LE, {rows, static_cast<hsize_t>(spec.d)});
  if (spec.truth_segments > 0) {
    h5::create_group(impl_->file, "/truth");
    impl_->truth = h5::create_dataset(impl_->file, kTruthSegment, H5T_STD_I32LE, {rows});
  }
}

FeatureFileWriter::~FeatureFileWriter() = default;

void FeatureFileWriter::write_rows(int64_t first, int64_t count, const int64_t* ids, const float* x,
                                   const int32_t* truth) {
  const std::string& path = impl_->path;
  h5::write_rows(impl_->comm, impl_->ids, H5T_NATIVE_INT64, first, count, 1, ids, path + ":" + kFeatureIds);
  h5::write_rows(impl_->comm, impl_->matrix, H5T_NATIVE_FLOAT, first, count, impl_->spec.d, x,
                 path + ":" + kFeatureMatrix);
  if (impl_->spec.truth_segments > 0)
    h5::write_rows(impl_->comm, impl_->truth, H5T_NATIVE_INT32, first, count, 1, truth, path + ":" + kTruthSegment);
}

void FeatureFileWriter::finish(const std::vector<float>& truth_centers) {
  impl_->ids.close(impl_->path + ": cannot close " + kFeatureIds);
  impl_->matrix.close(impl_->path + ": cannot close " + kFeatureMatrix);
  if (impl_->spec.truth_segments > 0) impl_->truth.close(impl_->path + ": cannot close " + kTruthSegment);
  impl_->file.close(impl_->path + ": cannot close (disk full?)");
  if (impl_->comm.is_root()) {
    // Variable-length strings cannot be written through MPI-IO: rank 0 adds them serially.
    h5::Id file = h5::open_serial_for_write(impl_->path);
    h5::Id matrix(H5Dopen2(file, kFeatureMatrix, H5P_DEFAULT), H5Dclose, impl_->path + ": cannot reopen the matrix");
    h5::write_string_array_attribute(matrix, "names", impl_->spec.feature_names);
    if (const std::optional<ModelDefaults>& d = impl_->spec.defaults) {
      h5::write_string_array_attribute(matrix, "model_features", d->features);
      h5::write_string_array_attribute(matrix, "model_transforms", d->transforms);
      h5::write_string_array_attribute(matrix, "model_time_unit", {d->time_unit});
      h5::write_string_array_attribute(matrix, "model_period_days", {std::to_string(d->period_days)});
    }
    if (!impl_->spec.attributes.empty()) {
      h5::Id group(H5Gopen2(file, "/features", H5P_DEFAULT), H5Gclose, impl_->path + ": cannot reopen /features");
      for (const auto& [name, value] : impl_->spec.attributes) h5::write_attribute(group, name, value);
    }
    if (impl_->spec.truth_segments > 0)
      h5::write_small(file, kTruthCenters, H5T_NATIVE_FLOAT,
                      {static_cast<hsize_t>(impl_->spec.truth_segments), static_cast<hsize_t>(impl_->spec.d)},
                      truth_centers.data());
    file.close(impl_->path + ": cannot close (disk full?)");
  }
  impl_->comm.barrier();
}

}  // namespace kseg
