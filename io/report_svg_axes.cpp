#include <algorithm>
#include <cmath>
#include <sstream>

#include "io/detail/report_html_parts.hpp"

// Axes of the report's SVG charts.
namespace kseg::html_detail {

/// Ticks at 1, 2 or 5 × 10^n covering [lo, hi] with about `count` intervals.
Axis nice_axis(double lo, double hi, double from, double to, int count) {
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

}  // namespace kseg::html_detail
