#include "io/report_html.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

#include "common/errors.hpp"
#include "common/number_text.hpp"

namespace kseg {
namespace {

constexpr const char* kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
/// Categories of an attribute (kept apart from the segment colours).
constexpr const char* kLabelPalette[] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a",
                                         "#66a61e", "#e6ab02", "#a6761d", "#666666"};
constexpr const char* kGrey = "#8c8c8c";  ///< new and gone customers, unknown values
constexpr const char* kUnknown = "—";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}


/// A value for people: "—" when unknown (never "nan" or "inf").
std::string shown(double v, int digits) { return std::isfinite(v) ? fixed_decimals(v, digits) : kUnknown; }
std::string percent(double share, int digits) { return std::isfinite(share) ? percent_text(share, digits) : kUnknown; }

/// An SVG coordinate or length (finite by construction; 0 otherwise).
std::string px(double v) { return std::isfinite(v) ? fixed_decimals(v, 1) : "0"; }

double at(const std::vector<double>& values, std::size_t i) { return i < values.size() ? values[i] : kNaN; }
double finite_or_zero(double v) { return std::isfinite(v) ? v : 0.0; }

const char* colour(int segment) { return segment < 0 ? kGrey : kPalette[segment % 10]; }

// ---- axes: shared by the box plot and the line charts ----

/// A linear map from data values onto pixels, with the tick values to label.
struct Axis {
  double lo = 0, hi = 1;      ///< data range
  double from = 0, to = 1;    ///< pixel range (to < from for a vertical axis: up is larger)
  double step = 1;            ///< tick spacing (for the labels' decimals)
  std::vector<double> ticks;
  double at(double v) const { return from + (v - lo) / (hi - lo) * (to - from); }
};

/// Ticks at 1, 2 or 5 × 10^n covering [lo, hi] with about `count` intervals.
Axis nice_axis(double lo, double hi, double from, double to, int count = 4) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (hi - lo <= 1e-12 * std::max(1.0, std::fabs(hi))) lo -= std::max(0.5, std::fabs(lo) / 10), hi += std::max(0.5, std::fabs(hi) / 10);
  const double rough = (hi - lo) / count, magnitude = std::pow(10.0, std::floor(std::log10(rough)));
  const double fraction = rough / magnitude;
  Axis axis;
  axis.step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
  axis.lo = std::floor(lo / axis.step) * axis.step, axis.hi = std::ceil(hi / axis.step) * axis.step;
  axis.from = from, axis.to = to;
  for (double t = axis.lo; t <= axis.hi + axis.step / 2; t += axis.step) axis.ticks.push_back(std::fabs(t) < axis.step / 1e6 ? 0 : t);
  return axis;
}

/// Ticks at exactly `values` (e.g. the k of a sweep).
Axis value_axis(const std::vector<double>& values, double from, double to) {
  Axis axis;
  axis.lo = *std::min_element(values.begin(), values.end()), axis.hi = *std::max_element(values.begin(), values.end());
  if (axis.hi == axis.lo) axis.lo -= 1, axis.hi += 1;
  axis.from = from, axis.to = to, axis.ticks = values;
  return axis;
}

/// A tick's label: decimals from the spacing, large values as k / M / G.
std::string tick_label(const Axis& axis, double v) {
  const double magnitude = std::max(std::fabs(axis.lo), std::fabs(axis.hi));
  const double unit = magnitude >= 1e9 ? 1e9 : magnitude >= 1e6 ? 1e6 : magnitude >= 1e4 ? 1e3 : 1;
  const char* suffix = unit == 1e9 ? "G" : unit == 1e6 ? "M" : unit == 1e3 ? "k" : "";
  const int digits = std::clamp(static_cast<int>(std::ceil(-std::log10(axis.step / unit) - 1e-9)), 0, 6);
  return fixed_decimals(v / unit, digits) + suffix;
}

/// A horizontal axis at pixel row y: line, ticks, their labels and the axis title below.
void x_axis(std::ostream& svg, const Axis& x, double y, const std::string& title) {
  svg << "<line x1='" << px(std::min(x.from, x.to)) << "' y1='" << px(y) << "' x2='" << px(std::max(x.from, x.to))
      << "' y2='" << px(y) << "' stroke='#333'/>";
  for (double t : x.ticks)
    svg << "<line x1='" << px(x.at(t)) << "' y1='" << px(y) << "' x2='" << px(x.at(t)) << "' y2='" << px(y + 4)
        << "' stroke='#333'/><text class='tick' x='" << px(x.at(t)) << "' y='" << px(y + 15)
        << "' font-size='10' text-anchor='middle'>" << tick_label(x, t) << "</text>";
  svg << "<text x='" << px((x.from + x.to) / 2) << "' y='" << px(y + 29) << "' font-size='11' text-anchor='middle'>"
      << escaped(title) << "</text>";
}

/// A vertical axis at pixel column x: line, ticks and their labels (the title is the chart's).
void y_axis(std::ostream& svg, const Axis& y, double x) {
  svg << "<line x1='" << px(x) << "' y1='" << px(std::min(y.from, y.to)) << "' x2='" << px(x) << "' y2='"
      << px(std::max(y.from, y.to)) << "' stroke='#333'/>";
  for (double t : y.ticks)
    svg << "<line x1='" << px(x - 4) << "' y1='" << px(y.at(t)) << "' x2='" << px(x) << "' y2='" << px(y.at(t))
        << "' stroke='#333'/><text class='tick' x='" << px(x - 6) << "' y='" << px(y.at(t) + 3)
        << "' font-size='10' text-anchor='end'>" << tick_label(y, t) << "</text>";
}

// ---- segment overview ----

// Side-by-side bars per segment: share of customers and share of revenue.
std::string shares_chart(const std::vector<SegmentProfile>& profiles) {
  const int bar = 18, gap = 14, height = 220, top = 20;
  std::ostringstream svg;
  const int width = 60 + static_cast<int>(profiles.size()) * (2 * bar + gap);
  svg << "<svg width='" << width << "' height='" << height + 40 << "' role='img'>";
  double peak = 0.01;
  for (const SegmentProfile& p : profiles) peak = std::max({peak, finite_or_zero(p.share), finite_or_zero(p.revenue_share)});
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    const SegmentProfile& p = profiles[i];
    const int x = 50 + static_cast<int>(i) * (2 * bar + gap);
    for (int which = 0; which < 2; ++which) {
      const double value = std::max(0.0, finite_or_zero(which == 0 ? p.share : p.revenue_share));
      const int h = static_cast<int>(value / peak * (height - top));
      svg << "<rect x='" << x + which * bar << "' y='" << height - h << "' width='" << bar - 2 << "' height='" << h
          << "' fill='" << colour(p.segment) << "' opacity='" << (which == 0 ? "1" : "0.5") << "'><title>"
          << escaped(p.name) << (which == 0 ? ": customers " : ": revenue ") << percent(value, 1) << "</title></rect>";
    }
    svg << "<text x='" << x << "' y='" << height + 16 << "' font-size='12'>" << p.segment << "</text>";
  }
  svg << "<line x1='45' y1='" << height << "' x2='" << width << "' y2='" << height << "' stroke='#333'/>"
      << "<text x='0' y='14' font-size='11'>" << fixed_decimals(100 * peak, 0) << "%</text></svg>";
  return svg.str();
}

// Each segment's mean of each feature against the population: (mean − population) / spread.
std::string profile_chart(const std::vector<SegmentProfile>& profiles, const std::vector<std::string>& features) {
  const std::size_t d = features.size();
  std::vector<double> population(d, 0), spread(d, 0);
  for (const SegmentProfile& p : profiles)
    for (std::size_t j = 0; j < d; ++j) population[j] += finite_or_zero(p.share * at(p.mean, j));
  for (const SegmentProfile& p : profiles)
    for (std::size_t j = 0; j < d; ++j) spread[j] += finite_or_zero(p.share * std::pow(at(p.mean, j) - population[j], 2));
  const int row = 16, label = 140, half = 120;
  std::ostringstream svg;
  svg << "<svg width='" << (label + 2 * half + 20) * std::min<std::size_t>(profiles.size(), 3) << "' height='"
      << ((profiles.size() + 2) / 3) * (d * row + 40) << "' role='img'>";
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    const int ox = static_cast<int>(i % 3) * (label + 2 * half + 20), oy = static_cast<int>(i / 3) * (d * row + 40);
    svg << "<text x='" << ox << "' y='" << oy + 14 << "' font-size='12' font-weight='bold'>" << profiles[i].segment
        << ": " << escaped(profiles[i].name) << "</text>";
    for (std::size_t j = 0; j < d; ++j) {
      const double mean = at(profiles[i].mean, j);
      const double z = spread[j] > 0 ? finite_or_zero((mean - population[j]) / std::sqrt(spread[j])) : 0;
      const int w = static_cast<int>(std::min(1.0, std::fabs(z) / 2) * half), y = oy + 22 + static_cast<int>(j) * row;
      svg << "<text x='" << ox << "' y='" << y + 11 << "' font-size='11'>" << escaped(features[j]) << "</text>"
          << "<rect x='" << ox + label + (z < 0 ? half - w : half) << "' y='" << y << "' width='" << w
          << "' height='" << row - 4 << "' fill='" << colour(profiles[i].segment) << "'><title>"
          << escaped(features[j]) << " " << shown(mean, 2) << "</title></rect>";
    }
    svg << "<line x1='" << ox + label + half << "' y1='" << oy + 20 << "' x2='" << ox + label + half << "' y2='"
        << oy + 22 + static_cast<int>(d) * row << "' stroke='#333'/>";
  }
  svg << "</svg>";
  return svg.str();
}

bool has_clv_quantiles(const std::vector<SegmentProfile>& profiles) {
  return std::any_of(profiles.begin(), profiles.end(), [](const SegmentProfile& p) { return !p.clv_quantiles.empty(); });
}

/// One segment's row of the CLV box plot: whiskers p05–p95, box p25–p75, median line, mean dot.
void clv_box(std::ostream& svg, const SegmentProfile& p, const Axis& x, double y, double h) {
  const double q[5] = {at(p.clv_quantiles, 0), at(p.clv_quantiles, 1), at(p.clv_quantiles, 2), at(p.clv_quantiles, 3),
                       at(p.clv_quantiles, 4)};
  const double mid = y + h / 2;
  svg << "<g><title>segment " << p.segment << ": p05 " << shown(q[0], 2) << ", p25 " << shown(q[1], 2) << ", median "
      << shown(q[2], 2) << ", p75 " << shown(q[3], 2) << ", p95 " << shown(q[4], 2) << ", mean " << shown(p.mean_clv, 2)
      << "</title><text x='0' y='" << px(mid + 4) << "' font-size='12'>" << p.segment << "</text>";
  if (std::all_of(std::begin(q), std::end(q), [](double v) { return std::isfinite(v); })) {
    svg << "<line x1='" << px(x.at(q[0])) << "' y1='" << px(mid) << "' x2='" << px(x.at(q[4])) << "' y2='" << px(mid)
        << "' stroke='#333'/>";
    for (double w : {q[0], q[4]})
      svg << "<line x1='" << px(x.at(w)) << "' y1='" << px(y + h / 4) << "' x2='" << px(x.at(w)) << "' y2='"
          << px(y + 3 * h / 4) << "' stroke='#333'/>";
    svg << "<rect x='" << px(x.at(q[1])) << "' y='" << px(y) << "' width='" << px(x.at(q[3]) - x.at(q[1]))
        << "' height='" << px(h) << "' fill='" << colour(p.segment) << "' fill-opacity='0.45' stroke='"
        << colour(p.segment) << "'/><line x1='" << px(x.at(q[2])) << "' y1='" << px(y) << "' x2='" << px(x.at(q[2]))
        << "' y2='" << px(y + h) << "' stroke='#222' stroke-width='2'/>";
  }
  if (std::isfinite(p.mean_clv))
    svg << "<circle cx='" << px(x.at(p.mean_clv)) << "' cy='" << px(mid) << "' r='4' fill='" << colour(p.segment)
        << "' stroke='#222'/>";
  svg << "</g>";
}

std::string clv_box_plot(const std::vector<SegmentProfile>& profiles) {
  if (!has_clv_quantiles(profiles)) return "";
  double lo = 0, hi = 0;
  for (const SegmentProfile& p : profiles)
    for (double v : p.clv_quantiles)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  for (const SegmentProfile& p : profiles)
    if (std::isfinite(p.mean_clv)) lo = std::min(lo, p.mean_clv), hi = std::max(hi, p.mean_clv);
  const int row = 26, left = 40, width = 560;
  const double bottom = static_cast<double>(profiles.size()) * row + 8;
  const Axis x = nice_axis(lo, hi, left, width - 20, 5);
  std::ostringstream svg;
  svg << "<h2>CLV distribution by segment</h2><svg class='clv-box-plot' width='" << width << "' height='"
      << px(bottom + 40) << "' role='img'>";
  for (std::size_t i = 0; i < profiles.size(); ++i) clv_box(svg, profiles[i], x, static_cast<double>(i) * row + 6, row - 10);
  x_axis(svg, x, bottom, "CLV per customer (whiskers: p05–p95, box: p25–p75, line: median, dot: mean)");
  return svg.str() + "</svg>";
}

bool any_retention(const std::vector<SegmentProfile>& profiles) {
  return std::any_of(profiles.begin(), profiles.end(), [](const SegmentProfile& p) { return p.retention >= 0; });
}

std::string segment_table(const RunReport& r) {
  const bool retention = any_retention(r.profiles), cac = r.attributes.has_value();
  std::ostringstream html;
  html << "<table><tr><th>segment</th><th>name</th><th>customers</th><th>share</th><th>revenue share</th>"
          "<th>mean CLV</th><th>churn risk</th>"
       << (retention ? "<th>retention</th>" : "") << (cac ? "<th>CLV/CAC</th>" : "");
  for (const std::string& f : r.features) html << "<th>" << escaped(f) << "</th>";
  html << "<th>suggested action</th></tr>";
  for (std::size_t s = 0; s < r.profiles.size(); ++s) {
    const SegmentProfile& p = r.profiles[s];
    html << "<tr><td style='border-left:6px solid " << colour(p.segment) << "'>" << p.segment << "</td><td>"
         << escaped(p.name) << "</td><td>" << with_thousands(p.customers) << "</td><td>" << percent(p.share, 1) << "</td><td>"
         << percent(p.revenue_share, 1) << "</td><td>" << shown(p.mean_clv, 2) << "</td><td>" << shown(p.churn_risk, 3)
         << "</td>";
    if (retention) html << "<td>" << percent(p.retention < 0 ? kNaN : p.retention, 1) << "</td>";
    if (cac) html << "<td>" << shown(at(r.attributes->clv_per_cac, s), 2) << "</td>";
    for (std::size_t j = 0; j < r.features.size(); ++j) html << "<td>" << shown(at(p.mean, j), 2) << "</td>";
    html << "<td>" << escaped(p.action) << "</td></tr>";
  }
  return html.str() + "</table>";
}

// ---- choosing k ----

/// One metric of the k sweep over k.
struct LineChart {
  std::string title;
  std::vector<double> k, value, error;  ///< error: ± whiskers (empty: none)
  int marked_k = 0;                     ///< the recommended k (0: none)
};

std::string line_chart(const LineChart& c) {
  const double width = 280, height = 210, left = 52, right = 12, top = 26, bottom = 40;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (std::size_t i = 0; i < c.value.size(); ++i) {
    if (!std::isfinite(c.value[i])) continue;
    const double e = finite_or_zero(at(c.error, i));
    lo = std::min(lo, c.value[i] - e), hi = std::max(hi, c.value[i] + e);
  }
  const Axis x = value_axis(c.k, left + 10, width - right - 10);
  const Axis y = nice_axis(lo, hi, height - bottom, top, 4);
  std::ostringstream svg, line;
  svg << "<svg class='line-chart' width='" << px(width) << "' height='" << px(height)
      << "' role='img'><text x='4' y='14' font-size='12' font-weight='bold'>" << escaped(c.title) << "</text>";
  y_axis(svg, y, left);
  x_axis(svg, x, height - bottom, "k");
  if (c.marked_k > 0) {
    const double mx = x.at(c.marked_k);
    const bool right_half = mx > (left + width) / 2;  // label on the side with room
    svg << "<line class='recommended-k' x1='" << px(mx) << "' y1='" << px(top - 6) << "' x2='" << px(mx) << "' y2='"
        << px(height - bottom) << "' stroke='#c0392b' stroke-dasharray='4 3'/><text x='" << px(right_half ? mx - 3 : mx + 3)
        << "' y='" << px(top + 2) << "' font-size='10' fill='#c0392b' text-anchor='" << (right_half ? "end" : "start")
        << "'>recommended k = " << c.marked_k << "</text>";
  }
  bool pen_down = false;
  for (std::size_t i = 0; i < c.value.size() && i < c.k.size(); ++i) {
    if (!std::isfinite(c.value[i])) {
      pen_down = false;
      continue;
    }
    const double cx = x.at(c.k[i]), cy = y.at(c.value[i]), e = finite_or_zero(at(c.error, i));
    line << (pen_down ? " L" : " M") << px(cx) << " " << px(cy);
    pen_down = true;
    if (e > 0)
      svg << "<line x1='" << px(cx) << "' y1='" << px(y.at(c.value[i] - e)) << "' x2='" << px(cx) << "' y2='"
          << px(y.at(c.value[i] + e)) << "' stroke='#4e79a7'/>";
    svg << "<circle cx='" << px(cx) << "' cy='" << px(cy) << "' r='3' fill='#4e79a7'><title>k = " << c.k[i] << ": "
        << shown(c.value[i], 4) << (c.error.empty() ? "" : " ± " + shown(e, 4)) << "</title></circle>";
  }
  if (!line.str().empty()) svg << "<path d='" << line.str() << "' fill='none' stroke='#4e79a7' stroke-width='1.5'/>";
  return svg.str() + "</svg>";
}

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

/// One 100%-stacked horizontal bar per segment: the shares of a categorical attribute's labels.
std::string categorical_chart(const std::vector<SegmentProfile>& profiles, const AttributeSummary& a) {
  const double row = 24, left = 40, bar = 460;
  std::ostringstream svg;
  svg << "<h3>" << escaped(a.name) << "</h3><svg class='stacked-bars' width='" << px(left + bar + 10) << "' height='"
      << px(static_cast<double>(profiles.size()) * row + 28) << "' role='img'>";
  for (std::size_t s = 0; s < profiles.size(); ++s) {
    const double y = static_cast<double>(s) * row;
    const int64_t known = s < a.known.size() ? a.known[s] : 0;
    svg << "<text x='0' y='" << px(y + 16) << "' font-size='12'>" << profiles[s].segment << "</text>";
    if (known == 0 || s >= a.share.size()) {
      svg << "<rect x='" << px(left) << "' y='" << px(y + 3) << "' width='" << px(bar) << "' height='" << px(row - 6)
          << "' fill='#eee'><title>segment " << profiles[s].segment << ": no known " << escaped(a.name)
          << "</title></rect><text x='" << px(left + 6) << "' y='" << px(y + 16) << "' font-size='11'>" << kUnknown
          << "</text>";
      continue;
    }
    double x = left;
    for (std::size_t l = 0; l < a.labels.size(); ++l) {
      const double share = std::max(0.0, finite_or_zero(at(a.share[s], l))), w = share * bar;
      svg << "<rect x='" << px(x) << "' y='" << px(y + 3) << "' width='" << px(w) << "' height='" << px(row - 6)
          << "' fill='" << kLabelPalette[l % std::size(kLabelPalette)] << "'><title>segment " << profiles[s].segment
          << ", " << escaped(a.labels[l]) << ": " << percent(share, 1) << " of " << with_thousands(known)
          << " known</title></rect>";
      if (w >= 34)
        svg << "<text x='" << px(x + 4) << "' y='" << px(y + 16) << "' font-size='10' fill='#fff'>" << percent(share, 0)
            << "</text>";
      x += w;
    }
  }
  double x = left;
  const double legend = static_cast<double>(profiles.size()) * row + 10;
  for (std::size_t l = 0; l < a.labels.size(); ++l) {
    svg << "<rect x='" << px(x) << "' y='" << px(legend) << "' width='10' height='10' fill='"
        << kLabelPalette[l % std::size(kLabelPalette)] << "'/><text x='" << px(x + 14) << "' y='" << px(legend + 9)
        << "' font-size='11'>" << escaped(a.labels[l]) << "</text>";
    x += 24 + 6.5 * static_cast<double>(a.labels[l].size());
  }
  return svg.str() + "</svg>";
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

int64_t migration_cell(const MigrationMatrix& m, std::size_t i, std::size_t j) {
  const std::size_t cell = i * m.to.size() + j;
  return cell < m.customers.size() ? m.customers[cell] : 0;
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

/// A node of the flow chart: a segment's stack of customers on one side.
struct FlowNode {
  int32_t id = 0;
  std::string label;
  int64_t customers = 0;
  double top = 0, filled = 0;  ///< pixel top; pixels taken by the bands drawn so far
};

/// Stacks the non-empty nodes top to bottom, `scale` pixels per customer, `gap` pixels apart.
void stack_nodes(std::vector<FlowNode>& nodes, double top, double scale, double gap) {
  double y = top;
  for (FlowNode& n : nodes) {
    n.top = y;
    if (n.customers > 0) y += static_cast<double>(n.customers) * scale + gap;
  }
}

void draw_nodes(std::ostream& svg, const std::vector<FlowNode>& nodes, double x, double width, double scale, bool left) {
  for (const FlowNode& n : nodes) {
    if (n.customers <= 0) continue;
    const double h = static_cast<double>(n.customers) * scale;
    svg << "<rect x='" << px(x) << "' y='" << px(n.top) << "' width='" << px(width) << "' height='" << px(h) << "' fill='"
        << colour(n.id) << "'><title>" << escaped(n.label) << ": " << with_thousands(n.customers)
        << " customers</title></rect><text x='" << px(left ? x - 6 : x + width + 6) << "' y='" << px(n.top + h / 2 + 4)
        << "' font-size='11' text-anchor='" << (left ? "end" : "start") << "'>" << escaped(n.label) << " ("
        << with_thousands(n.customers) << ")</text>";
  }
}

std::string segment_name(const RunReport& r, int32_t id) {
  for (const SegmentProfile& p : r.profiles)
    if (p.segment == id) return p.name;
  return "";
}

std::string previous_name(const QuarterComparison& c, int32_t id) {
  for (std::size_t i = 0; i < c.match.previous_ids.size() && i < c.match.previous_names.size(); ++i)
    if (c.match.previous_ids[i] == id) return c.match.previous_names[i];
  return "";
}

std::string node_label(int32_t id, const std::string& fallback, const std::string& name) {
  return id < 0 ? fallback : name.empty() ? std::to_string(id) : std::to_string(id) + ": " + name;
}

/// Previous segments (and new customers) left, current ones (and gone customers) right; one band
/// per non-zero cell of the migration matrix, as thick as its customers, coloured by its source.
std::string flow_chart(const RunReport& r, const QuarterComparison& c) {
  const MigrationMatrix& m = c.migration;
  std::vector<FlowNode> from, to;
  for (int32_t id : m.from) from.push_back({id, node_label(id, "new customers", previous_name(c, id)), 0, 0, 0});
  for (int32_t id : m.to) to.push_back({id, node_label(id, "gone customers", segment_name(r, id)), 0, 0, 0});
  int64_t total = 0;
  for (std::size_t i = 0; i < from.size(); ++i)
    for (std::size_t j = 0; j < to.size(); ++j) {
      const int64_t n = std::max<int64_t>(0, migration_cell(m, i, j));
      from[i].customers += n, to[j].customers += n, total += n;
    }
  if (total == 0) return "";
  const auto nonempty = [](const std::vector<FlowNode>& nodes) {
    return std::count_if(nodes.begin(), nodes.end(), [](const FlowNode& n) { return n.customers > 0; });
  };
  const double width = 820, height = 380, top = 10, gap = 10, node = 14, x0 = 230, x1 = width - 230;
  const double scale = (height - 2 * top - gap * static_cast<double>(std::max(nonempty(from), nonempty(to)) - 1)) /
                       static_cast<double>(total);
  stack_nodes(from, top, scale, gap);
  stack_nodes(to, top, scale, gap);
  std::ostringstream svg;
  svg << "<h3>Customer flows</h3><svg class='flow-chart' width='" << px(width) << "' height='" << px(height)
      << "' role='img'>";
  const double a = x0 + node, b = x1, mid = (a + b) / 2;
  for (std::size_t i = 0; i < from.size(); ++i)
    for (std::size_t j = 0; j < to.size(); ++j) {
      const int64_t n = migration_cell(m, i, j);
      if (n <= 0) continue;
      const double t = static_cast<double>(n) * scale, ya = from[i].top + from[i].filled, yb = to[j].top + to[j].filled;
      from[i].filled += t, to[j].filled += t;
      svg << "<path class='band' d='M" << px(a) << " " << px(ya) << " C" << px(mid) << " " << px(ya) << " " << px(mid)
          << " " << px(yb) << " " << px(b) << " " << px(yb) << " L" << px(b) << " " << px(yb + t) << " C" << px(mid) << " "
          << px(yb + t) << " " << px(mid) << " " << px(ya + t) << " " << px(a) << " " << px(ya + t) << " Z' fill='"
          << colour(from[i].id) << "' fill-opacity='0.45'><title>" << escaped(from[i].label) << " → "
          << escaped(to[j].label) << ": " << with_thousands(n) << " customers, revenue "
          << shown(at(m.revenue, i * m.to.size() + j), 2) << "</title></path>";
    }
  draw_nodes(svg, from, x0, node, scale, true);
  draw_nodes(svg, to, x1, node, scale, false);
  return svg.str() + "</svg>";
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
  out << "</table><h2>Segments</h2>" << segment_table(report)
      << "<h2>Share of customers (solid) and of revenue (light)</h2>" << shares_chart(report.profiles)
      << "<h2>Feature profile against the population (bars: segment mean − population mean, in spreads)</h2>"
      << profile_chart(report.profiles, report.features) << clv_box_plot(report.profiles) << select_k_section(report)
      << attribute_section(report) << comparison_section(report) << "</body></html>\n";
  out.close();
  if (!out) throw IoError(path + ": cannot write (disk full?)");
}

}  // namespace kseg
