// The report writers (report.json, segments CSV, report.html) from a hand-built RunReport: every
// optional part written when present and absent otherwise, well-formed JSON, rectangular CSV, and
// an HTML page with one flow band per migration cell and no "nan" or "inf" anywhere.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "io/report_files.hpp"
#include "io/report_html.hpp"
#include "io/run_report.hpp"

namespace kseg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- a minimal JSON grammar check (RFC 8259, recursive descent) ----

class JsonChecker {
 public:
  explicit JsonChecker(const std::string& text) : s_(text) {}
  /// True when the whole text is one JSON value (surrounding whitespace allowed).
  bool valid() {
    pos_ = 0;
    if (!value()) return false;
    space();
    return pos_ == s_.size();
  }
  std::size_t where() const { return pos_; }

 private:
  void space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool eat(char c) {
    space();
    if (pos_ < s_.size() && s_[pos_] == c) return ++pos_, true;
    return false;
  }
  bool literal(const char* word) {
    const std::string w(word);
    if (s_.compare(pos_, w.size(), w) != 0) return false;
    pos_ += w.size();
    return true;
  }
  bool value() {
    space();
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '{') return object();
    if (c == '[') return array();
    if (c == '"') return string();
    if (c == 't') return literal("true");
    if (c == 'f') return literal("false");
    if (c == 'n') return literal("null");
    return number();
  }
  bool object() {
    ++pos_;
    if (eat('}')) return true;
    do {
      space();
      if (!string() || !eat(':') || !value()) return false;
    } while (eat(','));
    return eat('}');
  }
  bool array() {
    ++pos_;
    if (eat(']')) return true;
    do {
      if (!value()) return false;
    } while (eat(','));
    return eat(']');
  }
  bool string() {
    if (pos_ >= s_.size() || s_[pos_] != '"') return false;
    for (++pos_; pos_ < s_.size(); ++pos_) {
      const unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') return ++pos_, true;
      if (c < 0x20) return false;
      if (c == '\\' && ++pos_ < s_.size() && std::string("\"\\/bfnrtu").find(s_[pos_]) == std::string::npos) return false;
    }
    return false;
  }
  bool digits() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    return pos_ > start;
  }
  bool number() {
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    if (!digits()) return false;
    if (pos_ < s_.size() && s_[pos_] == '.' && (++pos_, !digits())) return false;
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digits()) return false;
    }
    return true;
  }
  const std::string& s_;
  std::size_t pos_ = 0;
};

// ---- RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks ----

using CsvRecords = std::vector<std::vector<std::string>>;

CsvRecords csv_records(const std::string& text) {
  CsvRecords records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(field), field.clear();
    } else if (c == '\n') {
      record.push_back(field), field.clear();
      records.push_back(record), record.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quoted field";
  EXPECT_TRUE(field.empty() && record.empty()) << "the last record has no line break";
  return records;
}

bool has_column(const CsvRecords& rows, const std::string& name) {
  return !rows.empty() && std::find(rows[0].begin(), rows[0].end(), name) != rows[0].end();
}

/// Row r's field in the column named `name` (rows[0] is the header); a marker when there is none.
std::string field(const CsvRecords& rows, std::size_t r, const std::string& name) {
  if (!has_column(rows, name)) return "<no column " + name + ">";
  const std::size_t c = static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), name) - rows[0].begin());
  return r < rows.size() && c < rows[r].size() ? rows[r][c] : "<no field " + name + ">";
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

/// The SVG element whose opening tag holds `marker`, through its closing tag.
std::string svg_with(const std::string& html, const std::string& marker) {
  const std::size_t at = html.find(marker);
  if (at == std::string::npos) return "";
  const std::size_t start = html.rfind("<svg", at), end = html.find("</svg>", at);
  return html.substr(start, end - start);
}

/// "nan", "inf" (any case, as a word: not inside "Financial" or "influencers").
bool has_non_finite_text(const std::string& text) {
  static const std::regex word("(^|[^A-Za-z])(nan|inf|infinity)([^A-Za-z]|$)", std::regex::icase);
  return std::regex_search(text, word);
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

SegmentProfile profile(int id, const std::string& name, int64_t customers, double share) {
  SegmentProfile p;
  p.segment = id, p.name = name, p.action = "Reward them, \"personally\"", p.customers = customers, p.share = share;
  p.mean = {12.5, 3.25}, p.median = {11, 3};
  p.r_score = 4, p.f_score = 3, p.m_score = 5;
  p.revenue = 1000.0 * share, p.revenue_share = share;
  return p;
}

/// Only what every run has: segments and their features.
RunReport minimal_report() {
  RunReport r;
  r.facts.add("input", "q2.h5").add("customers", int64_t{100}).add("k", 3);
  r.headline = {{"input", "q2.h5"}, {"customers", "100"}};
  r.features = {"recency_days", "frequency"};
  r.profiles = {profile(0, "Champions, \"VIP\"", 50, 0.5), profile(1, "Can't Lose Them", 30, 0.3),
                profile(3, "Financial newcomers", 20, 0.2)};
  return r;
}

/// Every optional part: CLV quantiles, retention, attributes with acquisition cost, a k sweep and
/// a comparison with one new segment (id 3), one vanished (id 2) and a 4 × 4 migration matrix.
RunReport full_report() {
  RunReport r = minimal_report();
  for (std::size_t s = 0; s < 3; ++s) {
    SegmentProfile& p = r.profiles[s];
    const double base = 100.0 * static_cast<double>(3 - s);
    p.mean_clv = base * 1.1, p.total_clv = p.mean_clv * static_cast<double>(p.customers);
    p.mean_p_alive = 0.8, p.churn_risk = 0.2;
    p.clv_quantiles = {0.1 * base, 0.5 * base, base, 1.5 * base, 2.5 * base};
    p.retention = s == 2 ? -1 : 0.75;
  }
  AttributeProfiles a;
  a.matched_customers = 97;
  a.attributes.push_back({"age", {}, {50, 30, 0}, {41.5, 36.25, kNaN}, {}});
  a.attributes.push_back({"region", {"north", "south, east"}, {48, 30, 19}, {}, {{0.5, 0.5}, {0.25, 0.75}, {1, 0}}});
  a.attributes.push_back({"acquisition_cost", {}, {50, 30, 19}, {20, 40, 10}, {}});
  a.mean_acquisition_cost = {20, 40, 10};
  a.clv_per_cac = {16.5, 5.5, kNaN};
  r.attributes = a;
  r.sweep = {{2, 900.0, 150.0, 0.9, 0.40, 0.02, 100}, {3, 500.0, 210.0, 0.7, 0.55, 0.015, 100},
             {4, 420.0, 190.0, 0.8, 0.50, 0.018, 100}};
  r.recommended_k = 3;
  QuarterComparison c;
  c.previous_path = "q1.h5";
  c.match.previous_ids = {0, 1, 2};
  c.match.previous_names = {"Champions", "At Risk", "Hibernating"};
  c.match.previous_row = {0, 1, -1};
  c.match.paired_row = {0, 1, 2};
  c.match.distance = {0.12, 0.4, 1.7};
  c.match.ids = {0, 1, 3};
  c.match.vanished = {2};
  c.migration.from = {0, 1, 2, -1};
  c.migration.to = {0, 1, 3, -1};
  c.migration.customers = {40, 5, 0, 3,  //
                           2, 20, 4, 1,  //
                           0, 3, 9, 6,   //
                           8, 2, 7, 0};
  for (int64_t n : c.migration.customers) c.migration.revenue.push_back(12.5 * static_cast<double>(n));
  c.drift.psi = 0.3125;
  c.drift.changed_share = 0.25;
  c.drift.centroid_shift = {0.12, 0.4, kNaN};
  c.drift.warnings = {"segment shares moved: PSI 0.31 > 0.25"};
  r.comparison = c;
  return r;
}

struct WrittenReport {
  std::string json, csv, html;
};

class ReportWriters : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kseg-report-" + std::to_string(getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  WrittenReport write(const RunReport& report) {
    write_report_json((dir_ / "report.json").string(), report);
    write_segments_csv((dir_ / "segments.csv").string(), report);
    write_report_html((dir_ / "report.html").string(), report);
    return {slurp(dir_ / "report.json"), slurp(dir_ / "segments.csv"), slurp(dir_ / "report.html")};
  }

  std::filesystem::path dir_;
};

const char* const kOptionalHeadings[] = {"<h2>CLV distribution by segment</h2>", "<h2>Choosing k</h2>",
                                         "<h2>Customer attributes</h2>", "<h2>Since last quarter</h2>"};

TEST_F(ReportWriters, FullReportJsonHasEveryPart) {
  const std::string json = write(full_report()).json;
  JsonChecker check(json);
  ASSERT_TRUE(check.valid()) << "malformed JSON near offset " << check.where() << ": " << json;
  for (const char* expected : {
           "\"input\":\"q2.h5\"", "\"segments\":[", "\"retention\":0.75", "\"retention\":null",
           "\"clv_quantiles\":{\"p05\":30,\"p25\":150,\"p50\":300,\"p75\":450,\"p95\":750}",
           "\"mean_acquisition_cost\":20", "\"clv_per_cac\":16.5", "\"clv_per_cac\":null",
           "\"attributes\":{\"age\":41.5,\"region\":{\"north\":0.5,\"south, east\":0.5},\"acquisition_cost\":20}",
           "\"attributes_matched_customers\":97", "\"select_k\":{\"recommended_k\":3",
           "\"rule\":\"highest mean silhouette (ties: smaller k)\"",
           "{\"k\":2,\"inertia\":900,\"calinski_harabasz\":150,\"davies_bouldin\":0.9,\"silhouette\":0.4,"
           "\"silhouette_stderr\":0.02,\"silhouette_sample\":100}",
           "\"comparison\":{\"previous\":\"q1.h5\"",
           "{\"segment\":0,\"previous_segment\":0,\"previous_name\":\"Champions\",\"distance\":0.12,\"status\":\"matched\"}",
           "{\"segment\":3,\"previous_segment\":null,\"previous_name\":null,\"distance\":1.7,\"status\":\"new segment\"}",
           "\"vanished_segments\":[2]", "\"from\":[0,1,2,-1]", "\"to\":[0,1,3,-1]",
           "\"customers\":[[40,5,0,3],[2,20,4,1],[0,3,9,6],[8,2,7,0]]", "\"revenue\":[[500,62.5,0,37.5],",
           "\"drift\":{\"psi\":0.3125,\"changed_share\":0.25,\"centroid_shift\":[0.12,0.4,null],"
           "\"warnings\":[\"segment shares moved: PSI 0.31 > 0.25\"]}"})
    EXPECT_NE(json.find(expected), std::string::npos) << "missing " << expected << " in " << json;
  EXPECT_EQ(occurrences(json, "\"clv_quantiles\""), 3u);
  EXPECT_FALSE(has_non_finite_text(json));
}

TEST_F(ReportWriters, FullReportCsvIsRectangularWithEveryColumn) {
  const CsvRecords rows = csv_records(write(full_report()).csv);
  ASSERT_EQ(rows.size(), 4u) << "a header and one row per segment";
  const std::vector<std::string>& header = rows[0];
  for (std::size_t r = 1; r < rows.size(); ++r) EXPECT_EQ(rows[r].size(), header.size()) << "row " << r;
  for (const char* name : {"segment", "name", "action", "mean_recency_days", "median_frequency", "retention", "clv_p05",
                           "clv_p25", "clv_p50", "clv_p75", "clv_p95", "mean_acquisition_cost", "clv_per_cac",
                           "mean_age", "share_region_north", "share_region_south, east", "status", "previous_name",
                           "match_distance", "centroid_shift"})
    EXPECT_TRUE(has_column(rows, name)) << "no column " << name;
  for (std::size_t a = 0; a < header.size(); ++a)
    for (std::size_t b = a + 1; b < header.size(); ++b) EXPECT_NE(header[a], header[b]) << "duplicate column";
  EXPECT_EQ(field(rows, 1, "name"), "Champions, \"VIP\"");
  EXPECT_EQ(field(rows, 1, "clv_p50"), "300");
  EXPECT_EQ(field(rows, 1, "status"), "matched");
  EXPECT_EQ(field(rows, 2, "previous_name"), "At Risk");
  EXPECT_EQ(field(rows, 2, "mean_age"), "36.25");
  EXPECT_EQ(field(rows, 2, "share_region_south, east"), "0.75");
  EXPECT_EQ(field(rows, 3, "status"), "new segment");
  EXPECT_EQ(field(rows, 3, "match_distance"), "1.7") << "a new segment's distance to its closest counterpart";
  for (const char* unknown : {"previous_name", "centroid_shift", "retention", "clv_per_cac", "mean_age"})
    EXPECT_EQ(field(rows, 3, unknown), "") << unknown << " of the new segment is unknown";
  for (const std::vector<std::string>& row : rows)
    for (const std::string& field : row) EXPECT_FALSE(field == "null" || has_non_finite_text(field)) << field;
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

TEST_F(ReportWriters, MinimalReportHasNoOptionalParts) {
  const WrittenReport written = write(minimal_report());
  JsonChecker check(written.json);
  ASSERT_TRUE(check.valid()) << "malformed JSON near offset " << check.where() << ": " << written.json;
  EXPECT_EQ(occurrences(written.json, "\"segment\":"), 3u);
  EXPECT_EQ(occurrences(written.json, "\"retention\":null"), 3u);
  for (const char* absent : {"clv_quantiles", "mean_acquisition_cost", "clv_per_cac", "\"attributes", "select_k",
                             "comparison", "drift", "migration"})
    EXPECT_EQ(written.json.find(absent), std::string::npos) << absent;

  const CsvRecords rows = csv_records(written.csv);
  ASSERT_EQ(rows.size(), 4u);
  for (const std::vector<std::string>& row : rows) EXPECT_EQ(row.size(), rows[0].size());
  EXPECT_EQ(field(rows, 1, "retention"), "");
  for (const char* absent : {"clv_p50", "mean_acquisition_cost", "clv_per_cac", "status", "previous_name",
                             "match_distance", "centroid_shift"})
    EXPECT_EQ(written.csv.find(absent), std::string::npos) << absent;

  for (const char* heading : kOptionalHeadings) EXPECT_EQ(written.html.find(heading), std::string::npos) << heading;
  for (const char* absent : {"clv-box-plot", "line-chart", "recommended-k", "stacked-bars", "flow-chart", "<div class='warnings'>",
                             "<th>retention</th>", "<th>CLV/CAC</th>", "Mean CLV by segment"})
    EXPECT_EQ(written.html.find(absent), std::string::npos) << absent;
  EXPECT_NE(written.html.find("<h2>Segments</h2>"), std::string::npos);
  EXPECT_FALSE(has_non_finite_text(written.html));
}

TEST_F(ReportWriters, DegenerateInputsShowNoNonFiniteText) {
  RunReport report = full_report();
  report.sweep = {{5, kNaN, 0, kNaN, 0.3, kNaN, 0}};  // one k, unknown metrics
  report.recommended_k = 5;
  report.profiles[1].clv_quantiles = {kNaN, kNaN, kNaN, kNaN, kNaN};
  report.profiles[2].mean_clv = kNaN;
  report.attributes->attributes[1].known = {0, 0, 0};
  report.comparison->migration.customers.assign(16, 0);
  report.comparison->drift.psi = kNaN;
  const WrittenReport written = write(report);
  EXPECT_TRUE(JsonChecker(written.json).valid()) << written.json;
  EXPECT_NE(written.json.find("\"psi\":null"), std::string::npos);
  EXPECT_FALSE(has_non_finite_text(written.json));
  EXPECT_FALSE(has_non_finite_text(written.csv));
  const CsvRecords rows = csv_records(written.csv);
  for (const std::vector<std::string>& row : rows) EXPECT_EQ(row.size(), rows[0].size());
  EXPECT_FALSE(has_non_finite_text(written.html));
  EXPECT_NE(written.html.find("recommended k = 5"), std::string::npos);
  EXPECT_EQ(written.html.find("flow-chart"), std::string::npos) << "no flows to draw";
  EXPECT_NE(written.html.find("<table class='migration'>"), std::string::npos);
}

TEST_F(ReportWriters, JsonCheckerRejectsMalformedText) {
  for (const char* bad : {"{", "{\"a\":}", "{\"a\":1,}", "[1,2", "{\"a\":nan}", "{\"a\" 1}", "\"open"}) {
    const std::string text(bad);
    EXPECT_FALSE(JsonChecker(text).valid()) << bad;
  }
  const std::string good = "{\"a\":[1,-2.5e3,null,true,\"x\\\"y\"],\"b\":{}}";
  EXPECT_TRUE(JsonChecker(good).valid());
}

}  // namespace
}  // namespace kseg
