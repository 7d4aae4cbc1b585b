#include "io/report_files.hpp"

#include <charconv>
#include <cmath>
#include <fstream>

#include "common/errors.hpp"

namespace kseg {
namespace {

std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  char text[32];
  return std::string(text, std::to_chars(text, text + sizeof text, v).ptr);
}

std::string csv_field(const std::string& s) {  // RFC 4180: quoted, inner quotes doubled
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
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
                       const std::vector<std::string>& features,
                       const std::vector<std::pair<std::string, std::string>>& facts) {
  std::ofstream out = open_for_write(path);
  out << "{\n";
  for (const auto& [key, value] : facts) out << "  " << json_string(key) << ": " << value << ",\n";
  out << "  \"segments\": [\n";
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    const SegmentProfile& p = profiles[i];
    out << "    {\"segment\": " << p.segment << ", \"name\": " << json_string(p.name) << ", \"action\": "
        << json_string(p.action) << ", \"customers\": " << p.customers << ", \"share\": " << number(p.share)
        << ", \"revenue\": " << number(p.revenue) << ", \"revenue_share\": " << number(p.revenue_share)
        << ", \"rfm_scores\": [" << p.r_score << ", " << p.f_score << ", " << p.m_score << "]"
        << ", \"mean_clv\": " << number(p.mean_clv) << ", \"total_clv\": " << number(p.total_clv)
        << ", \"mean_p_alive\": " << number(p.mean_p_alive) << ", \"churn_risk\": " << number(p.churn_risk)
        << ", \"mean\": {";
    for (std::size_t j = 0; j < features.size(); ++j)
      out << (j ? ", " : "") << json_string(features[j]) << ": " << number(p.mean[j]);
    out << "}, \"median\": {";
    for (std::size_t j = 0; j < features.size(); ++j)
      out << (j ? ", " : "") << json_string(features[j]) << ": " << number(p.median[j]);
    out << "}}" << (i + 1 < profiles.size() ? "," : "") << "\n";
  }
  out << "  ]\n}\n";
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
        << number(p.share) << "," << number(p.revenue) << "," << number(p.revenue_share) << "," << p.r_score << ","
        << p.f_score << "," << p.m_score << "," << number(p.mean_clv) << "," << number(p.total_clv) << ","
        << number(p.mean_p_alive) << "," << number(p.churn_risk);
    for (double v : p.mean) out << "," << number(v);
    for (double v : p.median) out << "," << number(v);
    out << "\n";
  }
  close_checked(out, path);
}

}  // namespace kseg
