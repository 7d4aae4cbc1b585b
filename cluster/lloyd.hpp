#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cluster/init.hpp"
#include "cluster/kmeans_params.hpp"

namespace kseg {

/// One Lloyd iteration as the observer sees it.
struct IterationReport {
  int restart = 0;
  int iteration = 0;       ///< 1-based
  double inertia = 0;      ///< of the assignment made in this iteration; NaN where bounds skipped distances
  int64_t moved = -1;      ///< customers that changed segment (bounded iterations; -1: not counted)
  double searched = 0;     ///< share of customers whose distances to every centroid were computed
  double relative_shift = 0;  ///< max_k ||Δc_k||² / mean feature variance
  int reseeded = 0;        ///< empty segments moved this iteration
  double milliseconds = 0;
};

struct KMeansResult;

/// Where a fit stands after a Lloyd iteration: all a checkpoint needs to continue it bit for bit
/// (random draws are keyed by seed, customer and restart, so they hold no other state).
struct FitState {
  int restart = 0;                   ///< the restart in progress
  int iteration = 0;                 ///< its Lloyd iterations done
  std::vector<float> centroids;      ///< after them
  double best_inertia = -1;          ///< inertia of the best finished restart (its exact sum, rounded once); -1: none yet
  const KMeansResult* best = nullptr;  ///< that restart's result (valid during the callback)
};

struct KMeansResult {
  int k = 0;
  int d = 0;
  std::vector<float> centroids;  ///< k × d
  std::vector<int64_t> sizes;    ///< customers per segment
  double inertia = 0;            ///< Σ squared distance to the final centroids
  int iterations = 0;
  bool converged = false;
  int best_restart = 0;
  std::vector<double> restart_inertia;
  int64_t init_trial_customers = 0;  ///< the customers each restart's initialisation trials ran on
                                     ///< (KMeansParams::init_trials); 0: one initialisation
  double init_seconds = 0;
  double lloyd_seconds = 0;
  int swap_trials = 0;       ///< swaps tried after the restarts (KMeansParams::swap_patience)
  int swaps_accepted = 0;    ///< of them, kept
  int64_t swap_customers = 0;  ///< the customers they were tried on (KMeansParams::swap_sample)
  double swap_seconds = 0;
  bool interrupted = false;  ///< stopped by FitObserver::keep_going; the rest is not a result
};

/// Progress callbacks; the host logs them from rank 0. Algorithms never print.
class FitObserver {
 public:
  virtual ~FitObserver() = default;
  /// `trial_customers`: those the restart's initialisation trials ran on (0: one initialisation).
  virtual void on_init(int /*restart*/, double /*seconds*/, int64_t /*trial_customers*/) {}
  virtual void on_iteration(const IterationReport& /*report*/) {}
  virtual void on_restart_done(int /*restart*/, double /*inertia*/, int /*iterations*/, bool /*converged*/) {}
  /// After every Lloyd iteration, on every rank alike: false stops the fit there (for a
  /// checkpoint), and fit_kmeans returns with `interrupted` set. Also called, with iteration 0
  /// and no centroids, when a stop request ends a later restart's initialization (the restart
  /// starts over on resume).
  virtual bool keep_going(const FitState& /*state*/) { return true; }
};

/// A fit to continue: the state a checkpoint recorded, with the best restart so far.
struct ResumePoint {
  FitState state;
  KMeansResult best;
};

/// Distributed k-means over every rank's shard: `params.n_init` restarts of (init, Lloyd), each
/// from the best of `params.init_trials` initialisations (KMeansParams), the lowest inertia kept,
/// then the swap refinement. Collective: every rank calls it and gets the same result.
KMeansResult fit_kmeans(const FitContext& ctx, const KMeansParams& params, FitObserver& observer,
                        const ResumePoint* resume = nullptr);

/// Adds every rank's sums: one reduction of k·(d+1) + 4 integers, and a second of the off-grid
/// accumulators only when some rank has any. Collective.
void sum_over_ranks(const Communicator& comm, LloydSums& sums);

/// One fused pass on every rank, then the only cross-rank traffic of an iteration (sum_over_ranks).
/// `sq_distances`, when given, receives this rank's n squared distances. Collective.
LloydSums global_lloyd_sums(const FitContext& ctx, const std::vector<float>& centroids, int k,
                            float* sq_distances = nullptr);

/// One Lloyd iteration from `centroids`: the sums of their assignment, the means that follow
/// (an emptied segment re-seeded, see empty_segments.hpp) and how many were re-seeded. Collective.
struct LloydStep {
  std::vector<float> centroids;
  LloydSums sums;
  int reseeded = 0;
};
LloydStep lloyd_step(const FitContext& ctx, const std::vector<float>& centroids, int k);

/// The step that follows the global sums of `centroids`' assignment, however they were found.
/// Collective (an emptied segment is re-seeded by passes on every rank).
LloydStep step_from_sums(const FitContext& ctx, const std::vector<float>& centroids, LloydSums sums);

/// The bounds an acceleration keeps; none for Acceleration::none.
std::optional<BoundKind> bound_kind(Acceleration acceleration);

/// The same step, bit for bit, from a bounded pass (Backend::assign_bounded): `bounds_for` holds
/// the centroids the backend's bounds were last set for (empty: none yet, a full pass sets them)
/// and is updated to `centroids`. Its sums carry no inertia. Collective.
LloydStep bounded_lloyd_step(const FitContext& ctx, const std::vector<float>& centroids, int k, BoundKind kind,
                             std::vector<float>& bounds_for);

/// Centroids from exact sums: mean of each segment's customers (unchanged where a segment is empty).
std::vector<float> centroids_from_sums(const LloydSums& sums, const Quantization& q, const std::vector<float>& previous);

}  // namespace kseg
