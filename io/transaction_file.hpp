#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "io/row_partition.hpp"

namespace kseg {

/// The transactions group of DESIGN.md: one row per order line.
inline constexpr const char* kTransactions = "/transactions";

/// Which optional columns a transactions file has, and the names behind coded columns.
struct TransactionSchema {
  bool order_id = false;
  bool quantity = false;
  bool category = false;
  bool channel = false;
  bool discount = false;
  std::vector<std::string> category_labels;  ///< attribute `labels` of /transactions/category
  std::vector<std::string> channel_labels;   ///< attribute `labels` of /transactions/channel
};

/// Rows of /transactions, one vector per column; an optional column absent from the schema is
/// empty.
struct TransactionColumns {
  std::vector<int64_t> customer_id;
  std::vector<int64_t> timestamp;  ///< Unix seconds, UTC
  std::vector<double> amount;      ///< net revenue of the line, negative for returns
  std::vector<int64_t> order_id;
  std::vector<int32_t> quantity;
  std::vector<int32_t> category;
  std::vector<int32_t> channel;
  std::vector<double> discount;

  std::size_t size() const { return customer_id.size(); }
  /// Makes room for `rows` rows of every column the schema has.
  void resize(const TransactionSchema& schema, std::size_t rows);
};

/// This rank's row block of a transactions file.
struct TransactionShard {
  std::string path;
  int64_t total_rows = 0;
  RowBlock block;
  TransactionSchema schema;
  TransactionColumns rows;
};

/// True when `path` is an HDF5 file with a /transactions group (collective).
bool has_transactions(const std::string& path, const Communicator& comm);

/// Collective: each rank reads its row block with collective parallel I/O. Refuses, on every
/// rank alike and naming the file, dataset and first bad row: missing required columns
/// (customer_id, timestamp, amount), wrong dtypes or ranks, unequal column lengths, no rows,
/// NaN or infinite amounts or discounts.
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

}  // namespace kseg
