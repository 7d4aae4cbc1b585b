#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "customers/clv_models.hpp"
#include "customers/detail/alike_customers.hpp"
#include "customers/purchase_models.hpp"

namespace kseg {

struct ClvOptions {
  double horizon_months = 12;    ///< how far ahead CLV counts purchases
  double monthly_discount = 0.01;  ///< discount rate per month
  double unit_days = 1;          ///< days per unit of x, t_x, T (1: days, 7: weeks)
  double churn_period_days = 90;  ///< churn risk: P(no purchase in this many days after the as-of date)
  std::optional<PurchaseModelKind> model = PurchaseModelKind::bgnbd;  ///< none: chosen by evidence (auto)
};

/// Per customer: P(alive), churn risk (P(no purchase in the churn period)), expected purchases and
/// spend over the horizon, and CLV (expected purchases month by month × expected spend,
/// discounted monthly); all NaN (unknown) for a customer who never bought.
struct CustomerValue {
  Fit<PurchaseModel> purchases;
  Fit<GammaGamma> gamma_gamma;
  std::vector<float> p_alive, churn_risk, expected_purchases, expected_spend, clv;
  std::vector<std::string> warnings;  ///< figures that cannot be known from these customers
};

/// What valuing customers with any purchase model shares, made once for all the models `--clv-model
/// auto` tries: the customers grouped by purchase history (x, t_x, T), the buyers' histories
/// counted for the purchase model's fit, and the spend model (Gamma-Gamma) fitted on the repeat
/// buyers.
class CustomerValuation {
 public:
  /// Collective.
  CustomerValuation(const std::vector<RepeatSummary>& customers, const ClvOptions& options, const Communicator& comm);

  /// Collective: fits `model` over every rank's customers who bought, then values this rank's.
  /// Without a buyer nothing is fitted and every figure is NaN; without a repeat buyer (or with a
  /// spend model of infinite mean, q ≤ 1) expected spend and CLV are NaN; each with a warning.
  CustomerValue value(PurchaseModelKind model) const;

 private:
  const std::vector<RepeatSummary>& customers_;
  ClvOptions options_;
  const Communicator& comm_;
  detail::AlikeGroups histories_;              // every customer of this rank, by purchase history
  std::vector<AlikeCustomers> bought_histories_;  // the same groups, counting the buyers in each
  bool any_buyer_ = false;
  Fit<GammaGamma> gamma_gamma_;
  std::vector<std::string> spend_warnings_;
  bool spend_known_ = false;
};

/// Collective: CustomerValuation(customers, options, comm).value(*options.model) (the model must be set).
CustomerValue customer_value(const std::vector<RepeatSummary>& customers, const ClvOptions& options,
                             const Communicator& comm);

}  // namespace kseg
