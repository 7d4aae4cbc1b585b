#include "customers/holdout_validation.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>

#include "common/named_columns.hpp"
#include "customers/transforms.hpp"
#include "kernels/fixed_point.hpp"

namespace kseg {
namespace {

// The summed quantities of a group, in this order, each at a scale every rank shares.
enum Sum { kPredictedPurchases, kActualPurchases, kPredictedSpend, kActualSpend, kChurnRisk, kSums };
using Values = std::array<double, kSums>;

constexpr int kAucBins = 1 << 16;

// Counts and exact sums of a table's groups.
struct GroupTotals {
  std::vector<int64_t> customers, inactive;
  std::vector<GridSum> sums;  // groups × kSums

  GroupTotals(int groups, const Values& scale) : customers(groups, 0), inactive(groups, 0) {
    for (int g = 0; g < groups; ++g)
      for (double quantity_scale : scale) sums.emplace_back(quantity_scale);
  }

  void add(int group, const Values& v, bool was_inactive) {
    customers[group] += 1;
    inactive[group] += was_inactive;
    for (int q = 0; q < kSums; ++q) sums[group * kSums + q].add(v[q]);
  }
  void allreduce(const Communicator& comm) {
    comm.sum(customers.data(), customers.size());
    comm.sum(inactive.data(), inactive.size());
    comm.sum(sums.data(), sums.size());
  }
  ValidationGroup group(int g) const {
    auto total = [&](Sum q) { return sums[g * kSums + q].value(); };
    const double n = static_cast<double>(std::max<int64_t>(customers[g], 1));
    return {customers[g],           total(kPredictedPurchases), total(kActualPurchases), total(kPredictedSpend),
            total(kActualSpend),    inactive[g] / n,            total(kChurnRisk) / n};
  }
  std::vector<ValidationGroup> groups() const {
    std::vector<ValidationGroup> out;
    for (std::size_t g = 0; g < customers.size(); ++g) out.push_back(group(static_cast<int>(g)));
    return out;
  }
};

// Grids for the sums: each quantity's largest magnitude over both tables and all ranks.
Values sum_scales(const HoldoutPredictions& p, const HoldoutActuals& a, const Communicator& comm) {
  Values bound{0, 0, 0, 0, 1};
  for (std::size_t i = 0; i < p.purchases.size(); ++i)
    bound[kPredictedPurchases] = std::max(bound[kPredictedPurchases], std::fabs(p.purchases[i])),
    bound[kPredictedSpend] = std::max(bound[kPredictedSpend], std::fabs(p.spend[i]));
  for (std::size_t i = 0; i < a.rows.id.size(); ++i)
    bound[kActualPurchases] = std::max(bound[kActualPurchases], std::fabs(a.rows.values[i * 3])),
    bound[kActualSpend] = std::max(bound[kActualSpend], std::fabs(a.rows.values[i * 3 + 1]));
  comm.max(bound.data(), bound.size());
  Values scale;
  for (int q = 0; q < kSums; ++q) scale[q] = FixedPoint::scale_for_bound(bound[q], FixedPoint::kFeatureBits);
  return scale;
}

// Deciles of predicted spend: the global 10%, 20%, … 90% quantiles (histogram, every rank alike).
std::vector<double> decile_cuts(const std::vector<double>& spend, const Communicator& comm) {
  std::vector<float> values;
  std::copy_if(spend.begin(), spend.end(), std::back_inserter(values), [](double v) { return std::isfinite(v); });
  std::vector<double> cuts;
  for (int d = 1; d < kSpendDeciles; ++d)
    cuts.push_back(global_quantile(values.data(), static_cast<int64_t>(values.size()), 1, 0, d / 10.0, comm));
  return cuts;
}

// Positives (inactive) ranked above negatives, from exact per-bin counts; a bin's pairs count half.
double auc_of(const std::vector<int64_t>& inactive, const std::vector<int64_t>& active) {
  double below = 0, wins = 0, positives = 0;
  for (std::size_t b = 0; b < inactive.size(); ++b) {
    wins += inactive[b] * (below + 0.5 * active[b]);
    below += active[b];
    positives += inactive[b];
  }
  return positives > 0 && below > 0 ? wins / (positives * below) : NAN;
}

KeyedRows calibration_rows(const CalibrationCustomers& c, const HoldoutPredictions& p, const std::vector<double>& cuts) {
  KeyedRows rows{"the calibration customers", 6, {}, {}};
  for (int64_t i = 0; i < c.n; ++i) {
    if (!std::isfinite(p.purchases[i]) || !std::isfinite(p.spend[i])) continue;  // nothing predicted
    rows.id.push_back(c.customer_id[i]);
    const double decile = static_cast<double>(std::upper_bound(cuts.begin(), cuts.end(), p.spend[i]) - cuts.begin());
    rows.values.insert(rows.values.end(), {double(c.segment[i]), std::min(p.repeat_purchases[i], kFrequencyGroups - 1.0),
                                           p.purchases[i], p.spend[i], double(c.churn_risk[i]), decile});
  }
  return rows;
}

}  // namespace

HoldoutActuals holdout_actuals(const CustomerFeatureTable& t, const HoldoutWindow& window, const std::string& source) {
  const std::size_t frequency = require_column(t.names, "frequency", source),
                    monetary = require_column(t.names, "monetary", source),
                    tenure = require_column(t.names, "tenure_days", source), x = require_column(t.names, "bgnbd_x", source);
  const std::size_t d = t.names.size();
  HoldoutActuals a{window, {source + " (holdout)", 3, t.customer_id, {}}};
  for (std::size_t i = 0; i < t.customer_id.size(); ++i) {
    const float* row = &t.matrix[i * d];
    const bool bought = row[frequency] > 0;
    a.rows.values.insert(a.rows.values.end(), {bought ? row[x] + 1.0 : 0.0, double(row[monetary]),
                                               bought ? double(window.end_day - int64_t(row[tenure])) : -1.0});
  }
  return a;
}

HoldoutPredictions predict_holdout(const CustomerValue& value, const std::vector<RepeatSummary>& customers,
                                   double length) {
  HoldoutPredictions p;
  for (std::size_t i = 0; i < customers.size(); ++i) {
    const RepeatSummary& c = customers[i];
    p.repeat_purchases.push_back(c.x);
    p.purchases.push_back(std::isfinite(value.churn_risk[i]) ? expected_purchases(value.purchases.model, c, length) : NAN);
    p.spend.push_back(std::isfinite(value.expected_spend[i])
                          ? p.purchases.back() * gamma_gamma_expected_spend(value.gamma_gamma.model, c)
                          : NAN);
  }
  return p;
}

HoldoutValidation validate_on_holdout(const CalibrationCustomers& c, const HoldoutPredictions& p,
                                      const HoldoutActuals& a, int64_t period_days, const Communicator& comm) {
  const Values scale = sum_scales(p, a, comm);
  const KeyedRows calibration = calibration_rows(c, p, decile_cuts(p.spend, comm));
  GroupTotals frequency(kFrequencyGroups, scale), segment(c.k, scale), decile(kSpendDeciles, scale), total(1, scale);
  std::vector<int64_t> inactive_bins(kAucBins, 0), active_bins(kAucBins, 0);
  GridSum brier(FixedPoint::scale_for_bound(1.0, FixedPoint::kFeatureBits));
  join_by_customer(calibration, a.rows, comm, [&](int64_t, const double* cal, const double* next) {
    if (!cal) return;  // a new customer: nothing was predicted
    const bool inactive = !next || next[2] < 0 || next[2] > a.window.as_of_day + period_days;
    const Values v{cal[2], next ? next[0] : 0.0, cal[3], next ? next[1] : 0.0, cal[4]};
    frequency.add(int(cal[1]), v, inactive), segment.add(int(cal[0]), v, inactive);
    decile.add(int(cal[5]), v, inactive), total.add(0, v, inactive);
    (inactive ? inactive_bins : active_bins)[std::min(kAucBins - 1, int(cal[4] * kAucBins))] += 1;
    brier.add((cal[4] - inactive) * (cal[4] - inactive));
  });
  for (GroupTotals* t : {&frequency, &segment, &decile, &total}) t->allreduce(comm);
  comm.sum(inactive_bins.data(), inactive_bins.size());
  comm.sum(active_bins.data(), active_bins.size());
  comm.sum(&brier, 1);
  HoldoutValidation v{a.window,      period_days,   frequency.groups(), segment.groups(),
                      decile.groups(), total.group(0), auc_of(inactive_bins, active_bins), 0};
  v.churn_brier = brier.value() / std::max<int64_t>(v.total.customers, 1);
  return v;
}

}  // namespace kseg
