#include "customers/campaign_lift.hpp"

#include <cmath>
#include <limits>

namespace kseg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kNormal975 = 1.959963984540054;  // the standard normal's 97.5% quantile

double ratio(double numerator, int64_t denominator) {
  return denominator > 0 ? numerator / static_cast<double>(denominator) : kNaN;
}

// Continued fraction of the incomplete beta function (modified Lentz; Numerical Recipes 6.4).
double beta_continued_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300, kEpsilon = 1e-16;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  d = 1 / (std::fabs(d) < kTiny ? kTiny : d);
  double h = d;
  for (int m = 1; m <= 500; ++m) {
    for (const double numerator : {m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                                   -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))}) {
      d = 1 + numerator * d;
      d = 1 / (std::fabs(d) < kTiny ? kTiny : d);
      c = 1 + numerator / c;
      if (std::fabs(c) < kTiny) c = kTiny;
      h *= d * c;
    }
    if (std::fabs(d * c - 1) < kEpsilon) break;
  }
  return h;
}

// The regularized incomplete beta function I_x(a, b).
double regularized_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return front * beta_continued_fraction(a, b, x) / a;
  return 1 - front * beta_continued_fraction(b, a, 1 - x) / b;
}

void add_warnings(const CampaignLift& f, const std::string& label, std::vector<std::string>& warnings) {
  const auto count = [](int64_t n) { return std::to_string(n); };
  if (f.treated.customers == 0 || f.control.customers == 0) {
    warnings.push_back(label + ": no " + (f.control.customers == 0 ? "control" : "treated") +
                       " customers, so no lift can be measured");
    return;
  }
  if (f.control.customers < kMinControlCustomers)
    warnings.push_back(label + ": only " + count(f.control.customers) + " control customers (fewer than " +
                       count(kMinControlCustomers) + "): too few to tell");
  for (const auto& [group, name] : {std::pair{&f.treated, "treated"}, std::pair{&f.control, "control"}})
    if (group->converted < kMinConversions)
      warnings.push_back(label + ": only " + count(group->converted) + " conversions among the " + name +
                         " customers (fewer than " + count(kMinConversions) + "): the conversion test is unreliable");
}

void conversion_figures(CampaignLift& f) {
  const GroupResponse &t = f.treated, &c = f.control;
  const double pt = ratio(static_cast<double>(t.converted), t.customers);
  const double pc = ratio(static_cast<double>(c.converted), c.customers);
  f.conversion_treated = pt, f.conversion_control = pc;
  f.conversion_lift = pt - pc;
  const double unpooled = std::sqrt(pt * (1 - pt) / t.customers + pc * (1 - pc) / c.customers);
  f.conversion_lift_low = f.conversion_lift - kNormal975 * unpooled;
  f.conversion_lift_high = f.conversion_lift + kNormal975 * unpooled;
  const double pooled_share = ratio(static_cast<double>(t.converted + c.converted), t.customers + c.customers);
  const double pooled =
      std::sqrt(pooled_share * (1 - pooled_share) * (1.0 / t.customers + 1.0 / c.customers));
  f.conversion_p_value = pooled > 0 ? normal_two_sided_p(f.conversion_lift / pooled) : kNaN;
  f.conversion_relative_lift = pc > 0 ? f.conversion_lift / pc : kNaN;
}

// Welch's t: unequal variances, Welch–Satterthwaite degrees of freedom.
void revenue_figures(CampaignLift& f) {
  const GroupResponse &t = f.treated, &c = f.control;
  const double mt = ratio(t.revenue, t.customers), mc = ratio(c.revenue, c.customers);
  f.revenue_per_customer_treated = mt, f.revenue_per_customer_control = mc;
  f.revenue_difference = mt - mc;
  const double vt = ratio(t.revenue_deviation, t.customers - 1) / t.customers;  // variance of the mean
  const double vc = ratio(c.revenue_deviation, c.customers - 1) / c.customers;
  const double se = std::sqrt(vt + vc);
  f.revenue_degrees_of_freedom = (vt + vc) * (vt + vc) / (vt * vt / (t.customers - 1) + vc * vc / (c.customers - 1));
  const bool testable = se > 0 && std::isfinite(f.revenue_degrees_of_freedom);
  const double half_width = testable ? student_t_quantile(0.975, f.revenue_degrees_of_freedom) * se : kNaN;
  f.revenue_difference_low = f.revenue_difference - half_width;
  f.revenue_difference_high = f.revenue_difference + half_width;
  f.revenue_p_value = testable ? student_t_two_sided_p(f.revenue_difference / se, f.revenue_degrees_of_freedom) : kNaN;
  f.revenue_relative_lift = mc != 0 ? f.revenue_difference / mc : kNaN;
  f.incremental_revenue = f.revenue_difference * static_cast<double>(t.customers);
}

}  // namespace

double normal_two_sided_p(double z) { return std::erfc(std::fabs(z) / std::sqrt(2.0)); }

double student_t_two_sided_p(double t, double df) {
  if (!std::isfinite(t)) return std::isnan(t) ? kNaN : 0.0;
  return regularized_beta(df / 2, 0.5, df / (df + t * t));
}

double student_t_quantile(double p, double df) {
  const double tail = 2 * (1 - p);  // two-sided probability beyond the quantile
  double lo = 0, hi = 1;
  while (student_t_two_sided_p(hi, df) > tail && hi < 1e300) lo = hi, hi *= 2;
  for (int i = 0; i < 2000; ++i) {  // bisection to the last bit: the same value on every machine
    const double mid = lo + (hi - lo) / 2;
    if (mid == lo || mid == hi) break;
    (student_t_two_sided_p(mid, df) > tail ? lo : hi) = mid;
  }
  return hi;
}

CampaignLift campaign_lift(const GroupResponse& treated, const GroupResponse& control, const std::string& label) {
  CampaignLift f;
  f.treated = treated, f.control = control;
  conversion_figures(f);
  revenue_figures(f);
  f.orders_per_customer_treated = ratio(static_cast<double>(treated.orders), treated.customers);
  f.orders_per_customer_control = ratio(static_cast<double>(control.orders), control.customers);
  add_warnings(f, label, f.warnings);
  return f;
}

}  // namespace kseg
