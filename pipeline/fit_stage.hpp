#pragma once

#include <optional>
#include <string>

#include "cluster/fit_context.hpp"
#include "cluster/lloyd.hpp"
#include "common/logger.hpp"
#include "pipeline/k_sweep.hpp"
#include "pipeline/previous_quarter.hpp"
#include "pipeline/run_job.hpp"

namespace kseg {

/// The fit stage's outcome: the fit, and what chose its k and its start.
struct FitOutcome {
  std::optional<PreviousQuarter> previous;  ///< with --previous
  std::optional<KSweep> sweep;              ///< with --select-k
  KMeansParams params;                      ///< as fitted: k chosen
  KMeansResult fit;
  std::string checkpoint;  ///< where checkpoints went (removed once the result is written)
};

/// Where the fit's checkpoints go: --checkpoint, else <out>.ckpt.
std::string checkpoint_path(const RunParams& params);

/// The one rule for k: the user's when given, else the sweep's recommendation, else last
/// quarter's, else the default.
int chosen_k(const RunParams& params, const PreviousQuarter* previous, const KSweep* sweep);

/// Last quarter's model with --previous (every rank reads it), else none; refused when its
/// segments are of the other kind (k-means against --segments-from rfm).
std::optional<PreviousQuarter> previous_quarter(const RunParams& params, const ModelInputs& inputs, const Logger& log);

/// Collective: the fit stage. Last quarter's model (its k, a warm start), the k sweep, then
/// k-means with checkpoints, resumed from --resume when given. Throws Interrupted when stopped
/// by a signal after writing a checkpoint.
FitOutcome fit_stage(const RunParams& params, const FitContext& ctx, const ModelInputs& inputs,
                     const std::string& backend, const Logger& log);

}  // namespace kseg
