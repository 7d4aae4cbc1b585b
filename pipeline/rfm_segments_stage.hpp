#pragma once

#include <utility>

#include "common/logger.hpp"
#include "pipeline/assign_stage.hpp"

namespace kseg {

/// Collective: `kseg run --segments-from rfm`, in place of the fit and assign stages. Every
/// customer's segment is their RFM class (customers/customer_rfm.hpp); the segments are the
/// classes that have customers, with the class code as the stable id (so Champions is segment 0
/// in every quarter), and centroids the exact means of their customers in model units. With
/// --previous, which must be an RFM result too, segments match last quarter's by id.
std::pair<FitOutcome, SegmentedCustomers> rfm_segments_stage(const RunParams& params, const ModelInputs& inputs,
                                                             const Communicator& comm, const Logger& log);

}  // namespace kseg
