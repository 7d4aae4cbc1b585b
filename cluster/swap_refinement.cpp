#include "cluster/swap_refinement.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <numeric>

#include "cluster/customer_sample.hpp"
#include "cluster/init.hpp"
#include "cluster/lloyd.hpp"
#include "cluster/point_exchange.hpp"
#include "common/stop_request.hpp"
#include "kernels/centroid_motion.hpp"

namespace kseg {
namespace {

constexpr int kLloydStepsPerTrial = 1;  // enough to tell a good swap from a bad one: the suite found the same with 2
constexpr int kSourcesPerDestination = 3;
constexpr int kMostTrialsPerSegment = 4;

// Centroids with what a swap decision needs: this rank's labels and squared distances, the
// inertia of that assignment, the segments ordered cheapest to lose first, and the ones to split,
// the most spread out and the heaviest-tailed in turn (from global counts and exact sums, the
// same on every rank).
struct Placement {
  std::vector<float> centroids;
  std::vector<int32_t> labels;
  std::vector<float> sq;
  LloydSums rank_sums;  // of this rank's customers: a trial's passes change them by its moves
  double inertia = 0;
  std::vector<int> cheapest_to_lose;
  std::vector<int> destinations;  // the segments a swap tries to split, in order
};

// Ward cost of merging each centroid into its nearest other one: what losing it would cost.
std::vector<double> merge_costs(const std::vector<float>& centroids, const std::vector<int64_t>& counts, int k, int d) {
  std::vector<double> cost(k, std::numeric_limits<double>::infinity());
  for (int a = 0; a < k; ++a)
    for (int b = 0; b < k; ++b) {
      if (a == b) continue;
      const double na = static_cast<double>(counts[a]), nb = static_cast<double>(counts[b]);
      double squared = 0;
      for (int j = 0; j < d; ++j) {
        const double diff = static_cast<double>(centroids[a * d + j]) - centroids[b * d + j];
        squared += diff * diff;
      }
      cost[a] = std::min(cost[a], na + nb > 0 ? na * nb / (na + nb) * squared : 0.0);
    }
  return cost;
}

// Segment indices by `key`, ascending or descending (ties: smaller index).
std::vector<int> ranked(const std::vector<double>& key, bool descending) {
  std::vector<int> order(key.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return descending ? key[a] > key[b] : key[a] < key[b]; });
  return order;
}

// a[0], b[0], a[1], b[1], … each segment once, where first met.
std::vector<int> interleaved(const std::vector<int>& a, const std::vector<int>& b) {
  std::vector<int> order;
  std::vector<bool> taken(a.size(), false);
  for (std::size_t r = 0; r < a.size(); ++r)
    for (int s : {a[r], b[r]})
      if (!taken[s]) taken[s] = true, order.push_back(s);
  return order;
}

// Per segment, from exact sums of its customers' squared distances sq and of their squares: the
// mean sq, and the weight of its tail, Σsq²/mean − (1 + 2/d)·Σsq. For a round Gaussian blob
// E[sq²] = (1 + 2/d)·E[sq]², so the tail is near 0 there, negative for two equal blobs merged
// (every customer about as far out), and large where a few customers sit far out: a small cluster
// merged into a large one, which the mean hardly shows.
void segment_spreads(const FitContext& ctx, const Placement& p, const std::vector<int64_t>& counts,
                     std::vector<double>& spread, std::vector<double>& tail) {
  const int k = static_cast<int>(counts.size());
  const double scale = ctx.summary.quantization.distance_scale;
  std::vector<GridSum> moments(2 * static_cast<std::size_t>(k));  // per segment: Σsq, Σsq²
  for (int s = 0; s < k; ++s) moments[2 * s] = GridSum(scale), moments[2 * s + 1] = GridSum(scale * scale);
  for (int64_t i = 0; i < ctx.shard.n; ++i) {
    const double sq = p.sq[i];
    moments[2 * p.labels[i]].add(sq);
    moments[2 * p.labels[i] + 1].add(sq * sq);  // exact: a float's square fits a double
  }
  ctx.comm.sum(moments.data(), moments.size());
  const double gaussian = 1.0 + 2.0 / ctx.shard.d;
  for (int s = 0; s < k; ++s) {
    const double sum = moments[2 * s].value();
    const double mean = counts[s] > 0 ? sum / static_cast<double>(counts[s]) : 0.0;
    spread[s] = mean;
    tail[s] = mean > 0 ? moments[2 * s + 1].value() / mean - gaussian * sum : 0.0;
  }
}

// A placement's inertia and the orders a swap picks its segments in, from its global sums (its
// labels and distances set).
void rank_segments(const FitContext& ctx, const LloydSums& sums, Placement& p) {
  const int k = sums.k;
  p.inertia = sums.inertia_total(ctx.summary.quantization);
  std::vector<double> spread(k), tail(k);
  segment_spreads(ctx, p, sums.counts, spread, tail);
  p.cheapest_to_lose = ranked(merge_costs(p.centroids, sums.counts, k, ctx.shard.d), false);
  p.destinations = interleaved(ranked(spread, true), ranked(tail, true));
}

// The sums of a placement over all ranks.
LloydSums global_sums(const FitContext& ctx, const Placement& p) {
  LloydSums sums = p.rank_sums;
  sum_over_ranks(ctx.comm, sums);
  return sums;
}

Placement place(const FitContext& ctx, std::vector<float> centroids, int k) {
  Placement p{std::move(centroids), std::vector<int32_t>(ctx.shard.n), std::vector<float>(ctx.shard.n), {}, 0, {}, {}};
  ctx.backend.assign_and_accumulate(p.centroids.data(), k, ctx.summary.quantization, &p.rank_sums, p.labels.data(),
                                    p.sq.data(), nullptr);
  rank_segments(ctx, global_sums(ctx, p), p);
  return p;
}

// A swap's trial: `best` with one centroid moved, kLloydStepsPerTrial Lloyd steps, and the
// assignment of the centroids they reach, with its global sums. Each pass starts from the one
// before (Backend::reassign_changed): it computes the distances to the centroids that changed
// and changes the sums by the customers that moved, with the labels and exact sums of full passes.
Placement try_swap(const FitContext& ctx, const Placement& best, std::vector<float> candidate, int k, LloydSums& sums) {
  const int d = ctx.shard.d;
  Placement trial{std::move(candidate), best.labels, best.sq, best.rank_sums, 0, {}, {}};
  std::vector<int32_t> changed = changed_centroids(best.centroids, trial.centroids, k, d);
  const auto reassign = [&] {
    ctx.backend.reassign_changed(trial.centroids.data(), k, changed, ctx.summary.quantization, &trial.rank_sums,
                                 trial.labels.data(), trial.sq.data());
    sums = global_sums(ctx, trial);
  };
  for (int step = 0; step < kLloydStepsPerTrial; ++step) {
    reassign();
    std::vector<float> next = step_from_sums(ctx, trial.centroids, sums).centroids;
    changed = changed_centroids(trial.centroids, next, k, d);
    trial.centroids = std::move(next);
  }
  reassign();
  trial.inertia = sums.inertia_total(ctx.summary.quantization);
  return trial;
}

SwapOutcome swaps_on(const FitContext& ctx, const KMeansParams& params, std::vector<float> centroids) {
  const int k = params.k, d = ctx.shard.d;
  const uint32_t which_customer = random_stream(0, RandomPurpose::swap_customer);
  Placement best = place(ctx, std::move(centroids), k);
  SwapOutcome out;
  const int most_trials = kMostTrialsPerSegment * k + params.swap_patience;
  const int sources_per_destination = std::min(kSourcesPerDestination, k);  // k = 2 has only two
  for (int failed = 0; failed < params.swap_patience && out.trials < most_trials && k > 1; ++out.trials) {
    stop_if_requested(ctx.comm, kSwapping);
    const int destination_rank = failed / sources_per_destination;
    if (destination_rank >= k) break;
    const int source = best.cheapest_to_lose[failed % sources_per_destination];
    const int destination = best.destinations[destination_rank];
    if (source == destination) {  // a segment cannot be moved into itself
      ++failed;
      continue;
    }
    const auto trial = static_cast<uint32_t>(out.trials);
    // Where in the spread-out segment: D²-weighted, as k-means++ would, among its own customers.
    const std::vector<PointRecord> customer = global_smallest(ctx.comm, ctx.shard, ctx.ids, 1, [&](int64_t i) {
      return weighted_draw_key(params.seed, ctx.ids[i], which_customer, trial,
                               best.labels[i] == destination ? best.sq[i] : 0.0f);
    });
    if (customer.empty()) {  // every customer of that segment sits on its centroid
      ++failed;
      continue;
    }
    std::vector<float> candidate = best.centroids;
    std::copy(customer[0].x.begin(), customer[0].x.end(), candidate.begin() + static_cast<std::ptrdiff_t>(source) * d);
    LloydSums sums;
    Placement swapped = try_swap(ctx, best, std::move(candidate), k, sums);
    if (swapped.inertia < best.inertia) {  // the same exact sums on every rank: every rank decides alike
      rank_segments(ctx, sums, swapped);
      best = std::move(swapped);
      ++out.accepted;
      failed = 0;
    } else {
      ++failed;
    }
  }
  out.centroids = std::move(best.centroids);
  out.customers = ctx.summary.total_points;
  return out;
}

}  // namespace

SwapOutcome refine_by_swaps(const FitContext& ctx, const KMeansParams& params, std::vector<float> centroids) {
  const bool sampled = params.swap_sample > 0 && ctx.summary.total_points > 2 * params.swap_sample;
  const std::unique_ptr<SampleOnCpu> sample =
      sampled ? sample_on_cpu(ctx, params.swap_sample, 2 * static_cast<int64_t>(params.k), params.seed,
                              random_stream(0, RandomPurpose::customer_sample), kSwapSampleCounter, kSwapping)
              : nullptr;
  return swaps_on(sample ? sample->context() : ctx, params, std::move(centroids));
}

}  // namespace kseg
