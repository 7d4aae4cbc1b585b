#pragma once

#include <string>
#include <vector>

#include "cluster/model_selection.hpp"
#include "host/logger.hpp"

namespace kseg {

/// "2..15" → {2, 3, …, 15}; InputError naming `option` otherwise.
std::vector<int> parse_k_range(const std::string& text, const std::string& option);

struct KSweep {
  std::vector<FitQuality> sweep;
  int recommended_k = 0;  ///< recommended_k(sweep)
};

/// Collective: one fit per k on the loaded data (params.k ignored), each scored by fit_quality
/// with a silhouette sample of `sample` customers; progress on `log`.
KSweep sweep_k(const FitContext& ctx, const KMeansParams& params, const std::vector<int>& ks, int sample,
               const Logger& log);

}  // namespace kseg
