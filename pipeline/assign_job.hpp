#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "common/logger.hpp"
#include "pipeline/device_choice.hpp"
#include "pipeline/features_stage.hpp"

namespace kseg {

/// `kseg assign`: score customers with a saved result's model.
struct AssignParams {
  std::string model, input, output;
  bool force = false;       ///< replace an existing output
  FeatureStepOptions step;  ///< transactions input: as for kseg run
  DeviceOptions device;
};

struct AssignSummary {
  int64_t customers = 0;
  std::vector<int64_t> segment_size;  ///< per model row
  double seconds = 0;
};

/// Collective: load → features → the saved transforms → predict with the saved centroids →
/// write (atomically). On the customers the model was fitted on, the result's /segments equals
/// that run's bit for bit: the same stages and the same predict.
AssignSummary assign_job(const AssignParams& params, const Communicator& comm, const Logger& log);

}  // namespace kseg
