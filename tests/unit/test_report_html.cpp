// report.html from a hand-built RunReport: every section present, one flow band per migration
// cell, unknown values as a dash, nothing fetched from the network and no "nan" or "inf" anywhere.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include "tests/support/report_fixture.hpp"

namespace kseg {
namespace {

using namespace kseg::testing;

/// The SVG element whose opening tag holds `marker`, through its closing tag.
std::string svg_with(const std::string& html, const std::string& marker) {
  const std::size_t at = html.find(marker);
  if (at == std::string::npos) return "";
  const std::size_t start = html.rfind("<svg", at), end = html.find("</svg>", at);
  return html.substr(start, end - start);
}

TEST_F(ReportWriters, FullReportHtmlHasEverySection) {
  const RunReport report = full_report();
  const std::string html = write(report).html;
  for (const char* heading : kOptionalHeadings) EXPECT_NE(html.find(heading), std::string::npos) << heading;
  EXPECT_EQ(occurrences(html, "<svg class='line-chart'"), 4u) << "inertia, Calinski-Harabasz, Davies-Bouldin, silhouette";
  EXPECT_EQ(occurrences(html, "class='recommended-k'"), 4u);
  EXPECT_NE(html.find("recommended k = 3"), std::string::npos);
  EXPECT_NE(html.find("<svg class='clv-box-plot'"), std::string::npos);
  EXPECT_EQ(occurrences(html, "<svg class='stacked-bars'"), 1u) << "one categorical attribute";
  EXPECT_NE(html.find("south, east"), std::string::npos) << "the legend names every label";
  EXPECT_NE(html.find("<th>mean age</th>"), std::string::npos);
  EXPECT_NE(html.find("<th>CLV/CAC</th>"), std::string::npos);
  EXPECT_NE(html.find("<th>retention</th>"), std::string::npos);
  EXPECT_EQ(occurrences(html, "<td>75.0%</td>"), 2u) << "retention of segments 0 and 1";
  EXPECT_EQ(occurrences(html, "<td>16.50</td>"), 2u) << "CLV/CAC in the segment and the attribute table";
  EXPECT_NE(html.find("<tr class='new'>"), std::string::npos) << "the new segment is highlighted";
  EXPECT_NE(html.find("<span class='vanished'>2</span>"), std::string::npos);
  EXPECT_NE(html.find("<div class='warnings'>"), std::string::npos);
  EXPECT_NE(html.find("segment shares moved: PSI 0.31 &gt; 0.25"), std::string::npos);
  EXPECT_NE(html.find("0.312"), std::string::npos) << "PSI";
  EXPECT_NE(html.find("new customers"), std::string::npos);
  EXPECT_NE(html.find("gone customers"), std::string::npos);
  EXPECT_NE(html.find("<table class='migration'>"), std::string::npos);

  const std::string flows = svg_with(html, "class='flow-chart'");
  ASSERT_FALSE(flows.empty()) << "no flow chart";
  std::size_t nonzero = 0;
  for (int64_t n : report.comparison->migration.customers) nonzero += n > 0;
  EXPECT_EQ(occurrences(flows, "<path"), nonzero) << "one band per non-zero migration cell";
  EXPECT_EQ(occurrences(flows, "<title>"), nonzero + 8) << "a tooltip on every band and node";

  EXPECT_FALSE(has_non_finite_text(html));
  EXPECT_NE(html.find("—"), std::string::npos) << "unknown values are shown as a dash";
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos) << "nothing fetched from the network";
  EXPECT_NE(html.find("Financial newcomers"), std::string::npos);
  EXPECT_NE(html.find("Champions, &quot;VIP&quot;"), std::string::npos);
}

}  // namespace
}  // namespace kseg
