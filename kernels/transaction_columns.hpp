#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kseg {

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
  /// Calls f(column) for every column vector, present or not (absent ones are empty).
  template <typename F>
  void for_each_column(F f) {
    f(customer_id), f(timestamp), f(amount), f(order_id), f(quantity), f(category), f(channel), f(discount);
  }
  /// Makes room for `rows` rows of every column the schema has.
  void resize(const TransactionSchema& schema, std::size_t rows);
};

}  // namespace kseg
