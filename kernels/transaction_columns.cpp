#include "kernels/transaction_columns.hpp"

#include "common/huge_pages.hpp"
#include "kernels/feature_kernels.hpp"

namespace kseg {

void TransactionColumns::resize(const TransactionSchema& schema, std::size_t rows) {
  resize_on_huge_pages(customer_id, rows);
  resize_on_huge_pages(timestamp, rows);
  resize_on_huge_pages(amount, rows);
  resize_on_huge_pages(order_id, schema.order_id ? rows : 0);
  resize_on_huge_pages(quantity, schema.quantity ? rows : 0);
  resize_on_huge_pages(category, schema.category ? rows : 0);
  resize_on_huge_pages(channel, schema.channel ? rows : 0);
  resize_on_huge_pages(discount, schema.discount ? rows : 0);
}

template <typename T>
static const T* or_null(const std::vector<T>& column) {
  return column.empty() ? nullptr : column.data();
}

LineColumns line_columns(const TransactionColumns& c) {
  return {static_cast<int64_t>(c.size()), or_null(c.customer_id), or_null(c.timestamp), or_null(c.amount),
          or_null(c.order_id), or_null(c.quantity), or_null(c.category), or_null(c.channel), or_null(c.discount)};
}

}  // namespace kseg
