// Feature kernels written once for both backends: included by feature_kernels_cpu.cpp (g++,
// Thrust's OpenMP device system) and feature_kernels_cuda.cu (nvcc). Named functors, no lambdas,
// KSEG_HD for code that runs on the device.
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <cmath>

#include "kernels/feature_kernels.hpp"
#include "kernels/detail/line_order.hpp"
#include "common/hd.hpp"

// Internal linkage: this file is compiled twice into one program, once for Thrust's OpenMP system
// and once for CUDA, and the two copies must not be taken for one definition by the linker.
namespace kseg::detail {
namespace {

KSEG_HD inline int64_t day_of(int64_t seconds) {
  return seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
}

// What one pass over a customer's time-ordered lines adds up.
struct LineTotals {
  double gross = 0, returned = 0, net = 0, discounted = 0, items = 0, day_value = 0, repeat_value = 0;
  double gap_mean = 0, gap_m2 = 0;  // Welford over gaps between purchase days
  int64_t orders = 0, purchase_days = 0, first_day = 0, last_day = 0, previous_order = 0;
  bool current_period = false, previous_period = false;
};

// Every feature of one customer from its time-ordered lines, in one pass. Purchases are lines
// with amount >= 0; returns (amount < 0) count only towards monetary and the return rate.
struct CustomerFeatures {
  LineColumns lines;
  CustomerRunsView runs;
  const int32_t* category_column;
  FeatureLayout layout;
  int64_t as_of_day;
  double unit_days;
  int64_t period_days;
  double* out;

  KSEG_HD void operator()(int64_t customer) const {
    double* row = out + customer * layout.columns;
    for (int c = 0; c < layout.columns; ++c) row[c] = 0.0;
    const int64_t begin = runs.start[customer], end = runs.start[customer + 1];
    LineTotals t;
    for (int64_t k = begin; k < end; ++k) add_line(runs.order[k], t, row);
    if (t.purchase_days > 1) t.repeat_value += t.day_value;
    if (t.purchase_days == 0) t.first_day = t.last_day = day_of(lines.timestamp[runs.order[end - 1]]);  // returns only
    write_features(t, row);
  }

  // A purchase on a day after the last one closes that day (a repeat day when it was not the first).
  KSEG_HD void start_day(int64_t day, LineTotals& t) const {
    if (t.purchase_days > 1) t.repeat_value += t.day_value;
    if (t.purchase_days > 0) {
      const double gap = static_cast<double>(day - t.last_day), delta = gap - t.gap_mean;
      t.gap_mean += delta / static_cast<double>(t.purchase_days);
      t.gap_m2 += delta * (gap - t.gap_mean);
    } else {
      t.first_day = day;
    }
    ++t.purchase_days;
    t.last_day = day;
    t.day_value = 0;
  }

  // Line i into the totals; category and channel spend go straight into the row.
  KSEG_HD void add_line(int64_t i, LineTotals& t, double* row) const {
    const double a = lines.amount[i];
    t.net += a;
    if (a < 0) {
      t.returned -= a;
      return;
    }
    const int64_t day = day_of(lines.timestamp[i]);
    if (t.purchase_days == 0 || day != t.last_day) start_day(day, t);
    t.day_value += a;
    t.current_period |= day > as_of_day - period_days;
    t.previous_period |= day <= as_of_day - period_days && day > as_of_day - 2 * period_days;
    t.gross += a;
    if (lines.order_id && (t.orders == 0 || lines.order_id[i] != t.previous_order))
      ++t.orders, t.previous_order = lines.order_id[i];
    if (lines.quantity) t.items += lines.quantity[i];
    if (lines.discount) t.discounted += lines.discount[i];
    if (lines.category) row[category_column[lines.category[i]]] += a;
    if (lines.channel) row[layout.channel_first + lines.channel[i]] += a;
  }

  KSEG_HD void write_features(const LineTotals& t, double* row) const {
    const double frequency = static_cast<double>(lines.order_id ? t.orders : t.purchase_days);
    const int64_t x = t.purchase_days > 0 ? t.purchase_days - 1 : 0;
    row[layout.recency_days] = static_cast<double>(as_of_day - t.last_day);
    row[layout.frequency] = frequency;
    row[layout.monetary] = t.net;
    row[layout.aov] = frequency > 0 ? t.gross / frequency : 0.0;
    row[layout.tenure_days] = static_cast<double>(as_of_day - t.first_day);
    row[layout.gap_mean_days] = x > 0 ? t.gap_mean : 0.0;
    row[layout.gap_std_days] = x > 1 ? sqrt(t.gap_m2 / static_cast<double>(x)) : 0.0;
    if (layout.items_per_order >= 0) row[layout.items_per_order] = frequency > 0 ? t.items / frequency : 0.0;
    row[layout.return_rate] = t.gross > 0 ? t.returned / t.gross : 0.0;
    if (layout.discount_share >= 0)
      row[layout.discount_share] = t.gross + t.discounted > 0 ? t.discounted / (t.gross + t.discounted) : 0.0;
    for (int c = 0; t.gross > 0 && c < layout.category_count; ++c) row[layout.category_first + c] /= t.gross;
    for (int c = 0; t.gross > 0 && c < layout.channel_count; ++c) row[layout.channel_first + c] /= t.gross;
    row[layout.bgnbd_x] = static_cast<double>(x);
    row[layout.bgnbd_t_x] = static_cast<double>(t.last_day - t.first_day) / unit_days;
    row[layout.bgnbd_T] = static_cast<double>(as_of_day - t.first_day) / unit_days;
    row[layout.bgnbd_zbar] = x > 0 ? t.repeat_value / static_cast<double>(x) : 0.0;
    row[layout.bought_current_period] = t.current_period ? 1.0 : 0.0;
    row[layout.bought_previous_period] = t.previous_period ? 1.0 : 0.0;
  }
};

// Every customer's row of features into `out` (runs.count × layout.columns). `lines`, `runs`,
// `category_column` and `out` point to memory the device can read (host memory for OpenMP).
void features_of_runs(const LineColumns& lines, const CustomerRunsView& runs, const FeatureLayout& layout,
                      const FeatureKernelParams& params, const int32_t* category_column, double* out) {
  thrust::for_each(thrust::device, thrust::counting_iterator<int64_t>(0), thrust::counting_iterator<int64_t>(runs.count),
                   CustomerFeatures{lines, runs, category_column, layout, params.as_of_day, params.time_unit_days,
                                    params.period_days, out});
}

}  // namespace
}  // namespace kseg::detail
