#include "customers/customer_value.hpp"

#include <algorithm>
#include <cmath>

namespace kseg {

CustomerValue customer_value(const std::vector<RepeatSummary>& customers, const ClvOptions& o, const Communicator& comm) {
  const std::vector<RepeatSummary> bought = purchasers(customers);
  CustomerValue v{fit_purchase_model(*o.model, bought, comm), fit_gamma_gamma(bought, comm), {}, {}, {}, {}, {}};
  const PurchaseModel& model = v.purchases.model;
  const double month = 30.4375 / o.unit_days;  // one month in the summary's unit
  const int whole_months = static_cast<int>(std::ceil(o.horizon_months));
  for (const RepeatSummary& c : customers) {
    if (!c.purchased) {
      for (std::vector<float>* unknown : {&v.p_alive, &v.churn_risk, &v.expected_purchases, &v.expected_spend, &v.clv})
        unknown->push_back(NAN);
      continue;
    }
    const double spend = gamma_gamma_expected_spend(v.gamma_gamma.model, c);
    double clv = 0, before = 0;
    for (int m = 1; m <= whole_months; ++m) {
      const double upto = expected_purchases(model, c, std::min<double>(m, o.horizon_months) * month);
      clv += (upto - before) * spend / std::pow(1 + o.monthly_discount, m);
      before = upto;
    }
    v.p_alive.push_back(static_cast<float>(probability_alive(model, c)));
    v.churn_risk.push_back(static_cast<float>(probability_no_purchase(model, c, o.churn_period_days / o.unit_days)));
    v.expected_purchases.push_back(static_cast<float>(before));
    v.expected_spend.push_back(static_cast<float>(spend));
    v.clv.push_back(static_cast<float>(clv));
  }
  return v;
}

}  // namespace kseg
