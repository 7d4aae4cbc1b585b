#pragma once

#include <string>

#include "io/run_report.hpp"

namespace kseg {

/// One JSON object per k of a sweep (k, inertia, Calinski-Harabasz, Davies-Bouldin, silhouette
/// with its standard error and sample): report.json's select_k and `kseg select-k --json`.
std::vector<JsonObject> sweep_json(const std::vector<FitQuality>& sweep);

/// `report.json`: `report.facts` plus every segment's profile, name, action, CLV quantiles,
/// retention and attribute profile, and (when present) the attribute match count, the k sweep
/// and the comparison with last quarter (one process).
void write_report_json(const std::string& path, const RunReport& report);

/// `segments.csv`: one row per segment, for spreadsheets and pandas.read_csv (RFC 4180; every row
/// has the header's fields, empty where a value is unknown).
void write_segments_csv(const std::string& path, const RunReport& report);

}  // namespace kseg
