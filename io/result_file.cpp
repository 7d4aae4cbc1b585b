#include "io/result_file.hpp"

#include <numeric>

#include "common/errors.hpp"
#include "customers/segment_fit.hpp"

namespace kseg {
namespace {

constexpr const char* kRfmSegment = "/segments/rfm_segment";
constexpr const char* kEnvelope = "/model/distance_envelope";

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
  if (c.rfm)
    columns.insert(columns.end(), {Column{"/segments/r_score", H5T_STD_I8LE, H5T_NATIVE_INT8, c.rfm->r_score.data()},
                                   Column{"/segments/f_score", H5T_STD_I8LE, H5T_NATIVE_INT8, c.rfm->f_score.data()},
                                   Column{"/segments/m_score", H5T_STD_I8LE, H5T_NATIVE_INT8, c.rfm->m_score.data()},
                                   Column{kRfmSegment, H5T_STD_I32LE, H5T_NATIVE_INT32, c.rfm->rfm_class.data()}});
  if (c.out_of_envelope)
    columns.push_back({"/segments/out_of_envelope", H5T_STD_I8LE, H5T_NATIVE_INT8, c.out_of_envelope});
  for (const Column& col : columns) {
    h5::Id dataset = h5::create_dataset(file, col.name, col.file_type, {rows});
    h5::write_rows(comm, dataset, col.mem_type, c.block.first, c.block.count, 1, col.data, path + ":" + col.name);
    dataset.close(path + ": cannot close " + col.name);
  }
  file.close(path + ": cannot close (disk full?)");
}

// --previous: the migration matrix and the drift figures.
void write_comparison(hid_t file, const QuarterComparison& q) {
  const MigrationMatrix& m = q.migration;
  const hsize_t rows = m.from.size(), columns = m.to.size();
  h5::Id migration = h5::create_group(file, "/migration");
  h5::write_attribute(migration, "previous", q.previous_path);
  h5::write_small(file, "/migration/from_segment", H5T_NATIVE_INT32, {rows}, m.from.data());
  h5::write_small(file, "/migration/to_segment", H5T_NATIVE_INT32, {columns}, m.to.data());
  h5::write_small(file, "/migration/customers", H5T_NATIVE_INT64, {rows, columns}, m.customers.data());
  h5::write_small(file, "/migration/revenue", H5T_NATIVE_DOUBLE, {rows, columns}, m.revenue.data());
  h5::Id drift = h5::create_group(file, "/drift");
  h5::write_attribute(drift, "psi", q.drift.psi);
  h5::write_attribute(drift, "changed_share", q.drift.changed_share);
  h5::write_small(file, "/drift/centroid_shift", H5T_NATIVE_DOUBLE, {q.drift.centroid_shift.size()},
                  q.drift.centroid_shift.data());
  h5::write_small(file, "/drift/vanished_segments", H5T_NATIVE_INT32, {q.match.vanished.size()},
                  q.match.vanished.data());
  h5::write_strings(file, "/drift/warnings", q.drift.warnings);
}

// A table of validation groups: one dataset per figure, a row per group, under `group`.
void write_groups(hid_t file, const std::string& group, const std::vector<ValidationGroup>& rows) {
  h5::create_group(file, group);
  const hsize_t n = rows.size();
  std::vector<int64_t> customers;
  for (const ValidationGroup& g : rows) customers.push_back(g.customers);
  h5::write_small(file, group + "/customers", H5T_NATIVE_INT64, {n}, customers.data());
  for (const auto& [name, member] : std::vector<std::pair<const char*, double ValidationGroup::*>>{
           {"predicted_purchases", &ValidationGroup::predicted_purchases},
           {"actual_purchases", &ValidationGroup::actual_purchases},
           {"predicted_spend", &ValidationGroup::predicted_spend},
           {"actual_spend", &ValidationGroup::actual_spend},
           {"inactive_share", &ValidationGroup::inactive_share},
           {"churn_risk", &ValidationGroup::churn_risk}}) {
    std::vector<double> values;
    for (const ValidationGroup& g : rows) values.push_back(g.*member);
    h5::write_small(file, group + "/" + name, H5T_NATIVE_DOUBLE, {n}, values.data());
  }
}

// The holdout check: what the model predicted against what the customers did next.
void write_validation(hid_t file, const HoldoutValidation& v, const std::vector<int32_t>& segment_ids) {
  h5::Id group = h5::create_group(file, "/validation");
  for (const auto& [name, value] : std::vector<std::pair<std::string, h5::AttributeValue>>{
           {"holdout_start", iso_date(v.window.as_of_day + 1)}, {"holdout_end", iso_date(v.window.end_day)},
           {"holdout_days", v.window.days()}, {"churn_period_days", v.churn_period_days},
           {"churn_auc", v.churn_auc}, {"churn_brier", v.churn_brier}})
    h5::write_attribute(group, name, value);
  write_groups(file, "/validation/total", {v.total});
  write_groups(file, "/validation/by_frequency", v.by_frequency);
  write_groups(file, "/validation/by_segment", v.by_segment);
  h5::write_small(file, "/validation/by_segment/segment", H5T_NATIVE_INT32, {segment_ids.size()}, segment_ids.data());
  write_groups(file, "/validation/by_spend_decile", v.by_decile);
}

// The scaler's numeric datasets, named as in /model/scaler: the one list the writer and reader share.
template <typename Scaler>
auto scaler_columns(Scaler& s) {
  using Values = decltype(&s.center);
  return std::vector<std::pair<const char*, Values>>{
      {"clip_low", &s.clip_low}, {"clip_high", &s.clip_high}, {"center", &s.center}, {"scale", &s.scale},
      {"fill", &s.fill}};
}

// Small and string-valued data: rank 0 writes it serially (MPI-IO cannot write variable-length strings).
void write_model(const std::string& path, const ResultContent& c) {
  h5::Id file = h5::open_serial_for_write(path);
  h5::create_group(file, "/model");
  const hsize_t k = static_cast<hsize_t>(c.k), d = static_cast<hsize_t>(c.d);
  h5::write_small(file, "/model/centroids", H5T_NATIVE_FLOAT, {k, d}, c.centroids.data());
  h5::write_small(file, "/model/centroids_original", H5T_NATIVE_FLOAT, {k, d}, c.centroids_original.data());
  h5::write_small(file, "/model/segment_size", H5T_NATIVE_INT64, {k}, c.segment_size.data());
  h5::write_small(file, "/model/segment_ids", H5T_NATIVE_INT32, {k}, c.segment_ids.data());
  if (!c.segment_status.empty()) h5::write_strings(file, "/model/segment_status", c.segment_status);
  if (!c.distance_envelope.empty()) {
    h5::write_small(file, kEnvelope, H5T_NATIVE_DOUBLE, {k}, c.distance_envelope.data());
    h5::Id envelope(H5Dopen2(file, kEnvelope, H5P_DEFAULT), H5Dclose, path + ": cannot reopen " + kEnvelope);
    h5::write_attribute(envelope, "quantile", kEnvelopeQuantile);
  }
  h5::create_group(file, "/model/scaler");
  for (const auto& [name, values] : scaler_columns(c.scaler))
    h5::write_small(file, std::string("/model/scaler/") + name, H5T_NATIVE_DOUBLE, {d}, values->data());
  h5::write_strings(file, "/model/scaler/steps", c.scaler.steps);
  h5::write_strings(file, "/model/segment_names", c.segment_names);
  h5::write_strings(file, "/model/segment_actions", c.segment_actions);
  h5::write_strings(file, "/model/feature_names", c.feature_names);
  for (const auto& [name, value] : c.attributes) h5::write_attribute(file, name, value);
  if (c.comparison) write_comparison(file, *c.comparison);
  if (c.validation) write_validation(file, *c.validation, c.segment_ids);
  if (c.rfm) {
    h5::Id classes(H5Dopen2(file, kRfmSegment, H5P_DEFAULT), H5Dclose, path + ": cannot reopen " + kRfmSegment);
    h5::write_string_array_attribute(classes, "labels", rfm_class_labels());
  }
  file.close(path + ": cannot close (disk full?)");
}

}  // namespace

void write_result_file(const std::string& path, const ResultContent& content, const Communicator& comm) {
  write_segments(path, content, comm);
  if (comm.is_root()) write_model(path, content);
  comm.barrier();
}

SavedModel read_saved_model(const std::string& path) {
  const h5::Id file = h5::open_serial(path);
  if (!h5::link_exists(file, "/model/centroids"))
    throw InputError(path + ": not a kseg result (no /model/centroids)", ErrorScope::all_ranks);
  SavedModel m;
  m.path = path;
  m.feature_names = h5::read_strings(file, "/model/feature_names", path);
  m.scaler.steps = h5::read_strings(file, "/model/scaler/steps", path);
  m.centroids = h5::read_small<float>(file, "/model/centroids", H5T_NATIVE_FLOAT, path);
  m.centroids_original = h5::read_small<float>(file, "/model/centroids_original", H5T_NATIVE_FLOAT, path);
  for (const auto& [name, values] : scaler_columns(m.scaler)) {
    const std::string dataset = std::string("/model/scaler/") + name;
    if (name == std::string("fill") && !h5::link_exists(file, dataset)) continue;  // older results: nothing unknown
    *values = h5::read_small<double>(file, dataset, H5T_NATIVE_DOUBLE, path);
  }
  if (m.scaler.fill.empty()) m.scaler.fill.assign(m.scaler.center.size(), NAN);
  m.segment_names = h5::read_strings(file, "/model/segment_names", path);
  m.segment_actions = h5::read_strings(file, "/model/segment_actions", path);
  m.segment_size = h5::read_small<int64_t>(file, "/model/segment_size", H5T_NATIVE_INT64, path);
  const std::vector<std::string> from = h5::read_string_array_attribute(file, "segments_from", path);
  if (!from.empty()) m.segments_from = from[0];
  m.d = static_cast<int>(m.feature_names.size());
  m.k = m.d ? static_cast<int>(m.centroids.size() / m.d) : 0;
  if (h5::link_exists(file, kEnvelope))
    m.distance_envelope = h5::read_small<double>(file, kEnvelope, H5T_NATIVE_DOUBLE, path);
  if (h5::link_exists(file, "/model/segment_ids")) {
    m.segment_ids = h5::read_small<int32_t>(file, "/model/segment_ids", H5T_NATIVE_INT32, path);
  } else {
    m.segment_ids.resize(m.k);
    std::iota(m.segment_ids.begin(), m.segment_ids.end(), 0);
  }
  const std::size_t k = static_cast<std::size_t>(m.k), d = static_cast<std::size_t>(m.d);
  const bool consistent = k > 0 && m.centroids.size() == k * d && m.centroids_original.size() == k * d &&
                          m.scaler.steps.size() == d && m.scaler.clip_low.size() == d &&
                          m.scaler.clip_high.size() == d && m.scaler.center.size() == d &&
                          m.scaler.scale.size() == d && m.scaler.fill.size() == d && m.segment_ids.size() == k &&
                          m.segment_names.size() == k && m.segment_size.size() == k &&
                          (m.distance_envelope.empty() || m.distance_envelope.size() == k);
  if (!consistent)
    throw InputError(path + ":/model: its datasets disagree in size (" + std::to_string(d) + " features, " +
                         std::to_string(m.centroids.size()) + " centroid values): not a complete kseg result",
                     ErrorScope::all_ranks);
  return m;
}

SavedSegments read_saved_segments(const std::string& path, const Communicator& comm) {
  const h5::Id file = h5::open_parallel(path, comm);
  const h5::Id ids = h5::open_dataset(file, "/segments/customer_id", path);
  const int64_t rows = h5::element_count(ids);
  h5::expect_stored(ids, rows, path + ":/segments/customer_id");
  const RowBlock block = row_block(rows, comm.size(), comm.rank());
  SavedSegments s;
  s.customer_id.resize(block.count);
  s.segment.resize(block.count);
  h5::read_rows(comm, ids, H5T_NATIVE_INT64, block.first, block.count, 1, s.customer_id.data(), path + ":/segments/customer_id");
  const h5::Id segment = h5::open_dataset(file, "/segments/segment", path);
  if (h5::element_count(segment) != rows)
    throw InputError(path + ":/segments/segment: not one per customer", ErrorScope::all_ranks);
  h5::read_rows(comm, segment, H5T_NATIVE_INT32, block.first, block.count, 1, s.segment.data(), path + ":/segments/segment");
  if (h5::link_exists(file, "/segments/monetary")) {
    const h5::Id monetary = h5::open_dataset(file, "/segments/monetary", path);
    if (h5::element_count(monetary) != rows)
      throw InputError(path + ":/segments/monetary: not one per customer", ErrorScope::all_ranks);
    s.monetary.resize(block.count);
    h5::read_rows(comm, monetary, H5T_NATIVE_FLOAT, block.first, block.count, 1, s.monetary.data(),
                  path + ":/segments/monetary");
  }
  return s;
}

}  // namespace kseg
