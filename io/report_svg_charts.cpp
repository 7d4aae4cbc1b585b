#include "io/detail/report_html_parts.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <sstream>

#include "customers/feature_labels.hpp"
#include "customers/segment_profiles.hpp"

namespace kseg::html_detail {
namespace {

/// Categories of an attribute (kept apart from the segment colours).
constexpr const char* kLabelPalette[] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a",
                                         "#66a61e", "#e6ab02", "#a6761d", "#666666"};

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
      << "</title><text x='0' y='" << px(mid + 4) << "' font-size='12'>" << escaped(segment_label(p)) << "</text>";
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

}  // namespace

// ---- segment overview ----

// One row per segment, labelled by name: its share of customers (solid) and of revenue (pale).
std::string shares_chart(const std::vector<SegmentProfile>& profiles) {
  const int label = 250, bars = 320, bar = 11, row = 2 * bar + 10;
  std::ostringstream svg;
  svg << "<svg width='" << label + bars + 60 << "' height='" << row * profiles.size() + 24 << "' role='img'>";
  double peak = 0.01;
  for (const SegmentProfile& p : profiles) peak = std::max({peak, finite_or_zero(p.share), finite_or_zero(p.revenue_share)});
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    const SegmentProfile& p = profiles[i];
    const int y = static_cast<int>(i) * row;
    svg << "<text x='0' y='" << y + bar + 5 << "' font-size='12'>" << escaped(segment_label(p)) << "</text>";
    for (int which = 0; which < 2; ++which) {
      const double value = std::max(0.0, finite_or_zero(which == 0 ? p.share : p.revenue_share));
      const int w = static_cast<int>(value / peak * bars), top = y + which * bar;
      svg << "<rect x='" << label << "' y='" << top << "' width='" << w << "' height='" << bar - 1 << "' fill='"
          << colour(p.segment) << "' opacity='" << (which == 0 ? "1" : "0.5") << "'><title>" << escaped(p.name)
          << (which == 0 ? ": customers " : ": revenue ") << percent(value, 1) << "</title></rect><text x='"
          << label + w + 4 << "' y='" << top + bar - 2 << "' font-size='10'>" << percent(value, 0) << "</text>";
    }
  }
  svg << "<line x1='" << label << "' y1='0' x2='" << label << "' y2='" << row * profiles.size() << "' stroke='#333'/>"
      << "</svg>";
  return svg.str();
}

std::string profile_chart(const std::vector<SegmentProfile>& profiles, const std::vector<std::string>& features) {
  const std::size_t d = features.size();
  const FeatureZScores scores = feature_z_scores(profiles, features);
  const int row = 16, label = 140, half = 120;
  std::ostringstream svg;
  svg << "<svg width='" << (label + 2 * half + 20) * std::min<std::size_t>(profiles.size(), 3) << "' height='"
      << ((profiles.size() + 2) / 3) * (d * row + 40) << "' role='img'>";
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    const int ox = static_cast<int>(i % 3) * (label + 2 * half + 20), oy = static_cast<int>(i / 3) * (d * row + 40);
    svg << "<text x='" << ox << "' y='" << oy + 14 << "' font-size='12' font-weight='bold'>"
        << escaped(segment_label(profiles[i])) << "</text>";
    for (std::size_t j = 0; j < d; ++j) {
      const double mean = at(profiles[i].mean, j), z = scores.z[i][j];
      const int w = static_cast<int>(std::min(1.0, std::fabs(z) / 2) * half), y = oy + 22 + static_cast<int>(j) * row;
      svg << "<text x='" << ox << "' y='" << y + 11 << "' font-size='11'>" << escaped(feature_label(features[j])) << "</text>"
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

std::string clv_box_plot(const std::vector<SegmentProfile>& profiles) {
  if (!has_clv_quantiles(profiles)) return "";
  double lo = 0, hi = 0;
  for (const SegmentProfile& p : profiles)
    for (double v : p.clv_quantiles)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  for (const SegmentProfile& p : profiles)
    if (std::isfinite(p.mean_clv)) lo = std::min(lo, p.mean_clv), hi = std::max(hi, p.mean_clv);
  const int row = 26, left = kNameColumn, width = kNameColumn + 520;
  const double bottom = static_cast<double>(profiles.size()) * row + 8;
  const Axis x = nice_axis(lo, hi, left, width - 20, 5);
  std::ostringstream svg;
  svg << "<h2>CLV distribution by segment</h2><svg class='clv-box-plot' width='" << width << "' height='"
      << px(bottom + 40) << "' role='img'>";
  for (std::size_t i = 0; i < profiles.size(); ++i) clv_box(svg, profiles[i], x, static_cast<double>(i) * row + 6, row - 10);
  x_axis(svg, x, bottom, "CLV per customer (whiskers: p05–p95, box: p25–p75, line: median, dot: mean)");
  return svg.str() + "</svg>";
}

// ---- choosing k ----

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

// ---- customer attributes ----

std::string categorical_chart(const std::vector<SegmentProfile>& profiles, const AttributeSummary& a) {
  const double row = 24, left = kNameColumn, bar = 460;
  std::ostringstream svg;
  svg << "<h3>" << escaped(a.name) << "</h3><svg class='stacked-bars' width='" << px(left + bar + 10) << "' height='"
      << px(static_cast<double>(profiles.size()) * row + 28) << "' role='img'>";
  for (std::size_t s = 0; s < profiles.size(); ++s) {
    const double y = static_cast<double>(s) * row;
    const int64_t known = s < a.known.size() ? a.known[s] : 0;
    svg << "<text x='0' y='" << px(y + 16) << "' font-size='12'>" << escaped(segment_label(profiles[s])) << "</text>";
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

}  // namespace kseg::html_detail
