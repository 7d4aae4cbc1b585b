#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "host/logger.hpp"

namespace kseg {

struct GenerateOptions {
  int64_t customers = 100000;
  int features = 8;
  int segments = 6;
  uint64_t seed = 7;
  double separation = 4.0;  ///< minimum distance between blob centres, in mean spreads
  std::vector<std::string> feature_names;  ///< empty: f0, f1, ...
  std::string output;
  bool force = false;
  bool quiet = false;
};

/// Collective: every rank generates and writes its own row block, a bounded chunk at a time.
void generate_features_file(const GenerateOptions& options, const Communicator& comm, const Logger& log);

}  // namespace kseg
