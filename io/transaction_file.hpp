#pragma once


#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "io/hdf5.hpp"
#include "io/input_file.hpp"
#include "io/row_partition.hpp"
#include "common/value_ranges.hpp"
#include "kernels/transaction_columns.hpp"

namespace kseg {

/// The transactions group (docs/DESIGN.md, HDF5 layout, Transactions): one row per order line.
inline constexpr const char* kTransactions = "/transactions";

/// This rank's row block of a transactions file.
struct TransactionShard {
  std::string path;
  int64_t total_rows = 0;
  RowBlock block;
  TransactionSchema schema;
  TransactionColumns rows;
};

/// Collective: each rank reads its row block with collective parallel I/O. Refuses, on every
/// rank alike and naming the file, dataset and first bad row: missing required columns
/// (customer_id, timestamp, amount), wrong dtypes or ranks, unequal column lengths, no rows,
/// NaN or infinite amounts or discounts.
TransactionShard read_transaction_shard(const InputFile& input);
/// The same, opening `path` for it.
TransactionShard read_transaction_shard(const std::string& path, const Communicator& comm);

/// Collective writer of a transactions file of known size: each rank writes its own rows.
class TransactionFileWriter {
 public:
  TransactionFileWriter(const std::string& path, int64_t total_rows, const TransactionSchema& schema,
                        const Communicator& comm);
  ~TransactionFileWriter();
  /// Collective: `rows` go to rows [first, first + rows.size()) of the file.
  void write_rows(int64_t first, const TransactionColumns& rows);
  /// Collective: closes the parallel file, then rank 0 adds the label attributes.
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// One process writes a transactions file whose row count is not known in advance (the CSV
/// importer): extendible chunked datasets, chunk after chunk.
class AppendingTransactionWriter {
 public:
  AppendingTransactionWriter(const std::string& path, const TransactionSchema& schema);
  ~AppendingTransactionWriter();
  /// `rows` after those already written.
  void append(const TransactionColumns& rows);
  /// Adds the label and file attributes, then closes the file, checking that it reached the disk.
  void finish(const std::vector<std::string>& category_labels, const std::vector<std::string>& channel_labels,
              const std::vector<std::pair<std::string, h5::AttributeValue>>& attributes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kseg
