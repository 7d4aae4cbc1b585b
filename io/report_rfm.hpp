#pragma once

#include <string>

#include "io/json.hpp"
#include "io/run_report.hpp"

namespace kseg {

/// Whether the profiles count their customers per RFM class.
bool has_rfm_classes(const RunReport& report);

/// report.json's "rfm_classes": the class labels and, per segment, its customers in each class.
JsonObject rfm_json(const RunReport& report);

/// report.html's cross-table of the segments against the per-customer RFM classes; empty without RFM.
std::string rfm_section(const RunReport& report);

}  // namespace kseg
