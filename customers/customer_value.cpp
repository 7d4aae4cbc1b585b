#include "customers/customer_value.hpp"

#include <algorithm>
#include <cmath>

namespace kseg {

namespace {

int64_t repeat_buyers(const std::vector<RepeatSummary>& bought, const Communicator& comm) {
  int64_t n = 0;
  for (const RepeatSummary& c : bought) n += is_repeat_buyer(c);
  return comm.sum(n);
}

// CLV: expected purchases month by month × expected spend, discounted monthly.
double lifetime_value(const PurchaseModel& model, const RepeatSummary& c, double spend, const ClvOptions& o) {
  const double month = 30.4375 / o.unit_days;
  const int whole_months = static_cast<int>(std::ceil(o.horizon_months));
  double clv = 0, before = 0;
  for (int m = 1; m <= whole_months; ++m) {
    const double upto = expected_purchases(model, c, std::min<double>(m, o.horizon_months) * month);
    clv += (upto - before) * spend / std::pow(1 + o.monthly_discount, m);
    before = upto;
  }
  return clv;
}

}  // namespace

CustomerValue customer_value(const std::vector<RepeatSummary>& customers, const ClvOptions& o, const Communicator& comm) {
  const std::vector<RepeatSummary> bought = purchasers(customers);
  CustomerValue v;
  const bool any_buyer = comm.sum(static_cast<int64_t>(bought.size())) > 0;
  if (any_buyer) v.purchases = fit_purchase_model(*o.model, bought, comm);
  else v.warnings.push_back("no customer bought anything by the as-of date: no purchase model, CLV or churn risk");
  const bool any_repeat = any_buyer && repeat_buyers(bought, comm) > 0;
  if (any_repeat) v.gamma_gamma = fit_gamma_gamma(bought, comm);
  const bool spend_known = any_repeat && v.gamma_gamma.model.q > 1;
  if (any_buyer && !spend_known)
    v.warnings.push_back(any_repeat ? "the spend model (Gamma-Gamma) has q <= 1, an infinite mean spend: CLV is unknown"
                                    : "no customer bought twice, so the spend model (Gamma-Gamma) cannot be fitted: "
                                      "CLV is unknown");
  v.purchases.model.kind = *o.model;
  const PurchaseModel& model = v.purchases.model;
  const double horizon = o.horizon_months * (30.4375 / o.unit_days);  // in the summary's unit
  for (const RepeatSummary& c : customers) {
    const bool valued = any_buyer && c.purchased;
    const double spend = spend_known && valued ? gamma_gamma_expected_spend(v.gamma_gamma.model, c) : NAN;
    v.p_alive.push_back(valued ? static_cast<float>(probability_alive(model, c)) : NAN);
    v.churn_risk.push_back(valued ? static_cast<float>(probability_no_purchase(model, c, o.churn_period_days / o.unit_days)) : NAN);
    v.expected_purchases.push_back(valued ? static_cast<float>(expected_purchases(model, c, horizon)) : NAN);
    v.expected_spend.push_back(static_cast<float>(spend));
    v.clv.push_back(spend_known && valued ? static_cast<float>(lifetime_value(model, c, spend, o)) : NAN);
  }
  return v;
}

}  // namespace kseg
