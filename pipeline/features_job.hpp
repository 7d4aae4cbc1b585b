#pragma once

#include <cstdint>
#include <string>

#include "common/communicator.hpp"
#include "common/logger.hpp"
#include "pipeline/device_choice.hpp"
#include "pipeline/features_stage.hpp"

namespace kseg {

/// `kseg features`: a transactions file → a features file.
struct FeaturesParams {
  std::string input, output;
  bool force = false;  ///< replace an existing output
  FeatureStepOptions step;
  DeviceOptions device;
};

struct FeaturesSummary {
  int64_t customers = 0, features = 0, transaction_lines = 0, lines_after_as_of = 0;
  double seconds = 0;
  int64_t peak_rss_bytes_max_rank = 0;
};

/// Collective: load → features → write the features file (atomically), each rank its rows.
FeaturesSummary features_job(const FeaturesParams& params, const Communicator& comm, const Logger& log);

}  // namespace kseg
