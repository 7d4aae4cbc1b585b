#pragma once

#include <cstdint>
#include <string>

#include "common/communicator.hpp"
#include "common/logger.hpp"
#include "pipeline/run_job.hpp"

namespace kseg {

/// `kseg demo`: a synthetic retailer generated into a folder, then segmented by `run`.
struct DemoParams {
  std::string directory;     ///< empty: a new temporary folder
  int64_t customers = 50000;  ///< of the synthetic retailer
  RunParams run;             ///< the run's k-means and device settings; input, output and as-of are the demo's
};

struct DemoOutcome {
  std::string transactions;  ///< the generated order lines
  std::string as_of;         ///< the day the run measured features at
  std::string result;        ///< the run's result file
  JobSummary summary;
};

/// Collective: rank 0 makes the folder, every rank writes its customers' order lines, and
/// run_job segments them as of the last day of the generated window.
DemoOutcome demo_job(const DemoParams& params, bool quiet, const Communicator& comm, const Logger& log);

}  // namespace kseg
