#pragma once

#include <string>
#include <utility>
#include <vector>

#include "cluster/segment_profiles.hpp"
#include "common/json.hpp"

namespace kseg {

/// `report.json`: the run's facts and every segment's profile, name and action (one process).
void write_report_json(const std::string& path, const std::vector<SegmentProfile>& profiles,
                       const std::vector<std::string>& features, JsonObject facts);

/// `segments.csv`: one row per segment, for spreadsheets and pandas.read_csv.
void write_segments_csv(const std::string& path, const std::vector<SegmentProfile>& profiles,
                        const std::vector<std::string>& features);

}  // namespace kseg
