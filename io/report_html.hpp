#pragma once

#include <string>
#include <utility>
#include <vector>

#include "cluster/segment_profiles.hpp"

namespace kseg {

/// `report.html`: one self-contained page (no network, no scripts) with the segment table and
/// SVG charts: sizes and revenue shares, each segment's feature profile against the population,
/// and mean CLV by segment when CLV exists. `facts` are label/value lines for the header.
void write_report_html(const std::string& path, const std::vector<SegmentProfile>& profiles,
                       const std::vector<std::string>& features,
                       const std::vector<std::pair<std::string, std::string>>& facts);

}  // namespace kseg
