#include "io/transaction_file.hpp"

#include <cmath>
#include <filesystem>

#include "common/errors.hpp"
#include "io/hdf5.hpp"

namespace kseg {
namespace {

[[noreturn]] void refuse(const std::string& message) { throw InputError(message, ErrorScope::all_ranks); }

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

// Every rank finds its first non-finite value; the globally first row is reported by all ranks.
void refuse_non_finite(const TransactionShard& shard, const std::vector<double>& values, const char* column,
                       const Communicator& comm) {
  int64_t local = INT64_MAX;
  for (std::size_t i = 0; i < values.size() && local == INT64_MAX; ++i)
    if (!std::isfinite(values[i])) local = shard.block.first + static_cast<int64_t>(i);
  const int64_t first_bad = comm.min(local);
  if (first_bad == INT64_MAX) return;
  refuse(shard.path + ":" + kTransactions + "/" + column + " row " + std::to_string(first_bad) +
         ": value is not a finite number");
}

}  // namespace

bool has_transactions(const std::string& path, const Communicator& comm) {
  if (!std::filesystem::is_regular_file(path) || H5Fis_hdf5(path.c_str()) <= 0) return false;
  try {
    const h5::Id file = h5::open_parallel(path, comm);
    return h5::link_exists(file, kTransactions);
  } catch (const IoError&) {
    return false;  // unreadable: the features reader reports it, once, with its own message
  }
}

TransactionShard read_transaction_shard(const std::string& path, const Communicator& comm) {
  const h5::Id file = h5::open_parallel(path, comm);
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
  refuse_non_finite(shard, shard.rows.amount, "amount", comm);
  refuse_non_finite(shard, shard.rows.discount, "discount", comm);
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

}  // namespace kseg
