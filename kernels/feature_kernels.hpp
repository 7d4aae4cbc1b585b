#pragma once

#include <cstdint>
#include <vector>

#include "kernels/transaction_columns.hpp"

namespace kseg {

/// Where each per-customer feature goes in a row of the output; -1 when the feature is absent
/// (items per order needs quantities, discount share needs discounts, shares need the column).
struct FeatureLayout {
  int columns = 0;
  int recency_days = -1, frequency = -1, monetary = -1, aov = -1, tenure_days = -1;
  int gap_mean_days = -1, gap_std_days = -1, items_per_order = -1, return_rate = -1, discount_share = -1;
  int category_first = -1;  ///< top categories in rank order, then one "other" column
  int category_count = 0;   ///< including "other"
  int channel_first = -1;
  int channel_count = 0;
  int bgnbd_x = -1, bgnbd_t_x = -1, bgnbd_T = -1, bgnbd_zbar = -1;
  int bought_current_period = -1, bought_previous_period = -1;  ///< 1 or 0 (retention)
};

struct FeatureKernelParams {
  int64_t as_of_day = 0;        ///< days since 1970-01-01; lines are already filtered to <= it
  double time_unit_days = 1.0;  ///< 1 (days) or 7 (weeks) for the BG/NBD inputs
  int64_t period_days = 90;     ///< current period (as_of − p, as_of], previous one before it
  /// category code → output column (the top categories' own, the "other" column otherwise)
  std::vector<int32_t> category_column;
};

/// Read-only pointers to n lines' columns (null where a column is absent), on the host for the
/// CPU kernels.
struct LineColumns {
  int64_t n = 0;
  const int64_t* customer_id = nullptr;
  const int64_t* timestamp = nullptr;
  const double* amount = nullptr;
  const int64_t* order_id = nullptr;
  const int32_t* quantity = nullptr;
  const int32_t* category = nullptr;
  const int32_t* channel = nullptr;
  const double* discount = nullptr;
};

LineColumns line_columns(const TransactionColumns& lines);

/// One row of features per customer, customers in increasing id order. Computed in double, kept
/// in float as the feature file stores them (half the bytes to move between ranks).
struct CustomerFeatureRows {
  std::vector<int64_t> customer_id;
  std::vector<float> values;  ///< customers × layout.columns
};

/// Groups the lines by customer in (customer, timestamp, order, position) order — a counting sort
/// on the CPU, a comparison sort on the GPU, the same order either way — and computes every
/// feature of a customer in one sequential pass over its run (so results do not depend on
/// threads or devices). Thrust, OpenMP backend.
CustomerFeatureRows customer_features_cpu(const TransactionColumns& lines, const FeatureLayout& layout,
                                          const FeatureKernelParams& params);

/// The same source compiled by nvcc for the CUDA backend (built when KSEG_CUDA is on).
CustomerFeatureRows customer_features_cuda(const TransactionColumns& lines, const FeatureLayout& layout,
                                           const FeatureKernelParams& params);

/// Days since 1970-01-01 of a Unix time, rounding towards minus infinity.
inline int64_t unix_day(int64_t seconds) {
  return seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
}

/// The first Unix time of the day after `day`: unix_day(t) <= day exactly when t is below it, a
/// test without the division (which costs as much as the rest of a pass over the lines).
inline int64_t start_of_next_day(int64_t day) { return (day + 1) * 86400; }

}  // namespace kseg
