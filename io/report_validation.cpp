#include "io/report_validation.hpp"

#include <sstream>

#include "customers/customer_features.hpp"
#include "io/detail/report_html_parts.hpp"

namespace kseg {
namespace {

using namespace html_detail;

JsonObject group_json(const ValidationGroup& g) {
  return JsonObject()
      .add("customers", g.customers)
      .add("predicted_purchases", g.predicted_purchases)
      .add("actual_purchases", g.actual_purchases)
      .add("predicted_spend", g.predicted_spend)
      .add("actual_spend", g.actual_spend)
      .add("inactive_share", g.inactive_share)
      .add("churn_risk", g.churn_risk);
}

std::vector<JsonObject> groups_json(const std::vector<ValidationGroup>& groups, const char* key,
                                    const std::vector<int>& labels) {
  std::vector<JsonObject> rows;
  for (std::size_t i = 0; i < groups.size(); ++i) rows.push_back(group_json(groups[i]).add(key, labels[i]));
  return rows;
}

std::vector<int> counting(std::size_t n) {
  std::vector<int> labels;
  for (std::size_t i = 0; i < n; ++i) labels.push_back(static_cast<int>(i));
  return labels;
}

double per_customer(double total, int64_t customers) { return customers ? total / customers : kNaN; }

// One row per group: customers, mean purchases predicted and actual, spend, inactive share.
std::string group_table(const std::vector<ValidationGroup>& groups, const std::string& first,
                        const std::vector<std::string>& labels) {
  std::ostringstream html;
  html << "<table><tr><th>" << escaped(first) << "</th><th>customers</th><th>purchases per customer: predicted</th>"
          "<th>actual</th><th>spend: predicted</th><th>actual</th><th>churn risk</th><th>bought nothing</th></tr>";
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const ValidationGroup& g = groups[i];
    html << "<tr><td>" << escaped(labels[i]) << "</td><td>" << with_thousands(g.customers) << "</td><td>"
         << shown(per_customer(g.predicted_purchases, g.customers), 2) << "</td><td>"
         << shown(per_customer(g.actual_purchases, g.customers), 2) << "</td><td>" << with_thousands(int64_t(g.predicted_spend))
         << "</td><td>" << with_thousands(int64_t(g.actual_spend)) << "</td><td>" << percent(g.churn_risk, 1) << "</td><td>"
         << percent(g.inactive_share, 1) << "</td></tr>";
  }
  return html.str() + "</table>";
}

// Mean purchases in the holdout by calibration frequency, predicted (line) and actual (points).
std::string frequency_chart(const std::vector<ValidationGroup>& groups) {
  const double width = 420, height = 240, left = 52, right = 12, top = 26, bottom = 40;
  std::vector<double> x;
  double hi = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    x.push_back(static_cast<double>(i));
    hi = std::max({hi, finite_or_zero(per_customer(groups[i].predicted_purchases, groups[i].customers)),
                   finite_or_zero(per_customer(groups[i].actual_purchases, groups[i].customers))});
  }
  const Axis xa = value_axis(x, left + 10, width - right - 10), ya = nice_axis(0, hi, height - bottom, top, 4);
  std::ostringstream svg, predicted;
  svg << "<svg class='holdout-chart' width='" << px(width) << "' height='" << px(height) << "' role='img'>"
      << "<text x='4' y='14' font-size='12' font-weight='bold'>mean purchases in the holdout: predicted (line), "
         "actual (dots)</text>";
  y_axis(svg, ya, left);
  x_axis(svg, xa, height - bottom, "repeat purchases before the as-of date (7: 7 or more)");
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const double p = per_customer(groups[i].predicted_purchases, groups[i].customers),
                 a = per_customer(groups[i].actual_purchases, groups[i].customers);
    if (!std::isfinite(p)) continue;
    predicted << (predicted.str().empty() ? "M" : " L") << px(xa.at(x[i])) << " " << px(ya.at(p));
    svg << "<circle cx='" << px(xa.at(x[i])) << "' cy='" << px(ya.at(a)) << "' r='4' fill='#e15759'><title>"
        << groups[i].customers << " customers: actual " << shown(a, 2) << ", predicted " << shown(p, 2)
        << "</title></circle>";
  }
  svg << "<path d='" << predicted.str() << "' fill='none' stroke='#4e79a7' stroke-width='2'/>";
  return svg.str() + "</svg>";
}

}  // namespace

JsonObject validation_json(const RunReport& r, const HoldoutValidation& v) {
  std::vector<int> ids;
  for (const SegmentProfile& p : r.profiles) ids.push_back(p.segment);
  return JsonObject()
      .add("holdout_start", iso_date(v.window.as_of_day + 1))
      .add("holdout_end", iso_date(v.window.end_day))
      .add("holdout_days", v.window.days())
      .add("churn_period_days", v.churn_period_days)
      .add("churn_auc", v.churn_auc)
      .add("churn_brier", v.churn_brier)
      .add("total", group_json(v.total))
      .add("by_frequency", groups_json(v.by_frequency, "repeat_purchases", counting(v.by_frequency.size())))
      .add("segments", groups_json(v.by_segment, "segment", ids))
      .add("by_spend_decile", groups_json(v.by_decile, "decile", counting(v.by_decile.size())));
}

std::string validation_section(const RunReport& r) {
  if (!r.validation) return "";
  const HoldoutValidation& v = *r.validation;
  std::vector<std::string> frequency, segments, deciles;
  for (std::size_t i = 0; i < v.by_frequency.size(); ++i)
    frequency.push_back(std::to_string(i) + (i + 1 == v.by_frequency.size() ? "+" : ""));
  for (const SegmentProfile& p : r.profiles) segments.push_back(std::to_string(p.segment) + " " + p.name);
  for (std::size_t i = 0; i < v.by_decile.size(); ++i) deciles.push_back(std::to_string(i + 1));
  std::ostringstream html;
  html << "<h2>Checked against what customers did next</h2><p class='note'>Holdout: "
       << iso_date(v.window.as_of_day + 1) << " to " << iso_date(v.window.end_day) << " (" << v.window.days()
       << " days after the as-of date). Churn risk (no purchase in the " << v.churn_period_days
       << " days after the as-of date) ranks the customers who then bought nothing above those who bought: ROC AUC "
       << shown(v.churn_auc, 3) << " (0.5 is a coin, 1 perfect); Brier score " << shown(v.churn_brier, 3)
       << ". Over the holdout " << with_thousands(v.total.customers) << " customers made "
       << with_thousands(int64_t(v.total.actual_purchases)) << " purchases (predicted "
       << with_thousands(int64_t(v.total.predicted_purchases)) << ") and spent "
       << with_thousands(int64_t(v.total.actual_spend)) << " (predicted " << with_thousands(int64_t(v.total.predicted_spend))
       << ").</p>" << frequency_chart(v.by_frequency) << "<h3>By segment</h3>"
       << group_table(v.by_segment, "segment", segments) << "<h3>By repeat purchases before the as-of date</h3>"
       << group_table(v.by_frequency, "repeat purchases", frequency)
       << "<h3>By predicted spend in the holdout (deciles, 1: lowest)</h3>" << group_table(v.by_decile, "decile", deciles);
  return html.str();
}

}  // namespace kseg
