#pragma once

#include <cstdint>
#include <string>
#include <memory>
#include <utility>
#include <vector>

#include "common/communicator.hpp"
#include "io/hdf5.hpp"
#include "io/input_file.hpp"
#include "io/row_partition.hpp"

namespace kseg {

/// HDF5 group of the optional customer attribute table: customer_id plus any columns (docs/DESIGN.md,
/// HDF5 layout, Customer attributes).
inline constexpr const char* kCustomers = "/customers";

/// One attribute column. A column with a `labels` attribute is categorical: its values are codes
/// into `labels` (−1: unknown); any other numeric column is a quantity (NaN: unknown).
struct AttributeColumn {
  std::string name;
  std::vector<std::string> labels;  ///< empty for a quantity
  std::vector<double> values;       ///< this rank's rows
  bool categorical() const { return !labels.empty(); }
};

/// This rank's row block of /customers.
struct CustomerAttributes {
  std::string path;
  int64_t total_rows = 0;
  RowBlock block;
  std::vector<int64_t> customer_id;
  std::vector<AttributeColumn> columns;  ///< every 1-D numeric dataset but customer_id, by name
};

/// Whether the file has a /customers group with a customer_id dataset.
bool has_customer_attributes(const InputFile& input);

/// Collective: reads every rank's row block of /customers. Refuses (InputError, every rank) a
/// column of another length or a non-numeric type, and a code outside its labels (naming the
/// row); quantities are read as float64.
CustomerAttributes read_customer_attributes(const InputFile& input);

/// A column of /customers to write: integers (codes into `labels` when it has them) or float64.
struct AttributeColumnSpec {
  std::string name;
  bool integer = false;
  std::vector<std::string> labels;
};

/// Collective writer of /customers into an existing file whose other writers have closed it; each
/// rank writes its own rows.
class CustomerAttributeWriter {
 public:
  CustomerAttributeWriter(const std::string& path, int64_t total_rows, std::vector<AttributeColumnSpec> columns,
                          const Communicator& comm);
  ~CustomerAttributeWriter();
  /// Collective: rows [first, first + count); values[c] holds column c's `count` values.
  void write_rows(int64_t first, int64_t count, const int64_t* ids, const std::vector<std::vector<double>>& values);
  /// Collective: closes the parallel file, then rank 0 adds the columns' labels and `file_attributes` on the root.
  void finish(const std::vector<std::pair<std::string, h5::AttributeValue>>& file_attributes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kseg
