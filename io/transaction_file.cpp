#include "io/transaction_file.hpp"

#include <algorithm>
#include <cmath>

#include "common/errors.hpp"
#include "common/number_text.hpp"
#include "io/first_rejected_row.hpp"
#include "io/detail/appending_group.hpp"
#include "io/hdf5.hpp"

namespace kseg {
namespace {

// One column of /transactions: where it lives, what it holds and where it goes in memory. The
// table below is the only place that lists the columns.
struct Column {
  const char* name;
  H5T_class_t kind;
  hid_t file_type;
  hid_t mem_type;
  bool TransactionSchema::*present;  // null: required
  void* (*data)(const TransactionColumns&);
};

// The column's storage; writable through the pointer because readers fill it (HDF5's read and
// write take one pointer type each, and the table serves both).
template <typename T, std::vector<T> TransactionColumns::*member>
void* column_data(const TransactionColumns& c) {
  return const_cast<T*>((c.*member).data());
}

const std::vector<Column>& columns() {
  static const std::vector<Column> table = {
      {"customer_id", H5T_INTEGER, H5T_STD_I64LE, H5T_NATIVE_INT64, nullptr,
       column_data<int64_t, &TransactionColumns::customer_id>},
      {"timestamp", H5T_INTEGER, H5T_STD_I64LE, H5T_NATIVE_INT64, nullptr,
       column_data<int64_t, &TransactionColumns::timestamp>},
      {"amount", H5T_FLOAT, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, nullptr,
       column_data<double, &TransactionColumns::amount>},
      {"order_id", H5T_INTEGER, H5T_STD_I64LE, H5T_NATIVE_INT64, &TransactionSchema::order_id,
       column_data<int64_t, &TransactionColumns::order_id>},
      {"quantity", H5T_INTEGER, H5T_STD_I32LE, H5T_NATIVE_INT32, &TransactionSchema::quantity,
       column_data<int32_t, &TransactionColumns::quantity>},
      {"category", H5T_INTEGER, H5T_STD_I32LE, H5T_NATIVE_INT32, &TransactionSchema::category,
       column_data<int32_t, &TransactionColumns::category>},
      {"channel", H5T_INTEGER, H5T_STD_I32LE, H5T_NATIVE_INT32, &TransactionSchema::channel,
       column_data<int32_t, &TransactionColumns::channel>},
      {"discount", H5T_FLOAT, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &TransactionSchema::discount,
       column_data<double, &TransactionColumns::discount>},
  };
  return table;
}

bool in_schema(const Column& c, const TransactionSchema& s) { return c.present == nullptr || s.*(c.present); }

std::string dataset_path(const Column& c) { return std::string(kTransactions) + "/" + c.name; }

const char* kind_name(H5T_class_t kind) {
  switch (kind) {
    case H5T_INTEGER: return "integers";
    case H5T_FLOAT: return "floating-point numbers";
    case H5T_STRING: return "strings";
    default: return "a non-numeric type";
  }
}

// Every rank finds its first value outside the accepted range; the globally first row is
// reported by all ranks, with its value.
template <typename T, typename Accepted>
void refuse_out_of_range(const TransactionShard& shard, const std::vector<T>& values, const char* column,
                         Accepted accepted, const std::string& rule, const Communicator& comm) {
  const std::optional<int64_t> row = first_rejected_row(values, shard.block, accepted, comm);
  if (!row) return;
  const int owner = owner_of_row(shard.total_rows, comm.size(), *row);
  const std::string value = comm.broadcast_string(
      comm.rank() == owner ? value_text(values[static_cast<std::size_t>(*row - shard.block.first)]) : "", owner);
  refuse(shard.path + ":" + kTransactions + "/" + column + " row " + std::to_string(*row) + ": " + value + " " + rule);
}

void refuse_values_out_of_range(const TransactionShard& shard, const Communicator& comm) {
  const std::string amount_rule = "is not an amount kseg takes (finite, at most 1e12 in magnitude)";
  const auto amount = [](double v) { return amount_in_range(v); };
  refuse_out_of_range(shard, shard.rows.amount, "amount", amount, amount_rule, comm);
  refuse_out_of_range(shard, shard.rows.discount, "discount", amount, amount_rule, comm);
  refuse_out_of_range(shard, shard.rows.customer_id, "customer_id", [](int64_t id) { return customer_id_in_range(id); },
                      "is outside the ids kseg takes (-2^63 < id < 2^63-1; an unsigned id of 2^63 or more?)", comm);
  refuse_out_of_range(shard, shard.rows.timestamp, "timestamp", [](int64_t t) { return timestamp_in_range(t); },
                      "is not a timestamp kseg takes (Unix seconds from 1900-01-01 to before 2200-01-01)", comm);
}

}  // namespace

TransactionShard read_transaction_shard(const std::string& path, const Communicator& comm) {
  return read_transaction_shard(InputFile(path, comm));
}

TransactionShard read_transaction_shard(const InputFile& input) {
  const std::string& path = input.path();
  const Communicator& comm = input.comm();
  const hid_t file = input.handle();
  TransactionShard shard;
  shard.path = path;
  std::vector<h5::Id> datasets;
  for (const Column& c : columns()) {
    const std::string where = path + ":" + dataset_path(c);
    const bool exists = h5::link_exists(file, dataset_path(c));
    if (c.present) shard.schema.*(c.present) = exists;
    if (!exists) {
      if (!c.present) refuse(path + ": missing dataset " + dataset_path(c));
      datasets.emplace_back();
      continue;
    }
    h5::Id dataset = h5::open_dataset(file, dataset_path(c), path);
    const std::vector<hsize_t> dims = h5::dataset_dims(dataset);
    if (dims.size() != 1) refuse(where + ": expected 1 dimension, found " + std::to_string(dims.size()));
    const h5::Id type(H5Dget_type(dataset), H5Tclose, where + ": cannot read its type");
    if (H5Tget_class(type) != c.kind)
      refuse(where + ": expected " + kind_name(c.kind) + ", found " + kind_name(H5Tget_class(type)));
    const int64_t rows = static_cast<int64_t>(dims[0]);
    h5::expect_stored(dataset, rows, where);
    if (&c == &columns().front()) {
      shard.total_rows = rows;
    } else if (rows != shard.total_rows) {
      refuse(where + ": has " + std::to_string(rows) + " rows but " + kTransactions + "/customer_id has " +
             std::to_string(shard.total_rows));
    }
    datasets.push_back(std::move(dataset));
  }
  if (shard.total_rows == 0) refuse(path + ":" + kTransactions + ": has no rows (no transactions)");
  for (std::size_t i = 0; i < columns().size(); ++i) {  // names behind the coded columns
    const std::string name = columns()[i].name;
    std::vector<std::string>* labels = name == "category" ? &shard.schema.category_labels
                                       : name == "channel" ? &shard.schema.channel_labels : nullptr;
    if (labels && in_schema(columns()[i], shard.schema))
      *labels = h5::read_string_array_attribute(datasets[i], "labels", path + ":" + dataset_path(columns()[i]));
  }

  shard.block = row_block(shard.total_rows, comm.size(), comm.rank());
  shard.rows.resize(shard.schema, static_cast<std::size_t>(shard.block.count));
  for (std::size_t i = 0; i < columns().size(); ++i) {
    const Column& c = columns()[i];
    if (!in_schema(c, shard.schema)) continue;
    h5::read_rows(comm, datasets[i], c.mem_type, shard.block.first, shard.block.count, 1, c.data(shard.rows),
                  path + ":" + dataset_path(c));
  }
  refuse_values_out_of_range(shard, comm);
  return shard;
}

struct TransactionFileWriter::Impl {
  std::string path;
  TransactionSchema schema;
  const Communicator& comm;
  h5::Id file;
  std::vector<h5::Id> datasets;  // parallel to columns(); empty ids for absent columns
};

TransactionFileWriter::TransactionFileWriter(const std::string& path, int64_t total_rows,
                                             const TransactionSchema& schema, const Communicator& comm)
    : impl_(new Impl{path, schema, comm, h5::create_parallel(path, comm), {}}) {
  h5::create_group(impl_->file, kTransactions);
  for (const Column& c : columns())
    impl_->datasets.push_back(in_schema(c, schema) ? h5::create_dataset(impl_->file, dataset_path(c), c.file_type,
                                                                        {static_cast<hsize_t>(total_rows)})
                                                   : h5::Id());
}

TransactionFileWriter::~TransactionFileWriter() = default;

void TransactionFileWriter::write_rows(int64_t first, const TransactionColumns& rows) {
  for (std::size_t i = 0; i < columns().size(); ++i) {
    const Column& c = columns()[i];
    if (!in_schema(c, impl_->schema)) continue;
    h5::write_rows(impl_->comm, impl_->datasets[i], c.mem_type, first, static_cast<int64_t>(rows.size()), 1,
                   c.data(rows), impl_->path + ":" + dataset_path(c));
  }
}

void TransactionFileWriter::finish() {
  for (std::size_t i = 0; i < columns().size(); ++i)
    if (in_schema(columns()[i], impl_->schema))
      impl_->datasets[i].close(impl_->path + ": cannot close " + dataset_path(columns()[i]));
  impl_->file.close(impl_->path + ": cannot close (disk full?)");
  if (impl_->comm.is_root() && (impl_->schema.category || impl_->schema.channel)) {
    h5::Id file = h5::open_serial_for_write(impl_->path);
    auto label = [&](const char* dataset, const std::vector<std::string>& labels) {
      h5::Id d(H5Dopen2(file, dataset, H5P_DEFAULT), H5Dclose, impl_->path + ": cannot reopen " + dataset);
      h5::write_string_array_attribute(d, "labels", labels);
    };
    if (impl_->schema.category) label("/transactions/category", impl_->schema.category_labels);
    if (impl_->schema.channel) label("/transactions/channel", impl_->schema.channel_labels);
    file.close(impl_->path + ": cannot close (disk full?)");
  }
  impl_->comm.barrier();
}

struct AppendingTransactionWriter::Impl {
  std::string path;
  TransactionSchema schema;
  h5::Id file;
  detail::AppendingGroup table;
};

AppendingTransactionWriter::AppendingTransactionWriter(const std::string& path, const TransactionSchema& schema) {
  h5::Id file = h5::create_serial_v18(path);
  detail::AppendingGroup table(file, path, kTransactions);
  impl_.reset(new Impl{path, schema, std::move(file), std::move(table)});
}

AppendingTransactionWriter::~AppendingTransactionWriter() = default;

void AppendingTransactionWriter::append(const TransactionColumns& rows) {
  for (const Column& c : columns())
    if (in_schema(c, impl_->schema))
      impl_->table.append(c.name, c.file_type, c.mem_type, static_cast<int64_t>(rows.size()), c.data(rows));
}

void AppendingTransactionWriter::finish(const std::vector<std::string>& category_labels,
                                        const std::vector<std::string>& channel_labels,
                                        const std::vector<std::pair<std::string, h5::AttributeValue>>& attributes) {
  Impl& w = *impl_;
  if (w.schema.category) h5::write_string_array_attribute(w.table.column("category"), "labels", category_labels);
  if (w.schema.channel) h5::write_string_array_attribute(w.table.column("channel"), "labels", channel_labels);
  for (const auto& [name, value] : attributes) h5::write_attribute(w.file, name, value);
  w.table.close();
  w.file.close(w.path + ": cannot close (disk full?)");
}

}  // namespace kseg
