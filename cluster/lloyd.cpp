#include "cluster/lloyd.hpp"

#include "cluster/empty_segments.hpp"
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
  for (int iteration = first_iteration; iteration <= p.max_iter; ++iteration) {
    Stopwatch clock;
    const LloydSums sums = global_lloyd_sums(ctx, centroids, p.k);
    std::vector<float> next = centroids_from_sums(sums, ctx.summary.quantization, centroids);
    const int reseeded = reseed_empty_segments(ctx, centroids, sums.counts, next);
    const double shift = max_squared_shift(next, centroids, p.k, d) / shift_scale;
    centroids.swap(next);
    out.iterations = state.iteration = iteration;
    observer.on_iteration({state.restart, iteration,
                           FixedPoint::to_double(sums.inertia, ctx.summary.quantization.distance_scale), shift,
                           reseeded, clock.milliseconds()});
    if (reseeded == 0 && shift <= p.tol) {
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

}  // namespace

LloydSums global_lloyd_sums(const FitContext& ctx, const std::vector<float>& centroids, int k) {
  LloydSums sums;
  ctx.backend.assign_and_accumulate(centroids.data(), k, ctx.summary.quantization, &sums, nullptr, nullptr);
  ctx.comm.sum(sums.feature_sums.data(), sums.feature_sums.size());
  ctx.comm.sum(sums.counts.data(), sums.counts.size());
  sums.inertia = ctx.comm.sum(sums.inertia);
  return sums;
}

std::vector<float> centroids_from_sums(const LloydSums& sums, const Quantization& q, const std::vector<float>& previous) {
  std::vector<float> centroids = previous;
  for (int s = 0; s < sums.k; ++s) {
    if (sums.counts[s] == 0) continue;
    const double count = static_cast<double>(sums.counts[s]);
    for (int j = 0; j < sums.d; ++j) {
      const std::size_t at = static_cast<std::size_t>(s) * sums.d + j;
      centroids[at] = static_cast<float>(FixedPoint::to_double(sums.feature_sums[at], q.feature_scale[j]) / count);
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
  FitState state;
  if (resume) state = resume->state;
  for (int restart = state.restart; restart < params.n_init; ++restart) {
    const bool resuming = resume && restart == resume->state.restart;
    if (!resuming) {
      Stopwatch init_clock;
      state.restart = restart;
      state.iteration = 0;
      state.centroids = initial_centroids(ctx, params, restart);
      result.init_seconds += init_clock.seconds();
      observer.on_init(restart, init_clock.seconds());
    }
    state.best = &result;
    Stopwatch lloyd_clock;
    RestartOutcome outcome = lloyd(ctx, params, state, state.iteration + 1, observer);
    result.lloyd_seconds += lloyd_clock.seconds();
    if (outcome.interrupted) {
      result.interrupted = true;
      return result;
    }

    const double inertia = FixedPoint::to_double(outcome.final_sums.inertia, ctx.summary.quantization.distance_scale);
    result.restart_inertia.push_back(inertia);
    observer.on_restart_done(restart, inertia, outcome.iterations, outcome.converged);
    if (state.best_inertia < 0 || outcome.final_sums.inertia < state.best_inertia) {  // exact: ties keep the earlier
      state.best_inertia = outcome.final_sums.inertia;
      result.centroids = std::move(outcome.centroids);
      result.sizes = outcome.final_sums.counts;
      result.inertia = inertia;
      result.iterations = outcome.iterations;
      result.converged = outcome.converged;
      result.best_restart = restart;
    }
  }
  return result;
}

}  // namespace kseg
