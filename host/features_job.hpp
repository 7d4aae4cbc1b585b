#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cluster/customer_features.hpp"
#include "common/communicator.hpp"
#include "host/logger.hpp"

namespace kseg {

/// Options of the transactions → features step, shared by `kseg features` and `kseg run`.
struct FeatureStepOptions {
  std::string as_of;              ///< YYYY-MM-DD; lines on later days are left out
  std::string time_unit = "days";  ///< days | weeks, for the BG/NBD inputs
  int top_categories = 8;
  int64_t period_days = 90;  ///< retention period
  bool use_cuda = false;  ///< set from --device once the device is chosen
};

void add_feature_step_options(CLI::App& command, FeatureStepOptions& options, bool as_of_required);

/// Collective: reads the transactions file (each rank its row block) and builds the
/// per-customer feature table, logging progress from rank 0.
CustomerFeatureTable features_from_transactions(const std::string& path, const FeatureStepOptions& options,
                                                const Communicator& comm, const Logger& log);

}  // namespace kseg
