#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "io/row_partition.hpp"

namespace kseg {

/// HDF5 group of the optional customer attribute table (DESIGN.md): customer_id plus any columns.
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

/// Collective: whether `path` has a /customers group with a customer_id dataset.
bool has_customer_attributes(const std::string& path, const Communicator& comm);

/// Collective: reads every rank's row block of /customers. Refuses (InputError, every rank) a
/// column of another length or a non-numeric type, and a code outside its labels (naming the
/// row); quantities are read as float64.
CustomerAttributes read_customer_attributes(const std::string& path, const Communicator& comm);

}  // namespace kseg
