#pragma once

#include <vector>

#include "common/communicator.hpp"
#include "common/logger.hpp"
#include "customers/segment_stability.hpp"
#include "pipeline/assign_stage.hpp"
#include "pipeline/fit_stage.hpp"
#include "pipeline/transform_stage.hpp"

namespace kseg {

/// Collective: B refits (the run's parameters with seed + b, so that each refit starts
/// elsewhere) on the customers whose Philox draw keyed by (seed, id, b) falls below
/// kStabilitySampleShare, each scored against the run's segments. The same for any number of ranks.
SegmentStability stability_stage(const RunParams& p, const ModelInputs& inputs, const FitOutcome& fitted,
                                 const SegmentedCustomers& customers, bool cuda, const Communicator& comm,
                                 const Logger& log);

}  // namespace kseg
