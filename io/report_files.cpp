#include "io/report_files.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>

#include "common/errors.hpp"
#include "io/detail/csv_field.hpp"
#include "io/report_rfm.hpp"
#include "io/report_validation.hpp"

namespace kseg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double at(const std::vector<double>& values, std::size_t i) { return i < values.size() ? values[i] : kNaN; }

/// "p05" for 0.05: the key (JSON) and column suffix (CSV) of a CLV quantile.
std::string quantile_key(double q) {
  const long percent = std::lround(100 * q);
  return (percent < 10 ? "p0" : "p") + std::to_string(percent);
}

bool has_clv_quantiles(const RunReport& r) {
  return std::any_of(r.profiles.begin(), r.profiles.end(), [](const SegmentProfile& p) { return !p.clv_quantiles.empty(); });
}

/// The `acquisition_cost` column: its per-segment mean is already `mean_acquisition_cost`.
bool is_cost_attribute(const AttributeSummary& a) { return a.name == "acquisition_cost" && a.labels.empty(); }

/// Segment row `s` of a comparison: its match's row in last quarter's model, −1 for a new segment.
int previous_row(const QuarterComparison& c, std::size_t s) {
  const int row = s < c.match.previous_row.size() ? c.match.previous_row[s] : -1;
  return row >= 0 && static_cast<std::size_t>(row) < c.match.previous_names.size() ? row : -1;
}

std::ofstream open_for_write(const std::string& path) {
  std::ofstream out(path);
  if (!out) throw IoError(path + ": cannot create (directory not writable or disk full?)");
  return out;
}

void close_checked(std::ofstream& out, const std::string& path) {
  out.close();
  if (!out) throw IoError(path + ": cannot write (disk full?)");
}

// ---- report.json ----

JsonObject clv_quantiles_json(const SegmentProfile& p) {
  JsonObject quantiles;
  for (std::size_t q = 0; q < std::size(kClvQuantiles); ++q)
    quantiles.add(quantile_key(kClvQuantiles[q]), at(p.clv_quantiles, q));
  return quantiles;
}

/// {name: mean} for a quantity, {name: {label: share}} for a categorical attribute.
JsonObject attributes_json(const AttributeProfiles& a, std::size_t s) {
  JsonObject values;
  for (const AttributeSummary& attribute : a.attributes) {
    if (attribute.labels.empty()) {
      values.add(attribute.name, at(attribute.mean, s));
      continue;
    }
    JsonObject shares;
    for (std::size_t l = 0; l < attribute.labels.size(); ++l)
      shares.add(attribute.labels[l], s < attribute.share.size() ? at(attribute.share[s], l) : kNaN);
    values.add(attribute.name, shares);
  }
  return values;
}

JsonObject attributes_known_json(const AttributeProfiles& a, std::size_t s) {
  JsonObject known;
  for (const AttributeSummary& attribute : a.attributes)
    known.add(attribute.name, s < attribute.known.size() ? attribute.known[s] : int64_t{0});
  return known;
}

JsonObject segment_json(const RunReport& r, std::size_t s) {
  const SegmentProfile& p = r.profiles[s];
  JsonObject mean, median;
  for (std::size_t j = 0; j < r.features.size(); ++j) mean.add(r.features[j], at(p.mean, j)), median.add(r.features[j], at(p.median, j));
  JsonObject segment;
  segment.add("segment", p.segment).add("name", p.name).add("action", p.action).add("customers", p.customers)
      .add("share", p.share).add("revenue", p.revenue).add("revenue_share", p.revenue_share)
      .add("rfm_scores", std::vector<int64_t>{p.r_score, p.f_score, p.m_score}).add("mean_clv", p.mean_clv)
      .add("total_clv", p.total_clv).add("mean_p_alive", p.mean_p_alive).add("churn_risk", p.churn_risk)
      .add("mean", mean).add("median", median).add("retention", p.retention < 0 ? kNaN : p.retention);
  if (!p.clv_quantiles.empty())
    segment.add("clv_quantiles", clv_quantiles_json(p)).add("customers_without_clv", p.without_clv);
  if (r.stability)
    segment.add("stability", r.stability->jaccard[s]).add("stability_reading", stability_reading(r.stability->jaccard[s]));
  if (r.attributes)
    segment.add("mean_acquisition_cost", at(r.attributes->mean_acquisition_cost, s))
        .add("clv_per_cac", at(r.attributes->clv_per_cac, s))
        .add("nps", r.attributes->nps ? at(r.attributes->nps->score, s) : kNaN)
        .add("nps_respondents", r.attributes->nps ? r.attributes->nps->respondents[s] : int64_t{0})
        .add("attributes", attributes_json(*r.attributes, s))
        .add("attributes_known", attributes_known_json(*r.attributes, s));
  return segment;
}

JsonObject select_k_json(const RunReport& r) {
  return JsonObject().add("recommended_k", r.recommended_k).add("rule", kRecommendedKRule).add("sweep", sweep_json(r.sweep));
}

JsonObject match_json(const RunReport& r, const QuarterComparison& c, std::size_t s) {
  const int row = previous_row(c, s);
  JsonObject match;
  match.add("segment", r.profiles[s].segment);
  if (row >= 0 && static_cast<std::size_t>(row) < c.match.previous_ids.size()) match.add("previous_segment", c.match.previous_ids[row]);
  else match.add("previous_segment", nullptr);
  if (row >= 0) match.add("previous_name", c.match.previous_names[row]);
  else match.add("previous_name", nullptr);
  return match.add("distance", at(c.match.distance, s)).add("status", row >= 0 ? "matched" : "new segment");
}

/// A row-major `from.size() × to.size()` matrix as its rows (missing cells: T{}).
template <typename T>
std::vector<std::vector<T>> matrix_rows(const std::vector<T>& cells, std::size_t rows, std::size_t cols) {
  std::vector<std::vector<T>> out(rows, std::vector<T>(cols, T{}));
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols && i * cols + j < cells.size(); ++j) out[i][j] = cells[i * cols + j];
  return out;
}

JsonObject comparison_json(const RunReport& r, const QuarterComparison& c) {
  std::vector<JsonObject> segments;
  for (std::size_t s = 0; s < r.profiles.size(); ++s) segments.push_back(match_json(r, c, s));
  const MigrationMatrix& m = c.migration;
  JsonObject migration;
  migration.add("from", m.from).add("to", m.to)
      .add("customers", matrix_rows(m.customers, m.from.size(), m.to.size()))
      .add("revenue", matrix_rows(m.revenue, m.from.size(), m.to.size()));
  JsonObject drift;
  drift.add("psi", c.drift.psi).add("changed_share", c.drift.changed_share)
      .add("centroid_shift", c.drift.centroid_shift).add("warnings", c.drift.warnings);
  return JsonObject()
      .add("previous", c.previous_path)
      .add("segments", segments)
      .add("vanished_segments", c.match.vanished)
      .add("migration", migration)
      .add("drift", drift);
}

// ---- segments.csv ----

using detail::csv_field;

/// A header field: quoted only where a name needs it, so plain headers stay plain.
std::string csv_name(const std::string& s) {
  return s.find_first_of(",\"\r\n") == std::string::npos ? s : csv_field(s);
}

std::string csv_number(double v) { return std::isfinite(v) ? json_number(v) : ""; }

/// One column of the CSV: its header and its field in segment row s.
struct CsvColumn {
  std::string header;
  std::function<std::string(std::size_t)> field;
};

class CsvColumns {
 public:
  /// Adds a column; a header already taken gets a suffix ("_2", "_3", …), so pandas reads every column.
  void add(std::string header, std::function<std::string(std::size_t)> field) {
    const std::string base = header;
    for (int n = 2; taken(header); ++n) header = base + "_" + std::to_string(n);
    columns_.push_back({std::move(header), std::move(field)});
  }
  void number(const std::string& header, std::function<double(std::size_t)> value) {
    add(header, [value](std::size_t s) { return csv_number(value(s)); });
  }
  void write(std::ostream& out, std::size_t rows) const {
    for (std::size_t c = 0; c < columns_.size(); ++c) out << (c ? "," : "") << csv_name(columns_[c].header);
    out << "\n";
    for (std::size_t s = 0; s < rows; ++s) {
      for (std::size_t c = 0; c < columns_.size(); ++c) out << (c ? "," : "") << columns_[c].field(s);
      out << "\n";
    }
  }

 private:
  bool taken(const std::string& header) const {
    return std::any_of(columns_.begin(), columns_.end(), [&](const CsvColumn& c) { return c.header == header; });
  }
  std::vector<CsvColumn> columns_;
};

void profile_columns(const RunReport& r, CsvColumns& csv) {
  const SegmentProfile* p = r.profiles.data();  // captured by value: the columns outlive this function
  csv.add("segment", [p](std::size_t s) { return std::to_string(p[s].segment); });
  csv.add("name", [p](std::size_t s) { return csv_field(p[s].name); });
  csv.add("action", [p](std::size_t s) { return csv_field(p[s].action); });
  csv.add("customers", [p](std::size_t s) { return std::to_string(p[s].customers); });
  csv.number("share", [p](std::size_t s) { return p[s].share; });
  csv.number("revenue", [p](std::size_t s) { return p[s].revenue; });
  csv.number("revenue_share", [p](std::size_t s) { return p[s].revenue_share; });
  csv.add("r_score", [p](std::size_t s) { return std::to_string(p[s].r_score); });
  csv.add("f_score", [p](std::size_t s) { return std::to_string(p[s].f_score); });
  csv.add("m_score", [p](std::size_t s) { return std::to_string(p[s].m_score); });
  csv.number("mean_clv", [p](std::size_t s) { return p[s].mean_clv; });
  csv.number("total_clv", [p](std::size_t s) { return p[s].total_clv; });
  csv.number("mean_p_alive", [p](std::size_t s) { return p[s].mean_p_alive; });
  csv.number("churn_risk", [p](std::size_t s) { return p[s].churn_risk; });
  for (std::size_t j = 0; j < r.features.size(); ++j)
    csv.number("mean_" + r.features[j], [p, j](std::size_t s) { return at(p[s].mean, j); });
  for (std::size_t j = 0; j < r.features.size(); ++j)
    csv.number("median_" + r.features[j], [p, j](std::size_t s) { return at(p[s].median, j); });
  csv.number("retention", [p](std::size_t s) { return p[s].retention < 0 ? kNaN : p[s].retention; });
  if (r.stability) csv.number("stability", [j = &r.stability->jaccard](std::size_t s) { return (*j)[s]; });
  if (!has_clv_quantiles(r)) return;
  csv.add("customers_without_clv", [p](std::size_t s) { return std::to_string(p[s].without_clv); });
  for (std::size_t q = 0; q < std::size(kClvQuantiles); ++q)
    csv.number("clv_" + quantile_key(kClvQuantiles[q]), [p, q](std::size_t s) { return at(p[s].clv_quantiles, q); });
}

void attribute_columns(const AttributeProfiles& attributes, CsvColumns& csv) {
  const AttributeProfiles* a = &attributes;
  csv.number("mean_acquisition_cost", [a](std::size_t s) { return at(a->mean_acquisition_cost, s); });
  csv.number("clv_per_cac", [a](std::size_t s) { return at(a->clv_per_cac, s); });
  if (a->nps) {
    csv.number("nps", [a](std::size_t s) { return at(a->nps->score, s); });
    csv.add("nps_respondents", [a](std::size_t s) { return std::to_string(a->nps->respondents[s]); });
  }
  for (const AttributeSummary& attribute : a->attributes) {
    if (attribute.labels.empty() && !is_cost_attribute(attribute))
      csv.number("mean_" + attribute.name, [mean = &attribute.mean](std::size_t s) { return at(*mean, s); });
    for (std::size_t l = 0; l < attribute.labels.size(); ++l)
      csv.number("share_" + attribute.name + "_" + attribute.labels[l], [share = &attribute.share, l](std::size_t s) {
        return s < share->size() ? at((*share)[s], l) : kNaN;
      });
  }
}

void comparison_columns(const QuarterComparison& comparison, CsvColumns& csv) {
  const QuarterComparison* c = &comparison;
  csv.add("status", [c](std::size_t s) { return std::string(previous_row(*c, s) >= 0 ? "matched" : "new segment"); });
  csv.add("previous_name", [c](std::size_t s) {
    const int row = previous_row(*c, s);
    return row >= 0 ? csv_field(c->match.previous_names[row]) : std::string();
  });
  csv.number("match_distance", [c](std::size_t s) { return at(c->match.distance, s); });
  csv.number("centroid_shift", [c](std::size_t s) { return at(c->drift.centroid_shift, s); });
}

}  // namespace

std::vector<JsonObject> sweep_json(const std::vector<FitQuality>& sweep) {
  std::vector<JsonObject> rows;
  for (const FitQuality& q : sweep)
    rows.push_back(JsonObject()
                       .add("k", q.k).add("inertia", q.inertia).add("calinski_harabasz", q.calinski_harabasz)
                       .add("davies_bouldin", q.davies_bouldin).add("silhouette", q.silhouette)
                       .add("silhouette_stderr", q.silhouette_stderr).add("silhouette_sample", q.silhouette_sample));
  return rows;
}

void write_report_json(const std::string& path, const RunReport& report) {
  std::vector<JsonObject> segments;
  for (std::size_t s = 0; s < report.profiles.size(); ++s) segments.push_back(segment_json(report, s));
  JsonObject json = report.facts;
  json.add("segments", segments);
  if (report.attributes) json.add("attributes_matched_customers", report.attributes->matched_customers);
  if (!report.sweep.empty()) json.add("select_k", select_k_json(report));
  if (report.comparison) json.add("comparison", comparison_json(report, *report.comparison));
  if (report.validation) json.add("validation", validation_json(report, *report.validation));
  if (has_rfm_classes(report)) json.add("rfm_classes", rfm_json(report));
  json.add("warnings", report.warnings);
  std::ofstream out = open_for_write(path);
  out << json.str() << "\n";
  close_checked(out, path);
}

void write_segments_csv(const std::string& path, const RunReport& report) {
  CsvColumns csv;
  profile_columns(report, csv);
  if (report.attributes) attribute_columns(*report.attributes, csv);
  if (report.comparison) comparison_columns(*report.comparison, csv);
  std::ofstream out = open_for_write(path);
  csv.write(out, report.profiles.size());
  close_checked(out, path);
}

}  // namespace kseg
