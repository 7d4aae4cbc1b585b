#include "io/report_html.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "common/errors.hpp"

namespace kseg {
namespace {

constexpr const char* kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

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

std::string fixed(double v, int digits) {
  std::ostringstream text;
  text.setf(std::ios::fixed);
  text.precision(digits);
  text << v;
  return text.str();
}

const char* colour(int segment) { return kPalette[segment % 10]; }

// Side-by-side bars per segment: share of customers and share of revenue.
std::string shares_chart(const std::vector<SegmentProfile>& profiles) {
  const int bar = 18, gap = 14, height = 220, top = 20;
  std::ostringstream svg;
  const int width = 60 + static_cast<int>(profiles.size()) * (2 * bar + gap);
  svg << "<svg width='" << width << "' height='" << height + 40 << "' role='img'>";
  double peak = 0.01;
  for (const SegmentProfile& p : profiles) peak = std::max({peak, p.share, p.revenue_share});
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    const SegmentProfile& p = profiles[i];
    const int x = 50 + static_cast<int>(i) * (2 * bar + gap);
    for (int which = 0; which < 2; ++which) {
      const double value = which == 0 ? p.share : std::max(0.0, p.revenue_share);
      const int h = static_cast<int>(value / peak * (height - top));
      svg << "<rect x='" << x + which * bar << "' y='" << height - h << "' width='" << bar - 2 << "' height='" << h
          << "' fill='" << colour(p.segment) << "' opacity='" << (which == 0 ? "1" : "0.5") << "'><title>"
          << escaped(p.name) << (which == 0 ? ": customers " : ": revenue ") << fixed(100 * value, 1)
          << "%</title></rect>";
    }
    svg << "<text x='" << x << "' y='" << height + 16 << "' font-size='12'>" << p.segment << "</text>";
  }
  svg << "<line x1='45' y1='" << height << "' x2='" << width << "' y2='" << height << "' stroke='#333'/>"
      << "<text x='0' y='14' font-size='11'>" << fixed(100 * peak, 0) << "%</text></svg>";
  return svg.str();
}

// Each segment's mean of each feature against the population: (mean − population) / spread.
std::string profile_chart(const std::vector<SegmentProfile>& profiles, const std::vector<std::string>& features) {
  const std::size_t d = features.size();
  std::vector<double> population(d, 0), spread(d, 0);
  for (const SegmentProfile& p : profiles)
    for (std::size_t j = 0; j < d; ++j) population[j] += p.share * p.mean[j];
  for (const SegmentProfile& p : profiles)
    for (std::size_t j = 0; j < d; ++j) spread[j] += p.share * std::pow(p.mean[j] - population[j], 2);
  const int row = 16, label = 140, half = 120;
  std::ostringstream svg;
  svg << "<svg width='" << (label + 2 * half + 20) * std::min<std::size_t>(profiles.size(), 3) << "' height='"
      << ((profiles.size() + 2) / 3) * (d * row + 40) << "' role='img'>";
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    const int ox = static_cast<int>(i % 3) * (label + 2 * half + 20), oy = static_cast<int>(i / 3) * (d * row + 40);
    svg << "<text x='" << ox << "' y='" << oy + 14 << "' font-size='12' font-weight='bold'>" << profiles[i].segment
        << ": " << escaped(profiles[i].name) << "</text>";
    for (std::size_t j = 0; j < d; ++j) {
      const double z = spread[j] > 0 ? (profiles[i].mean[j] - population[j]) / std::sqrt(spread[j]) : 0;
      const int w = static_cast<int>(std::min(1.0, std::fabs(z) / 2) * half), y = oy + 22 + static_cast<int>(j) * row;
      svg << "<text x='" << ox << "' y='" << y + 11 << "' font-size='11'>" << escaped(features[j]) << "</text>"
          << "<rect x='" << ox + label + (z < 0 ? half - w : half) << "' y='" << y << "' width='" << w
          << "' height='" << row - 4 << "' fill='" << colour(profiles[i].segment) << "'><title>"
          << escaped(features[j]) << " " << fixed(profiles[i].mean[j], 2) << "</title></rect>";
    }
    svg << "<line x1='" << ox + label + half << "' y1='" << oy + 20 << "' x2='" << ox + label + half << "' y2='"
        << oy + 22 + static_cast<int>(d) * row << "' stroke='#333'/>";
  }
  svg << "</svg>";
  return svg.str();
}

std::string clv_chart(const std::vector<SegmentProfile>& profiles) {
  double peak = 0;
  for (const SegmentProfile& p : profiles) peak = std::max(peak, p.mean_clv);
  if (peak <= 0) return "";
  std::ostringstream svg;
  const int row = 22;
  svg << "<h2>Mean CLV by segment</h2><svg width='560' height='" << profiles.size() * row + 10 << "' role='img'>";
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    const SegmentProfile& p = profiles[i];
    const int w = static_cast<int>(p.mean_clv / peak * 360), y = static_cast<int>(i) * row;
    svg << "<text x='0' y='" << y + 15 << "' font-size='12'>" << p.segment << "</text><rect x='30' y='" << y + 3
        << "' width='" << w << "' height='" << row - 6 << "' fill='" << colour(p.segment) << "'/><text x='" << 36 + w
        << "' y='" << y + 15 << "' font-size='11'>" << fixed(p.mean_clv, 2) << "</text>";
  }
  return svg.str() + "</svg>";
}

std::string segment_table(const std::vector<SegmentProfile>& profiles, const std::vector<std::string>& features) {
  std::ostringstream html;
  html << "<table><tr><th>segment</th><th>name</th><th>customers</th><th>share</th><th>revenue share</th>"
          "<th>mean CLV</th><th>churn risk</th>";
  for (const std::string& f : features) html << "<th>" << escaped(f) << "</th>";
  html << "<th>suggested action</th></tr>";
  for (const SegmentProfile& p : profiles) {
    html << "<tr><td style='border-left:6px solid " << colour(p.segment) << "'>" << p.segment << "</td><td>"
         << escaped(p.name) << "</td><td>" << p.customers << "</td><td>" << fixed(100 * p.share, 1) << "%</td><td>"
         << fixed(100 * p.revenue_share, 1) << "%</td><td>" << fixed(p.mean_clv, 2) << "</td><td>"
         << fixed(p.churn_risk, 3) << "</td>";
    for (double v : p.mean) html << "<td>" << fixed(v, 2) << "</td>";
    html << "<td>" << escaped(p.action) << "</td></tr>";
  }
  return html.str() + "</table>";
}

}  // namespace

void write_report_html(const std::string& path, const std::vector<SegmentProfile>& profiles,
                       const std::vector<std::string>& features,
                       const std::vector<std::pair<std::string, std::string>>& facts) {
  std::ofstream out(path);
  if (!out) throw IoError(path + ": cannot create (directory not writable or disk full?)");
  out << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>kseg segments</title><style>"
         "body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;font-size:13px}"
         "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:nth-child(2),td:last-child{text-align:left}"
         "h1{font-size:22px}h2{font-size:17px;margin-top:28px}.facts td{text-align:left}</style></head><body>"
         "<h1>Customer segments</h1><table class='facts'>";
  for (const auto& [label, value] : facts) out << "<tr><td>" << escaped(label) << "</td><td>" << escaped(value) << "</td></tr>";
  out << "</table><h2>Segments</h2>" << segment_table(profiles, features)
      << "<h2>Share of customers (solid) and of revenue (light)</h2>" << shares_chart(profiles)
      << "<h2>Feature profile against the population (bars: segment mean − population mean, in spreads)</h2>"
      << profile_chart(profiles, features) << clv_chart(profiles) << "</body></html>\n";
  out.close();
  if (!out) throw IoError(path + ": cannot write (disk full?)");
}

}  // namespace kseg
