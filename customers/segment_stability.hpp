#pragma once

#include <cstdint>
#include <vector>

#include "common/communicator.hpp"

namespace kseg {

/// How far each segment survives a refit on other customers (`kseg run --stability B`; Hennig
/// 2007's clusterwise Jaccard bootstrap, with subsets): per segment, the mean over B refits of the
/// Jaccard similarity between the segment's customers in the resample and the refit segment that
/// matches them best.
struct SegmentStability {
  int resamples = 0;
  std::vector<double> jaccard;  ///< per centroid row: the mean over the resamples
};

/// The share of customers each refit sees: a subset, not a bootstrap with repeats, because the
/// exact sums and the id-keyed draws count each customer once.
inline constexpr double kStabilitySampleShare = 0.8;

/// How a mean Jaccard reads (Hennig's guide): "highly stable" (≥ 0.85), "stable", "doubtful"
/// (about 0.6–0.75) or "dissolved" (≤ 0.5).
const char* stability_reading(double jaccard);

/// Collective: per segment of `run_row` (0 … k − 1, this rank's customers), the Jaccard
/// similarity with its best-matching segment of `refit_row` over the same customers, from the
/// k × k table of customers in both summed over the ranks (exact counts: any rank count alike).
std::vector<double> best_jaccard(const std::vector<int32_t>& run_row, const std::vector<int32_t>& refit_row, int k,
                                 const Communicator& comm);

}  // namespace kseg
