#pragma once

// What the parts of report.html share: the page (report_html.cpp) and its charts
// (report_svg_charts.cpp, report_flow_chart.cpp). Internal to kseg_io.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "common/number_text.hpp"
#include "io/run_report.hpp"

namespace kseg::html_detail {

inline constexpr const char* kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
inline constexpr const char* kGrey = "#8c8c8c";  ///< new and gone customers, unknown values
inline constexpr const char* kUnknown = "—";
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline std::string escaped(const std::string& text) {
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
inline std::string shown(double v, int digits) {
  return std::isfinite(v) ? fixed_decimals(v, digits) : kUnknown;
}
inline std::string percent(double share, int digits) {
  return std::isfinite(share) ? percent_text(share, digits) : kUnknown;
}

/// An SVG coordinate or length (finite by construction; 0 otherwise).
inline std::string px(double v) { return std::isfinite(v) ? fixed_decimals(v, 1) : "0"; }

inline double at(const std::vector<double>& values, std::size_t i) { return i < values.size() ? values[i] : kNaN; }
inline double finite_or_zero(double v) { return std::isfinite(v) ? v : 0.0; }

/// Pixels left of a chart for its rows' segment labels.
inline constexpr int kNameColumn = 230;
/// A chart row's label: the segment's id and name, cut to fit kNameColumn.
inline std::string segment_label(const SegmentProfile& p) {
  std::string label = std::to_string(p.segment) + " " + p.name;
  if (label.size() <= 34) return label;
  std::size_t cut = 32;  // bytes; never inside a UTF-8 sequence
  while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80) --cut;
  return label.substr(0, cut) + "…";
}

inline const char* colour(int segment) { return segment < 0 ? kGrey : kPalette[segment % 10]; }

/// Customers who moved from row i to column j of the migration matrix (0 outside it).
inline int64_t migration_cell(const MigrationMatrix& m, std::size_t i, std::size_t j) {
  const std::size_t cell = i * m.to.size() + j;
  return cell < m.customers.size() ? m.customers[cell] : 0;
}

// ---- the charts (report_svg_charts.cpp) ----

// ---- axes (report_svg_axes.cpp), shared by the charts ----

/// A linear map from data values onto pixels, with the tick values to label.
struct Axis {
  double lo = 0, hi = 1;      ///< data range
  double from = 0, to = 1;    ///< pixel range (to < from for a vertical axis: up is larger)
  double step = 1;            ///< tick spacing (for the labels' decimals)
  std::vector<double> ticks;
  double at(double v) const { return from + (v - lo) / (hi - lo) * (to - from); }
};

/// Ticks at 1, 2 or 5 × 10^n covering [lo, hi] with about `count` intervals.
Axis nice_axis(double lo, double hi, double from, double to, int count = 4);
/// Ticks at exactly `values` (e.g. the k of a sweep).
Axis value_axis(const std::vector<double>& values, double from, double to);
/// A tick's label: decimals from the spacing, large values as k / M / G.
std::string tick_label(const Axis& axis, double v);
/// A horizontal axis at pixel row y: line, ticks, their labels and the axis title below.
void x_axis(std::ostream& svg, const Axis& x, double y, const std::string& title);
/// A vertical axis at pixel column x: line, ticks and their labels (the title is the chart's).
void y_axis(std::ostream& svg, const Axis& y, double x);

/// Side-by-side bars per segment: share of customers and share of revenue.
std::string shares_chart(const std::vector<SegmentProfile>& profiles);

/// Each segment's mean of each feature against the population, in population spreads.
std::string profile_chart(const std::vector<SegmentProfile>& profiles, const std::vector<std::string>& features);

/// The CLV distribution of each segment as a box plot, with its heading; "" without CLV quantiles.
std::string clv_box_plot(const std::vector<SegmentProfile>& profiles);

/// One metric of the k sweep over k.
struct LineChart {
  std::string title;
  std::vector<double> k, value, error;  ///< error: ± whiskers (empty: none)
  int marked_k = 0;                     ///< the recommended k (0: none)
};

/// A small chart of one metric over k: points, ± whiskers, and the recommended k marked.
std::string line_chart(const LineChart& c);

/// One 100%-stacked horizontal bar per segment: the shares of a categorical attribute's labels.
std::string categorical_chart(const std::vector<SegmentProfile>& profiles, const AttributeSummary& a);

// ---- the flows since last quarter (report_flow_chart.cpp) ----

/// Previous segments (and new customers) left, current ones (and gone customers) right; one band
/// per non-zero cell of the migration matrix, as thick as its customers, coloured by its source.
/// "" when no customer moved.
std::string flow_chart(const RunReport& r, const QuarterComparison& c);

}  // namespace kseg::html_detail
