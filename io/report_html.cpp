#include "io/report_html.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/errors.hpp"
#include "customers/feature_labels.hpp"
#include "io/detail/report_html_parts.hpp"
#include "io/report_rfm.hpp"
#include "io/report_validation.hpp"

namespace kseg {
namespace {

using namespace html_detail;

bool any_retention(const std::vector<SegmentProfile>& profiles) {
  return std::any_of(profiles.begin(), profiles.end(), [](const SegmentProfile& p) { return p.retention >= 0; });
}

std::string money_unit(const RunReport& r) { return r.currency.empty() ? "" : " (" + escaped(r.currency) + ")"; }

std::string warnings_box(const RunReport& r) {
  if (r.warnings.empty()) return "";
  std::string html = "<div class='warnings'><strong>Before you act on these figures</strong><ul>";
  for (const std::string& w : r.warnings) html += "<li>" + escaped(w) + "</li>";
  return html + "</ul></div>";
}

std::string segment_table(const RunReport& r) {
  const bool retention = any_retention(r.profiles), cac = r.attributes.has_value();
  const NetPromoterScores* nps = cac && r.attributes->nps ? &*r.attributes->nps : nullptr;
  const SegmentStability* stability = r.stability ? &*r.stability : nullptr;
  std::ostringstream html;
  html << "<table><tr><th>segment</th><th>name</th><th>customers</th><th>share</th><th>revenue share</th>"
          "<th>mean CLV" << money_unit(r) << "</th><th>churn risk</th>"
       << (retention ? "<th>retention</th>" : "") << (cac ? "<th>CLV/CAC</th>" : "")
       << (nps ? "<th title='Net Promoter Score: % promoters (9-10) minus % detractors (0-6), answers'>NPS</th>" : "")
       << (stability ? "<th title='mean Jaccard with its best match when refitted on other customers'>stability</th>" : "");
  for (const std::string& f : r.features) html << "<th>" << escaped(feature_label(f)) << "</th>";
  html << "<th>suggested action</th></tr>";
  for (std::size_t s = 0; s < r.profiles.size(); ++s) {
    const SegmentProfile& p = r.profiles[s];
    html << "<tr><td style='border-left:6px solid " << colour(p.segment) << "'>" << p.segment << "</td><td>"
         << escaped(p.name) << "</td><td>" << with_thousands(p.customers) << "</td><td>" << percent(p.share, 1) << "</td><td>"
         << percent(p.revenue_share, 1) << "</td><td>" << shown(p.mean_clv, 2) << "</td><td>" << shown(p.churn_risk, 3)
         << "</td>";
    if (retention) html << "<td>" << percent(p.retention < 0 ? kNaN : p.retention, 1) << "</td>";
    if (cac) html << "<td>" << shown(at(r.attributes->clv_per_cac, s), 2) << "</td>";
    if (nps) html << "<td>" << shown(at(nps->score, s), 0) << " (" << with_thousands(nps->respondents[s]) << ")</td>";
    if (stability)
      html << "<td>" << shown(stability->jaccard[s], 2) << " " << stability_reading(stability->jaccard[s]) << "</td>";
    for (std::size_t j = 0; j < r.features.size(); ++j)
      html << "<td>" << (is_share_feature(r.features[j]) ? percent(at(p.mean, j), 1) : shown(at(p.mean, j), 2)) << "</td>";
    html << "<td>" << escaped(p.action) << "</td></tr>";
  }
  return html.str() + "</table>";
}

// ---- choosing k ----

std::string select_k_section(const RunReport& r) {
  if (r.sweep.empty()) return "";
  LineChart inertia{"inertia (look for the elbow)", {}, {}, {}, r.recommended_k};
  LineChart ch{"Calinski-Harabasz (higher: better)", {}, {}, {}, r.recommended_k};
  LineChart db{"Davies-Bouldin (lower: better)", {}, {}, {}, r.recommended_k};
  LineChart silhouette{"silhouette ± stderr (higher: better)", {}, {}, {}, r.recommended_k};
  for (const FitQuality& q : r.sweep) {
    for (LineChart* c : {&inertia, &ch, &db, &silhouette}) c->k.push_back(q.k);
    inertia.value.push_back(q.inertia), ch.value.push_back(q.calinski_harabasz), db.value.push_back(q.davies_bouldin);
    silhouette.value.push_back(q.silhouette), silhouette.error.push_back(q.silhouette_stderr);
  }
  std::ostringstream html;
  html << "<h2>Choosing k</h2><p class='note'>Recommended k = " << r.recommended_k
       << ": the " << kRecommendedKRule << ".</p><div class='charts'>";
  for (const LineChart* c : {&inertia, &ch, &db, &silhouette}) html << line_chart(*c);
  return html.str() + "</div>";
}

// ---- customer attributes ----

bool is_cost_attribute(const AttributeSummary& a) { return a.name == "acquisition_cost" && a.labels.empty(); }

/// Rows segments; columns the quantity attributes, mean acquisition cost and CLV/CAC.
std::string attribute_table(const RunReport& r, const AttributeProfiles& a) {
  std::ostringstream html;
  html << "<table class='attributes'><tr><th>segment</th>";
  for (const AttributeSummary& q : a.attributes)
    if (q.labels.empty() && !is_cost_attribute(q)) html << "<th>mean " << escaped(q.name) << "</th>";
  html << "<th>mean acquisition cost</th><th>CLV/CAC</th></tr>";
  for (std::size_t s = 0; s < r.profiles.size(); ++s) {
    html << "<tr><td style='border-left:6px solid " << colour(r.profiles[s].segment) << "'>" << r.profiles[s].segment
         << "</td>";
    for (const AttributeSummary& q : a.attributes)
      if (q.labels.empty() && !is_cost_attribute(q)) html << "<td>" << shown(at(q.mean, s), 2) << "</td>";
    html << "<td>" << shown(at(a.mean_acquisition_cost, s), 2) << "</td><td>" << shown(at(a.clv_per_cac, s), 2)
         << "</td></tr>";
  }
  return html.str() + "</table>";
}

std::string attribute_section(const RunReport& r) {
  if (!r.attributes) return "";
  const AttributeProfiles& a = *r.attributes;
  std::ostringstream html;
  html << "<h2>Customer attributes</h2><p class='note'>" << with_thousands(a.matched_customers)
       << " segmented customers found in the attribute table; means and shares over the customers with a known "
          "value.</p>"
       << attribute_table(r, a);
  for (const AttributeSummary& c : a.attributes)
    if (!c.labels.empty()) html << categorical_chart(r.profiles, c);
  return html.str();
}

// ---- since last quarter ----

/// Segment row `s`'s match in last quarter's model, −1 for a new segment.
int previous_row(const QuarterComparison& c, std::size_t s) {
  const int row = s < c.match.previous_row.size() ? c.match.previous_row[s] : -1;
  return row >= 0 && static_cast<std::size_t>(row) < c.match.previous_names.size() ? row : -1;
}

std::string matching_table(const RunReport& r, const QuarterComparison& c) {
  std::ostringstream html;
  html << "<h3>Segments matched to last quarter's</h3><table class='matching'><tr><th>segment</th><th>name</th>"
          "<th>last quarter's name</th><th>centroid distance</th><th>centroid shift</th><th>status</th></tr>";
  for (std::size_t s = 0; s < r.profiles.size(); ++s) {
    const int row = previous_row(c, s);
    html << "<tr" << (row < 0 ? " class='new'" : "") << "><td style='border-left:6px solid "
         << colour(r.profiles[s].segment) << "'>" << r.profiles[s].segment << "</td><td>" << escaped(r.profiles[s].name)
         << "</td><td>" << (row >= 0 ? escaped(c.match.previous_names[row]) : kUnknown) << "</td><td>"
         << shown(at(c.match.distance, s), 3) << "</td><td>" << shown(at(c.drift.centroid_shift, s), 3) << "</td><td>"
         << (row >= 0 ? "matched" : "<strong>new segment</strong>") << "</td></tr>";
  }
  html << "</table><p>Vanished segments (last quarter's, no match now): ";
  if (c.match.vanished.empty()) html << "none";
  for (std::size_t i = 0; i < c.match.vanished.size(); ++i)
    html << (i ? ", " : "") << "<span class='vanished'>" << c.match.vanished[i] << "</span>";
  return html.str() + "</p>";
}

std::string drift_summary(const QuarterComparison& c) {
  std::ostringstream html;
  html << "<h3>Drift</h3><table class='facts'><tr><td>PSI of segment shares</td><td>" << shown(c.drift.psi, 3)
       << "</td></tr><tr><td>returning customers who changed segment</td><td>" << percent(c.drift.changed_share, 1)
       << "</td></tr></table>";
  if (c.drift.warnings.empty()) return html.str() + "<p class='note'>No drift warnings.</p>";
  html << "<div class='warnings'><strong>Drift warnings</strong><ul>";
  for (const std::string& w : c.drift.warnings) html << "<li>" << escaped(w) << "</li>";
  return html.str() + "</ul></div>";
}

std::string from_label(int32_t id) { return id < 0 ? "new customers" : std::to_string(id); }
std::string to_label(int32_t id) { return id < 0 ? "gone customers" : std::to_string(id); }

std::string migration_table(const QuarterComparison& c) {
  const MigrationMatrix& m = c.migration;
  std::ostringstream html;
  html << "<h3>Migration</h3><p class='note'>Customers from last quarter's segment (rows) to this quarter's "
          "(columns); second line: revenue (this quarter's; last quarter's for gone customers).</p>"
          "<table class='migration'><tr><th>last quarter \\ now</th>";
  for (int32_t to : m.to)
    html << "<th style='border-bottom:4px solid " << colour(to) << "'>" << to_label(to) << "</th>";
  html << "</tr>";
  for (std::size_t i = 0; i < m.from.size(); ++i) {
    html << "<tr><th style='border-left:6px solid " << colour(m.from[i]) << "'>" << from_label(m.from[i]) << "</th>";
    for (std::size_t j = 0; j < m.to.size(); ++j)
      html << "<td>" << with_thousands(migration_cell(m, i, j)) << "<br><small>" << shown(at(m.revenue, i * m.to.size() + j), 2)
           << "</small></td>";
    html << "</tr>";
  }
  return html.str() + "</table>";
}

std::string comparison_section(const RunReport& r) {
  if (!r.comparison) return "";
  const QuarterComparison& c = *r.comparison;
  return "<h2>Since last quarter</h2><p class='note'>Compared with " + escaped(c.previous_path) + ".</p>" +
         matching_table(r, c) + drift_summary(c) + migration_table(c) + flow_chart(r, c);
}

constexpr const char* kStyle =
    "body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;font-size:13px}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:nth-child(2),td:last-child{text-align:left}"
    "h1{font-size:22px}h2{font-size:17px;margin-top:28px}h3{font-size:14px;margin-top:18px}.facts td{text-align:left}"
    ".note{color:#555;font-size:13px}.charts{display:flex;flex-wrap:wrap;gap:12px}"
    "table.attributes td,table.migration td{text-align:right}table.migration small{color:#666}"
    "table.matching td:nth-child(3){text-align:left}tr.new td{background:#fff3cd}.warnings{background:#fff4e5;border:1px solid #f0a020;border-radius:4px;"
    "padding:8px 14px;margin:10px 0;max-width:760px}.warnings ul{margin:6px 0 0 0;padding-left:20px}"
    "svg text.tick{fill:#444}";

}  // namespace

void write_report_html(const std::string& path, const RunReport& report) {
  std::ofstream out(path);
  if (!out) throw IoError(path + ": cannot create (directory not writable or disk full?)");
  out << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>kseg segments</title><style>" << kStyle
      << "</style></head><body><h1>Customer segments</h1><table class='facts'>";
  for (const auto& [label, value] : report.headline)
    out << "<tr><td>" << escaped(label) << "</td><td>" << escaped(value) << "</td></tr>";
  out << "</table>" << warnings_box(report) << "<h2>Segments</h2>" << segment_table(report)
      << "<h2>Share of customers (solid) and of revenue (light)</h2>" << shares_chart(report.profiles)
      << "<h2>Feature profile against the population (bars: segment mean − population mean, in spreads)</h2>"
      << profile_chart(report.profiles, report.features) << clv_box_plot(report.profiles) << select_k_section(report)
      << attribute_section(report) << comparison_section(report) << validation_section(report) << rfm_section(report)
      << "</body></html>\n";
  out.close();
  if (!out) throw IoError(path + ": cannot write (disk full?)");
}

}  // namespace kseg
