#pragma once

#include <string>
#include <vector>

#include "common/logger.hpp"
#include "io/run_report.hpp"
#include "pipeline/assign_stage.hpp"

namespace kseg {

/// Collective: the describe stage. Profiles, RFM names and actions (last quarter's where matched,
/// the user's --segment-name overrides last), customer attributes, the k sweep and the comparison
/// with last quarter: what the reports show.
RunReport describe_stage(const RunParams& params, const ModelInputs& inputs, const FitOutcome& fitted,
                         const SegmentedCustomers& customers, const Communicator& comm, const Logger& log);

}  // namespace kseg
