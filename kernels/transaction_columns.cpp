#include "kernels/transaction_columns.hpp"

namespace kseg {

void TransactionColumns::resize(const TransactionSchema& schema, std::size_t rows) {
  customer_id.resize(rows);
  timestamp.resize(rows);
  amount.resize(rows);
  order_id.resize(schema.order_id ? rows : 0);
  quantity.resize(schema.quantity ? rows : 0);
  category.resize(schema.category ? rows : 0);
  channel.resize(schema.channel ? rows : 0);
  discount.resize(schema.discount ? rows : 0);
}

}  // namespace kseg
