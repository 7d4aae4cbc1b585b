#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kseg {

/// What one group (treated or control) of a campaign did in the measurement window, summed
/// exactly over its customers (counts as integers, money as correctly rounded exact sums).
struct GroupResponse {
  int64_t customers = 0;
  int64_t converted = 0;        ///< customers with at least one purchase in the window
  int64_t orders = 0;           ///< their orders in the window
  double revenue = 0;           ///< Σ revenue per customer
  double revenue_deviation = 0; ///< Σ (revenue per customer − the group's mean)²
};

/// Treated against control, as a marketer reads it. NaN where a figure cannot be formed (a group
/// without customers, a variance of zero).
struct CampaignLift {
  GroupResponse treated, control;
  double conversion_treated = 0, conversion_control = 0;
  double conversion_lift = 0;                     ///< treated − control, in conversion share
  double conversion_lift_low = 0, conversion_lift_high = 0;  ///< 95% Wald interval, unpooled variance
  double conversion_p_value = 0;                  ///< two-sided two-proportion z-test, pooled variance
  double conversion_relative_lift = 0;            ///< lift / control conversion
  double revenue_per_customer_treated = 0, revenue_per_customer_control = 0;
  double revenue_difference = 0;                  ///< treated − control, per customer
  double revenue_difference_low = 0, revenue_difference_high = 0;  ///< 95%: Welch's t with Welch–Satterthwaite df
  double revenue_p_value = 0;                     ///< two-sided Welch's t-test
  double revenue_degrees_of_freedom = 0;          ///< Welch–Satterthwaite
  double revenue_relative_lift = 0;               ///< difference / control revenue per customer
  double orders_per_customer_treated = 0, orders_per_customer_control = 0;
  double incremental_revenue = 0;                 ///< difference × treated customers
  std::vector<std::string> warnings;              ///< why the figures may not tell (small groups)
};

/// Fewer control customers than this, or fewer conversions in a group than kMinConversions,
/// and the intervals are too wide or the normal approximations too rough to act on.
inline constexpr int64_t kMinControlCustomers = 30;
inline constexpr int64_t kMinConversions = 5;

/// The figures of one segment (or of all customers); `label` names it in the warnings.
CampaignLift campaign_lift(const GroupResponse& treated, const GroupResponse& control, const std::string& label);

/// P(|Z| ≥ |z|) for a standard normal Z.
double normal_two_sided_p(double z);
/// P(|T| ≥ |t|) for Student's t with `df` degrees of freedom (df > 0, not necessarily whole).
double student_t_two_sided_p(double t, double df);
/// q with P(T ≤ q) = p for Student's t with `df` degrees of freedom, 0.5 ≤ p < 1.
double student_t_quantile(double p, double df);

}  // namespace kseg
