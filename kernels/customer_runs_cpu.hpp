#pragma once

#include <cstdint>
#include <vector>

#include "kernels/detail/line_order.hpp"
#include "kernels/feature_kernels.hpp"

namespace kseg {

/// One rank's lines grouped by customer on the CPU, in linear time: a dense key per customer (its
/// id's offset from the smallest id when the ids are dense enough, else its place among the
/// distinct ids found by hashing), a stable counting sort of the line positions on that key, then
/// each customer's few lines by (time, order, position). The result is exactly detail::LineOrder.
struct CustomerRuns {
  std::vector<int64_t> order;     ///< line positions, n
  std::vector<int64_t> customer;  ///< each customer's id, increasing
  std::vector<int64_t> start;     ///< customers + 1 offsets into order

  detail::CustomerRunsView view() const {
    return {order.data(), customer.data(), start.data(), static_cast<int64_t>(customer.size())};
  }
};

CustomerRuns group_by_customer_cpu(const LineColumns& lines);

}  // namespace kseg
