#include "io/report_files.hpp"

#include <fstream>

#include "common/errors.hpp"

namespace kseg {
namespace {

std::string csv_field(const std::string& s) {  // RFC 4180: quoted, inner quotes doubled
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
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

}  // namespace

void write_report_json(const std::string& path, const std::vector<SegmentProfile>& profiles,
                       const std::vector<std::string>& features, JsonObject facts) {
  std::vector<JsonObject> segments;
  for (const SegmentProfile& p : profiles) {
    JsonObject mean, median;
    for (std::size_t j = 0; j < features.size(); ++j) mean.add(features[j], p.mean[j]), median.add(features[j], p.median[j]);
    JsonObject segment;
    segment.add("segment", p.segment).add("name", p.name).add("action", p.action).add("customers", p.customers)
        .add("share", p.share).add("revenue", p.revenue).add("revenue_share", p.revenue_share)
        .add("rfm_scores", std::vector<int64_t>{p.r_score, p.f_score, p.m_score}).add("mean_clv", p.mean_clv)
        .add("total_clv", p.total_clv).add("mean_p_alive", p.mean_p_alive).add("churn_risk", p.churn_risk)
        .add("mean", mean).add("median", median);
    segments.push_back(segment);
  }
  std::ofstream out = open_for_write(path);
  out << facts.add("segments", segments).str() << "\n";
  close_checked(out, path);
}

void write_segments_csv(const std::string& path, const std::vector<SegmentProfile>& profiles,
                        const std::vector<std::string>& features) {
  std::ofstream out = open_for_write(path);
  out << "segment,name,action,customers,share,revenue,revenue_share,r_score,f_score,m_score,mean_clv,total_clv,"
         "mean_p_alive,churn_risk";
  for (const std::string& f : features) out << ",mean_" << f;
  for (const std::string& f : features) out << ",median_" << f;
  out << "\n";
  for (const SegmentProfile& p : profiles) {
    out << p.segment << "," << csv_field(p.name) << "," << csv_field(p.action) << "," << p.customers << ","
        << json_number(p.share) << "," << json_number(p.revenue) << "," << json_number(p.revenue_share) << "," << p.r_score << ","
        << p.f_score << "," << p.m_score << "," << json_number(p.mean_clv) << "," << json_number(p.total_clv) << ","
        << json_number(p.mean_p_alive) << "," << json_number(p.churn_risk);
    for (double v : p.mean) out << "," << json_number(v);
    for (double v : p.median) out << "," << json_number(v);
    out << "\n";
  }
  close_checked(out, path);
}

}  // namespace kseg
