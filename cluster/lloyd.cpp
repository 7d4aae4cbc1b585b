#include "cluster/lloyd.hpp"

#include <cmath>

#include "cluster/customer_sample.hpp"
#include "cluster/empty_segments.hpp"
#include "cluster/swap_refinement.hpp"
#include "common/errors.hpp"
#include "common/stop_request.hpp"
#include "common/timer.hpp"
#include "kernels/fixed_point.hpp"

namespace kseg {
namespace {

double max_squared_shift(const std::vector<float>& a, const std::vector<float>& b, int k, int d) {
  double worst = 0;
  for (int s = 0; s < k; ++s) {
    double shift = 0;
    for (int j = 0; j < d; ++j) {
      const double diff = static_cast<double>(a[static_cast<std::size_t>(s) * d + j]) - b[static_cast<std::size_t>(s) * d + j];
      shift += diff * diff;
    }
    worst = std::max(worst, shift);
  }
  return worst;
}

struct RestartOutcome {
  std::vector<float> centroids;
  LloydSums final_sums;
  int iterations = 0;
  bool converged = false;
  bool interrupted = false;
};

// Lloyd iterations first_iteration.. of one restart, from `centroids`.
RestartOutcome lloyd(const FitContext& ctx, const KMeansParams& p, FitState& state, int first_iteration,
                     FitObserver& observer) {
  const int d = ctx.shard.d;
  const double shift_scale = ctx.summary.mean_variance > 0 ? ctx.summary.mean_variance : 1.0;
  RestartOutcome out;
  out.iterations = first_iteration - 1;
  std::vector<float>& centroids = state.centroids;
  const std::optional<BoundKind> bounds = bound_kind(p.acceleration);
  const bool bounded = bounds.has_value();
  std::vector<float> bounds_for;
  for (int iteration = first_iteration; iteration <= p.max_iter; ++iteration) {
    Stopwatch clock;
    LloydStep step = bounded ? bounded_lloyd_step(ctx, centroids, p.k, *bounds, bounds_for) : lloyd_step(ctx, centroids, p.k);
    const double shift = max_squared_shift(step.centroids, centroids, p.k, d) / shift_scale;
    centroids.swap(step.centroids);
    out.iterations = state.iteration = iteration;
    IterationReport report;
    report.restart = state.restart;
    report.iteration = iteration;
    if (bounded) {  // a bounded pass computes no inertia
      report.inertia = NAN;
      report.moved = step.sums.moved;
      report.searched = static_cast<double>(step.sums.searched) / static_cast<double>(ctx.summary.total_points);
    } else {
      report.inertia = step.sums.inertia_total(ctx.summary.quantization);
      report.searched = 1.0;
    }
    report.relative_shift = shift;
    report.reseeded = step.reseeded;
    report.milliseconds = clock.milliseconds();
    observer.on_iteration(report);
    if (step.reseeded == 0 && shift <= p.tol) {
      out.converged = true;
      break;
    }
    if (!observer.keep_going(state)) {
      out.interrupted = true;
      return out;
    }
  }
  out.final_sums = global_lloyd_sums(ctx, centroids, p.k);  // inertia and sizes of the final centroids
  out.centroids = centroids;
  return out;
}

// Where a fit's initialisation trials run (KMeansParams::init_trials): on at most
// params.init_sample customers, all of them where there are no more, a sample drawn by id where
// there are at least kTrialSampleShare times as many; between, nowhere: one initialisation (a
// sample would be most of the customers, the trials would cost more than the fit, and the swaps
// find the same segments; README, Benchmarks). Nowhere either beyond kMostTrialSegments
// segments: there a sample of the default size holds fewer than 128 customers per segment, Lloyd
// on it converges slowly (and k-means|| passes over it with about 10·k candidates), and the
// trials cost several times the fit for no lower inertia. The same sample serves every restart.
constexpr int64_t kTrialSampleShare = 4;
constexpr int kMostTrialSegments = 128;

struct TrialCustomers {
  bool trials = false;
  std::unique_ptr<SampleOnCpu> sample;  // none: all customers
};

TrialCustomers trial_customers(const FitContext& ctx, const KMeansParams& params) {
  const int64_t total = ctx.summary.total_points, most = params.init_sample;
  const bool few = most == 0 || total <= most;
  TrialCustomers where;
  where.trials = params.init_trials > 1 && params.k <= kMostTrialSegments &&
                 (few || total >= kTrialSampleShare * most);
  if (where.trials && !few)
    where.sample = sample_on_cpu(ctx, most, 2 * static_cast<int64_t>(params.k), params.seed,
                                 random_stream(0, RandomPurpose::customer_sample), kStartSampleCounter,
                                 kChoosingCentroids);
  return where;
}

// A trial's Lloyd iterations are part of choosing the initial centroids: a stop request ends them
// as it ends the initialisation (Interrupted; the restart starts over on resume).
class TrialObserver final : public FitObserver {
 public:
  explicit TrialObserver(const Communicator& comm) : comm_(comm) {}
  bool keep_going(const FitState&) override {
    stop_if_requested(comm_, kChoosingCentroids);
    return true;
  }

 private:
  const Communicator& comm_;
};

// A restart's first centroids: the best of params.init_trials initialisations, each run by Lloyd
// to convergence where `where` says. One start lands in a local minimum that the best of a few
// avoids, and on a sample that choice costs less than it saves.
std::vector<float> start_centroids(const FitContext& ctx, const KMeansParams& params, const TrialCustomers& where,
                                   int restart) {
  if (!where.trials) return initial_centroids(ctx, params, restart);
  const FitContext on = where.sample ? where.sample->context() : ctx;
  std::vector<float> best;
  double best_inertia = 0;
  for (int trial = 0; trial < params.init_trials; ++trial) {
    FitState state;
    state.centroids = initial_centroids(on, params, restart * params.init_trials + trial);
    TrialObserver stoppable(ctx.comm);
    const RestartOutcome outcome = lloyd(on, params, state, 1, stoppable);
    const double inertia = outcome.final_sums.inertia_total(on.summary.quantization);
    if (trial == 0 || inertia < best_inertia) best_inertia = inertia, best = outcome.centroids;  // same on every rank
  }
  return best;
}

// The best restart's centroids improved by swaps (when params.swap_patience > 0), then Lloyd to
// convergence from there; kept where that lowers the inertia over all customers (swaps tried on a
// sample lower the sample's).
void refine_best_restart(const FitContext& ctx, const KMeansParams& params, KMeansResult& result) {
  Stopwatch clock;
  SwapOutcome swapped = refine_by_swaps(ctx, params, result.centroids);
  result.swap_trials = swapped.trials;
  result.swaps_accepted = swapped.accepted;
  result.swap_customers = swapped.customers;
  if (swapped.accepted > 0) {
    FitState state;
    state.centroids = std::move(swapped.centroids);
    FitObserver quiet;
    const RestartOutcome outcome = lloyd(ctx, params, state, 1, quiet);
    const double inertia = outcome.final_sums.inertia_total(ctx.summary.quantization);
    if (inertia < result.inertia) {  // the same exact sum on every rank
      result.centroids = outcome.centroids;
      result.sizes = outcome.final_sums.counts;
      result.inertia = inertia;
      result.converged = outcome.converged;
    }
  }
  result.swap_seconds = clock.seconds();
}

}  // namespace

void sum_over_ranks(const Communicator& comm, LloydSums& sums) {
  // One reduction for the grid sums, counts, inertia and whether any rank has off-grid values;
  // a second, rarely, for those values.
  std::vector<int128> words(sums.feature_sums.begin(), sums.feature_sums.end());
  words.insert(words.end(), sums.counts.begin(), sums.counts.end());
  words.push_back(sums.inertia);
  words.push_back(sums.moved);
  words.push_back(sums.searched);
  words.push_back(sums.off_grid.empty() ? 0 : 1);
  comm.sum(words.data(), words.size());
  const std::size_t features = sums.feature_sums.size();
  std::copy_n(words.begin(), features, sums.feature_sums.begin());
  for (int c = 0; c < sums.k; ++c) sums.counts[c] = static_cast<int64_t>(words[features + c]);
  sums.inertia = words[features + sums.k];
  sums.moved = static_cast<int64_t>(words[features + sums.k + 1]);
  sums.searched = static_cast<int64_t>(words[features + sums.k + 2]);
  if (words.back() == 0) return;
  sums.off_grid_at(0);
  comm.sum(sums.off_grid.data(), sums.off_grid.size());
}

LloydSums global_lloyd_sums(const FitContext& ctx, const std::vector<float>& centroids, int k, float* sq_distances) {
  LloydSums sums;
  ctx.backend.assign_and_accumulate(centroids.data(), k, ctx.summary.quantization, &sums, nullptr, sq_distances, nullptr);
  sum_over_ranks(ctx.comm, sums);
  return sums;
}

LloydStep step_from_sums(const FitContext& ctx, const std::vector<float>& centroids, LloydSums sums) {
  LloydStep step{{}, std::move(sums), 0};
  step.centroids = centroids_from_sums(step.sums, ctx.summary.quantization, centroids);
  step.reseeded = reseed_empty_segments(ctx, centroids, step.sums.counts, step.centroids);
  return step;
}

LloydStep lloyd_step(const FitContext& ctx, const std::vector<float>& centroids, int k) {
  return step_from_sums(ctx, centroids, global_lloyd_sums(ctx, centroids, k));
}

std::optional<BoundKind> bound_kind(Acceleration acceleration) {
  switch (acceleration) {
    case Acceleration::none: return std::nullopt;
    case Acceleration::hamerly: return BoundKind::hamerly;
    case Acceleration::yinyang: return BoundKind::grouped;
  }
  return std::nullopt;
}

LloydStep bounded_lloyd_step(const FitContext& ctx, const std::vector<float>& centroids, int k, BoundKind kind,
                             std::vector<float>& bounds_for) {
  LloydSums sums;
  if (bounds_for.empty()) {
    ctx.backend.assign_bounded(centroids.data(), k, ctx.summary.quantization, nullptr, kind, &sums);
  } else {
    const CentroidMotion motion = measure_motion(bounds_for, centroids, k, ctx.shard.d);
    ctx.backend.assign_bounded(centroids.data(), k, ctx.summary.quantization, &motion, kind, &sums);
  }
  bounds_for = centroids;
  sum_over_ranks(ctx.comm, sums);
  return step_from_sums(ctx, centroids, std::move(sums));
}

std::vector<float> centroids_from_sums(const LloydSums& sums, const Quantization& q, const std::vector<float>& previous) {
  std::vector<float> centroids = previous;
  for (int s = 0; s < sums.k; ++s) {
    if (sums.counts[s] == 0) continue;
    const double count = static_cast<double>(sums.counts[s]);
    for (int j = 0; j < sums.d; ++j) {
      const std::size_t at = static_cast<std::size_t>(s) * sums.d + j;
      centroids[at] = static_cast<float>(sums.feature_total(at, q) / count);
    }
  }
  return centroids;
}

KMeansResult fit_kmeans(const FitContext& ctx, const KMeansParams& params, FitObserver& observer,
                        const ResumePoint* resume) {
  validate(params, ctx.summary.total_points);
  KMeansResult result = resume ? resume->best : KMeansResult{};
  result.k = params.k;
  result.d = ctx.shard.d;
  Stopwatch sample_clock;
  TrialCustomers trials = trial_customers(ctx, params);
  result.init_seconds += sample_clock.seconds();
  result.init_trial_customers =
      !trials.trials ? 0 : trials.sample ? trials.sample->context().summary.total_points : ctx.summary.total_points;
  FitState state;
  if (resume) state = resume->state;
  for (int restart = state.restart; restart < params.n_init; ++restart) {
    state.best = &result;
    const bool resuming = resume && restart == resume->state.restart && resume->state.iteration > 0;
    if (!resuming) {
      Stopwatch init_clock;
      state.restart = restart;
      state.iteration = 0;
      state.centroids.clear();
      try {
        state.centroids = start_centroids(ctx, params, trials, restart);
      } catch (const Interrupted&) {
        if (state.best_inertia < 0) throw;  // no restart finished: nothing worth a checkpoint
        observer.keep_going(state);        // iteration 0: this restart starts over on resume
        result.interrupted = true;
        return result;
      }
      result.init_seconds += init_clock.seconds();
      observer.on_init(restart, init_clock.seconds(), result.init_trial_customers);
    }
    Stopwatch lloyd_clock;
    RestartOutcome outcome = lloyd(ctx, params, state, state.iteration + 1, observer);
    result.lloyd_seconds += lloyd_clock.seconds();
    if (outcome.interrupted) {
      result.interrupted = true;
      return result;
    }

    const double inertia = outcome.final_sums.inertia_total(ctx.summary.quantization);
    result.restart_inertia.push_back(inertia);
    observer.on_restart_done(restart, inertia, outcome.iterations, outcome.converged);
    if (state.best_inertia < 0 || inertia < state.best_inertia) {  // the same on every rank: ties keep the earlier
      state.best_inertia = inertia;
      result.centroids = std::move(outcome.centroids);
      result.sizes = outcome.final_sums.counts;
      result.inertia = inertia;
      result.iterations = outcome.iterations;
      result.converged = outcome.converged;
      result.best_restart = restart;
    }
  }
  trials.sample.reset();  // before the swaps draw theirs
  if (params.swap_patience > 0) refine_best_restart(ctx, params, result);
  return result;
}

}  // namespace kseg
