#pragma once

#include <vector>

#include "cluster/fit_context.hpp"
#include "cluster/kmeans_params.hpp"

namespace kseg {

/// What a stop request during the swaps says the job was doing.
inline constexpr const char* kSwapping = "refining the segments by swaps";

/// How a swap refinement went.
struct SwapOutcome {
  std::vector<float> centroids;  ///< k × d, the best found
  int trials = 0;                ///< swaps tried
  int accepted = 0;              ///< swaps kept
  int64_t customers = 0;         ///< the customers they were tried on, over all ranks
};

/// Centroids after targeted swaps from `centroids` (in the spirit of Fritzke's k-means-u*): each
/// trial moves the centroid that is cheapest to lose onto a customer of a segment to split (below),
/// runs one Lloyd step, and keeps the move when the exact inertia falls. Lloyd alone
/// cannot move a centroid out of a blob it shares with another into two blobs that another merged; a swap
/// can. Cheapest to lose: the smallest Ward cost n_a·n_b/(n_a+n_b)·‖c_a−c_b‖² of merging into
/// its nearest centroid. Segments to split, taken in turn from two orders: the most spread out
/// (largest mean squared distance to its centroid: two blobs of like size merged) and the
/// heaviest-tailed (largest Σsq²/mean − (1 + 2/d)·Σsq, 0 for a round Gaussian blob: a small
/// cluster merged into a large one, which barely moves the mean). Trial f after the last kept
/// swap pairs the (f mod 3)-th cheapest with the (f div 3)-th segment to split; the refinement
/// ends after `params.swap_patience` trials in a row fail (or 4·k + patience trials in all). The
/// customer is a D²-weighted Philox draw keyed by (seed, customer id, trial) within that segment,
/// and every decision rests on exact sums and integer counts the same on every rank, so the
/// result is bit-identical for any number of ranks. Where there are more than twice
/// `params.swap_sample` customers, the swaps run on a sample of about that many, each customer
/// in it by a Philox draw keyed by (seed, customer id), on the CPU backend (bit-identical to
/// CUDA's): the same sample, hence the same result, for any number of ranks and either device.
/// Collective.
SwapOutcome refine_by_swaps(const FitContext& ctx, const KMeansParams& params, std::vector<float> centroids);

}  // namespace kseg
