#pragma once

// The RunReports the report writer tests write (only what every run has; every optional part) and
// the fixture that writes them into a temporary directory and reads them back.

#include <gtest/gtest.h>
#include <unistd.h>

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

namespace kseg::testing {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

/// "nan", "inf" (any case, as a word: not inside "Financial" or "influencers").
inline bool has_non_finite_text(const std::string& text) {
  static const std::regex word("(^|[^A-Za-z])(nan|inf|infinity)([^A-Za-z]|$)", std::regex::icase);
  return std::regex_search(text, word);
}

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline SegmentProfile profile(int id, const std::string& name, int64_t customers, double share) {
  SegmentProfile p;
  p.segment = id, p.name = name, p.action = "Reward them, \"personally\"", p.customers = customers, p.share = share;
  p.mean = {12.5, 3.25}, p.median = {11, 3};
  p.r_score = 4, p.f_score = 3, p.m_score = 5;
  p.revenue = 1000.0 * share, p.revenue_share = share;
  return p;
}

/// Only what every run has: segments and their features.
inline RunReport minimal_report() {
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
inline RunReport full_report() {
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

inline constexpr const char* kOptionalHeadings[] = {"<h2>CLV distribution by segment</h2>", "<h2>Choosing k</h2>",
                                                    "<h2>Customer attributes</h2>", "<h2>Since last quarter</h2>"};

}  // namespace kseg::testing
