#pragma once

#include <string>

#include "io/run_report.hpp"

namespace kseg {

/// `report.html`: one self-contained page (no network, no scripts) with the headline, the segment
/// table and SVG charts: sizes and revenue shares, each segment's feature profile against the
/// population, and, each where its data is present: the CLV distribution by segment (box plot),
/// choosing k (the sweep's four metrics over k), customer attributes (quantity means, categorical
/// shares) and the comparison with last quarter (matching, drift, migration matrix and flows).
void write_report_html(const std::string& path, const RunReport& report);

}  // namespace kseg
