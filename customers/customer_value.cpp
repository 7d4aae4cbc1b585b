#include "customers/customer_value.hpp"

#include <algorithm>
#include <cmath>

#include "customers/detail/alike_customers.hpp"

namespace kseg {

namespace {

int64_t repeat_buyers(const std::vector<RepeatSummary>& customers, const Communicator& comm) {
  int64_t n = 0;
  for (const RepeatSummary& c : customers) n += is_repeat_buyer(c);
  return comm.sum(n);
}

// The purchase histories of `groups` with the number of buyers in each (those with none left out):
// what the purchase model is fitted on, in the order of the groups (by x).
std::vector<AlikeCustomers> buyers_by_history(const std::vector<RepeatSummary>& customers,
                                              const detail::AlikeGroups& groups) {
  std::vector<AlikeCustomers> histories;
  for (int64_t g = 0; g < groups.groups(); ++g) {
    int64_t buyers = 0;
    for (std::size_t at = groups.first[g]; at < groups.first[g + 1]; ++at) buyers += customers[groups.order[at]].purchased;
    if (buyers > 0) histories.push_back({detail::purchase_history(groups.any_of(customers, g)), buyers});
  }
  return histories;
}

// What the purchase model says of one purchase history (x, t_x, T): the same for every customer
// who has it, so computed once per distinct history.
struct HistoryValue {
  double p_alive = NAN, churn_risk = NAN, expected_purchases = NAN;
  std::vector<double> purchases_by_month;  // expected purchases up to the end of each month of the horizon
};

HistoryValue value_history(const PurchaseModel& model, const RepeatSummary& c, const ClvOptions& o, bool with_months) {
  const double month = 30.4375 / o.unit_days;  // in the summary's unit
  HistoryValue v;
  v.p_alive = probability_alive(model, c);
  v.churn_risk = probability_no_purchase(model, c, o.churn_period_days / o.unit_days);
  const int whole_months = with_months ? static_cast<int>(std::ceil(o.horizon_months)) : 0;
  for (int m = 1; m <= whole_months; ++m)
    v.purchases_by_month.push_back(expected_purchases(model, c, std::min<double>(m, o.horizon_months) * month));
  // The last month ends at the horizon: the same figure, not computed twice.
  v.expected_purchases = whole_months > 0 ? v.purchases_by_month.back() : expected_purchases(model, c, o.horizon_months * month);
  return v;
}

// (1 + monthly discount)^m for each month m of the horizon, m from 1: the same for every customer.
std::vector<double> discount_factors(const ClvOptions& o) {
  std::vector<double> factors;
  for (int m = 1; m <= static_cast<int>(std::ceil(o.horizon_months)); ++m)
    factors.push_back(std::pow(1 + o.monthly_discount, static_cast<double>(m)));
  return factors;
}

// CLV: expected purchases month by month × expected spend, discounted monthly.
double lifetime_value(const HistoryValue& history, double spend, const std::vector<double>& discount) {
  double clv = 0, before = 0;
  for (std::size_t m = 1; m <= history.purchases_by_month.size(); ++m) {
    const double upto = history.purchases_by_month[m - 1];
    clv += (upto - before) * spend / discount[m - 1];
    before = upto;
  }
  return clv;
}

}  // namespace

CustomerValuation::CustomerValuation(const std::vector<RepeatSummary>& customers, const ClvOptions& options,
                                     const Communicator& comm)
    : customers_(customers),
      options_(options),
      comm_(comm),
      histories_(detail::group_alike(customers, detail::purchase_history)),
      bought_histories_(buyers_by_history(customers, histories_)) {
  any_buyer_ = comm.sum(static_cast<int64_t>(bought_histories_.size())) > 0;
  const bool any_repeat = any_buyer_ && repeat_buyers(customers, comm) > 0;
  if (any_repeat) gamma_gamma_ = fit_gamma_gamma(customers, comm);
  spend_known_ = any_repeat && gamma_gamma_.model.q > 1;
  if (any_buyer_ && !spend_known_)
    spend_warnings_.push_back(any_repeat ? "the spend model (Gamma-Gamma) has q <= 1, an infinite mean spend: CLV is unknown"
                                         : "no customer bought twice, so the spend model (Gamma-Gamma) cannot be fitted: "
                                           "CLV is unknown");
}

CustomerValue CustomerValuation::value(PurchaseModelKind kind) const {
  CustomerValue v;
  if (any_buyer_) v.purchases = fit_purchase_model(kind, bought_histories_, comm_);
  else v.warnings.push_back("no customer bought anything by the as-of date: no purchase model, CLV or churn risk");
  v.gamma_gamma = gamma_gamma_;
  v.warnings.insert(v.warnings.end(), spend_warnings_.begin(), spend_warnings_.end());
  v.purchases.model.kind = kind;
  const PurchaseModel& model = v.purchases.model;
  const std::size_t n = customers_.size();
  for (std::vector<float>* figure : {&v.p_alive, &v.churn_risk, &v.expected_purchases, &v.expected_spend, &v.clv})
    figure->assign(n, NAN);
  const int64_t history_count = histories_.groups();
  const std::vector<double> discount = discount_factors(options_);
  // Each customer's figures are written by one thread, from its own history's: any thread count
  // gives the same bits.
#pragma omp parallel for schedule(dynamic, 256)
  for (int64_t h = 0; h < history_count; ++h) {
    HistoryValue history;
    if (any_buyer_) history = value_history(model, histories_.any_of(customers_, h), options_, spend_known_);
    for (std::size_t at = histories_.first[h]; at < histories_.first[h + 1]; ++at) {
      const int64_t i = histories_.order[at];
      const RepeatSummary& c = customers_[i];
      if (!(any_buyer_ && c.purchased)) continue;  // never bought: every figure unknown
      v.p_alive[i] = static_cast<float>(history.p_alive);
      v.churn_risk[i] = static_cast<float>(history.churn_risk);
      v.expected_purchases[i] = static_cast<float>(history.expected_purchases);
      if (!spend_known_) continue;
      const double spend = gamma_gamma_expected_spend(gamma_gamma_.model, c);
      v.expected_spend[i] = static_cast<float>(spend);
      v.clv[i] = static_cast<float>(lifetime_value(history, spend, discount));
    }
  }
  return v;
}

CustomerValue customer_value(const std::vector<RepeatSummary>& customers, const ClvOptions& o, const Communicator& comm) {
  return CustomerValuation(customers, o, comm).value(*o.model);
}

}  // namespace kseg
