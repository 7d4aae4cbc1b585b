#pragma once

#include <string>
#include <vector>

#include "cluster/model_selection.hpp"
#include "common/logger.hpp"
#include "pipeline/device_choice.hpp"
#include "pipeline/transform_stage.hpp"

namespace kseg {

struct KSweep {
  std::vector<FitQuality> sweep;
  int recommended_k = 0;  ///< recommended_k(sweep)
};

/// Collective: one fit per k on the loaded data (params.k ignored), each scored by fit_quality
/// with a silhouette sample of `sample` customers; progress on `log`.
KSweep sweep_k(const FitContext& ctx, const KMeansParams& params, const std::vector<int>& ks, int sample,
               const Logger& log);

/// `kseg select-k`: the sweep alone, on the run's inputs.
struct SelectKParams {
  std::string input;
  ModelInputOptions model;
  DeviceOptions device;
  KMeansParams kmeans;  ///< every fit's settings (k is the sweep's)
  int threads = 0;      ///< OpenMP threads per rank; 0 = the OpenMP default
  std::vector<int> ks = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  int sample = 2000;  ///< customers in the silhouette sample
};

/// Collective: load → features → transform (the run's stages, the data loaded once) → sweep_k.
KSweep select_k_job(const SelectKParams& params, const Communicator& comm, const Logger& log);

}  // namespace kseg
