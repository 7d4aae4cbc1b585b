#pragma once

#include <vector>

#include "cluster/fit_context.hpp"
#include "cluster/kmeans_params.hpp"

namespace kseg {

/// Centroids after `params.swap_trials` random swaps (Fränti 2018) from `centroids`, whose
/// inertia is `inertia`: each trial moves one centroid onto one customer, runs a few Lloyd steps
/// and keeps the move when the inertia falls. Lloyd alone cannot move a centroid out of a blob
/// it shares with another into a blob that has none; a swap can. The centroid of trial t is a
/// uniform Philox draw keyed by (seed, t), the customer a D²-weighted one keyed by (seed, customer
/// id, t), and every inertia is an exact sum, so the result is bit-identical for any number of
/// ranks. Collective; `accepted` receives how many swaps were kept.
std::vector<float> refine_by_random_swap(const FitContext& ctx, const KMeansParams& params, std::vector<float> centroids,
                                         double inertia, int* accepted);

}  // namespace kseg
