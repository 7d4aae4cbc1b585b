// report.json and the segments CSV from a hand-built RunReport: every optional part written when
// present and absent otherwise, well-formed JSON, rectangular CSV, and no "nan" or "inf" anywhere
// (the minimal and degenerate reports check report.html's share of that too).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <string>
#include <vector>

#include "tests/support/report_fixture.hpp"

namespace kseg {
namespace {

using namespace kseg::testing;

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
