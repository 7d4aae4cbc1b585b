#pragma once

#include <string>

#include "io/json.hpp"
#include "io/run_report.hpp"

namespace kseg {

/// report.json's "validation": the holdout window, churn risk's AUC and Brier score, and the
/// predicted-against-actual tables (by calibration frequency, segment and predicted-spend decile).
JsonObject validation_json(const RunReport& report, const HoldoutValidation& validation);

/// report.html's section on the same: headline figures, the three tables and a chart of mean
/// purchases in the holdout by calibration frequency. Empty without a holdout.
std::string validation_section(const RunReport& report);

}  // namespace kseg
