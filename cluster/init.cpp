#include "cluster/init.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <unordered_set>
#include <utility>

#include "common/stop_request.hpp"
#include "kernels/fixed_point.hpp"
#include "kernels/philox.hpp"

namespace kseg {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Trials per greedy k-means++ step: 2 + ln k, scikit-learn's choice.
std::size_t greedy_trials(int k) { return 2 + static_cast<std::size_t>(std::log(static_cast<double>(k))); }

std::unordered_set<int64_t> ids_of(const std::vector<PointRecord>& records) {
  std::unordered_set<int64_t> ids;
  for (const PointRecord& r : records) ids.insert(r.id);
  return ids;
}

// `count` customers drawn uniformly without replacement, skipping `excluded`.
std::vector<PointRecord> uniform_points(const FitContext& ctx, uint64_t seed, uint32_t stream, std::size_t count,
                                        const std::unordered_set<int64_t>& excluded = {}) {
  return global_smallest(
      ctx.comm, ctx.shard, ctx.ids, count, [&](int64_t i) { return Philox::uniform(seed, ctx.ids[i], stream, 0); },
      excluded);
}

std::vector<float> init_random(const FitContext& ctx, const KMeansParams& p, int restart) {
  return coordinates(uniform_points(ctx, p.seed, random_stream(restart, RandomPurpose::uniform), p.k), ctx.shard.d);
}

double exact_sum(const std::vector<float>& values, const FitContext& ctx) {
  GridSum total(ctx.summary.quantization.distance_scale);
  for (float v : values) total.add(v);
  ctx.comm.sum(&total, 1);
  return total.value();
}

// Greedy k-means++ (as in scikit-learn): each step draws a few D²-weighted trial centroids and
// keeps the one that lowers the total squared distance most. Plain k-means++ (one trial) too
// often puts two centroids in one blob and none in another.
std::vector<float> init_plus_plus(const FitContext& ctx, const KMeansParams& p, int restart) {
  const int d = ctx.shard.d;
  std::vector<PointRecord> chosen = uniform_points(ctx, p.seed, random_stream(restart, RandomPurpose::first_center), 1);
  std::vector<float> min_sq(ctx.shard.n, INFINITY);
  ctx.backend.lower_min_sq_distances(chosen[0].x.data(), 1, min_sq.data());
  const uint32_t stream = random_stream(restart, RandomPurpose::plus_plus);
  for (int step = 1; step < p.k; ++step) {
    stop_if_requested(ctx.comm, kChoosingCentroids);
    std::vector<PointRecord> trials = global_smallest(ctx.comm, ctx.shard, ctx.ids, greedy_trials(p.k), [&](int64_t i) {
      return weighted_draw_key(p.seed, ctx.ids[i], stream, step, min_sq[i]);
    });
    if (trials.empty())  // every customer sits on a chosen centroid: fewer distinct points than k
      trials = uniform_points(ctx, p.seed, stream, 1, ids_of(chosen));
    std::vector<float> best_min_sq;
    double best_potential = kInfinity;
    for (std::size_t t = 0; t < trials.size(); ++t) {
      const PointRecord& trial = trials[t];
      std::vector<float> candidate_min_sq = min_sq;
      ctx.backend.lower_min_sq_distances(trial.x.data(), 1, candidate_min_sq.data());
      const double potential = exact_sum(candidate_min_sq, ctx);
      if (t == 0 || potential < best_potential) {  // decided on global values only: same on every rank
        best_potential = potential;
        best_min_sq.swap(candidate_min_sq);
        chosen.resize(step);
        chosen.push_back(trial);
      }
    }
    min_sq.swap(best_min_sq);
  }
  return coordinates(chosen, d);
}

std::vector<float> init_parallel(const FitContext& ctx, const KMeansParams& p, int restart) {
  const int d = ctx.shard.d;
  NearestCandidates candidates(ctx);
  candidates.add(uniform_points(ctx, p.seed, random_stream(restart, RandomPurpose::first_center), 1));
  const double oversampling = static_cast<double>(p.oversampling) * p.k;
  const uint32_t stream = random_stream(restart, RandomPurpose::parallel_sampling);
  for (int round = 1; round <= p.init_rounds; ++round) {
    stop_if_requested(ctx.comm, kChoosingCentroids);
    const std::vector<float>& min_sq = candidates.min_sq();
    const double phi = exact_sum(min_sq, ctx);
    if (!(phi > 0)) break;
    std::vector<PointRecord> sampled;
    for (int64_t i = 0; i < ctx.shard.n; ++i)
      if (Philox::uniform(p.seed, ctx.ids[i], stream, round) * phi < oversampling * min_sq[i])
        sampled.push_back(make_record(ctx.shard, ctx.ids, i, 0));
    candidates.add(all_gather_points(ctx.comm, sampled, d));
  }
  if (candidates.size() < static_cast<std::size_t>(p.k))
    candidates.add(uniform_points(ctx, p.seed, random_stream(restart, RandomPurpose::uniform), p.k - candidates.size(),
                                  ids_of(candidates.records())));
  stop_if_requested(ctx.comm, kChoosingCentroids);
  const auto [sorted, weights] = candidates.weighted();
  return recluster_weighted(sorted, weights, p.k, d, p.seed, random_stream(restart, RandomPurpose::recluster),
                            [&ctx] { stop_if_requested(ctx.comm, kChoosingCentroids); });
}

// The candidates' rows on the CPU backend, whose SIMD passes give the canonical distances the
// reclustering computed one pair at a time (K = 256 on 300,000 × 64: 2,560 candidates, k-means++
// trials against all of them and weighted Lloyd iterations).
class CandidateRows {
 public:
  CandidateRows(const std::vector<PointRecord>& candidates, int d)
      : rows_(coordinates(candidates, d)), count_(candidates.size()), backend_(make_cpu_backend()) {
    backend_->load_shard({rows_.data(), static_cast<int64_t>(count_), d});
  }
  // Every candidate's squared distance to `point`.
  std::vector<float> squared_distances_to(const float* point) const {
    std::vector<float> sq(count_, INFINITY);
    backend_->lower_min_sq_distances(point, 1, sq.data());
    return sq;
  }
  // Every candidate's nearest of the k centroids (ties: the smaller index).
  std::vector<int32_t> nearest(const std::vector<float>& centroids, int k) const {
    std::vector<int32_t> label(count_);
    backend_->assign_and_accumulate(centroids.data(), k, Quantization{}, nullptr, label.data(), nullptr, nullptr);
    return label;
  }

 private:
  std::vector<float> rows_;
  std::size_t count_;
  std::unique_ptr<Backend> backend_;
};

// Greedy weighted k-means++ on the candidates, the same rule as init_plus_plus in memory.
std::vector<std::size_t> weighted_plus_plus(const std::vector<PointRecord>& candidates, const CandidateRows& rows,
                                            const std::vector<int64_t>& weights, int k, uint64_t seed,
                                            uint32_t stream, const std::function<void()>& between_steps) {
  const std::size_t n = candidates.size();
  std::vector<double> min_sq(n, kInfinity);
  std::vector<bool> taken(n, false);
  std::vector<std::size_t> chosen;
  for (int step = 0; step < k; ++step) {
    std::vector<std::pair<double, std::size_t>> keyed;
    for (std::size_t i = 0; i < n; ++i) {
      const double weight = static_cast<double>(weights[i]) * (step == 0 ? 1.0 : min_sq[i]);
      const double key = weighted_draw_key(seed, candidates[i].id, stream, step, weight);
      if (!taken[i] && std::isfinite(key)) keyed.emplace_back(key, i);
    }
    const std::size_t kept = keyed.size() > greedy_trials(k) ? (step == 0 ? 1 : greedy_trials(k)) : keyed.size();
    std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(kept), keyed.end());
    keyed.resize(kept);
    if (keyed.empty())  // no weight left: the first untaken candidate (they are sorted by id)
      keyed.emplace_back(0.0, static_cast<std::size_t>(std::find(taken.begin(), taken.end(), false) - taken.begin()));
    std::size_t best = keyed.front().second;
    double best_potential = kInfinity;
    std::vector<float> to_best;
    for (const auto& [key, trial] : keyed) {
      std::vector<float> to_trial = rows.squared_distances_to(candidates[trial].x.data());
      double potential = 0;
      for (std::size_t i = 0; i < n; ++i)
        potential += static_cast<double>(weights[i]) * std::min(min_sq[i], static_cast<double>(to_trial[i]));
      if (potential < best_potential) best_potential = potential, best = trial, to_best.swap(to_trial);
    }
    if (to_best.empty()) to_best = rows.squared_distances_to(candidates[best].x.data());  // no potential was finite
    taken[best] = true;
    chosen.push_back(best);
    for (std::size_t i = 0; i < n; ++i) min_sq[i] = std::min(min_sq[i], static_cast<double>(to_best[i]));
    if (between_steps) between_steps();
  }
  return chosen;
}

}  // namespace

NearestCandidates::NearestCandidates(const FitContext& ctx)
    : ctx_(ctx), min_sq_(ctx.shard.n, INFINITY), nearest_(ctx.shard.n, -1) {}

void NearestCandidates::add(std::vector<PointRecord> batch) {
  if (batch.empty()) return;
  std::sort(batch.begin(), batch.end(), [](const PointRecord& a, const PointRecord& b) { return a.id < b.id; });
  const int64_t n = ctx_.shard.n;
  std::vector<int32_t> label(n);
  std::vector<float> sq(n);
  ctx_.backend.assign_and_accumulate(coordinates(batch, ctx_.shard.d).data(), static_cast<int>(batch.size()),
                                     ctx_.summary.quantization, nullptr, label.data(), sq.data(), nullptr);
  const auto first = static_cast<int32_t>(records_.size());
  records_.insert(records_.end(), batch.begin(), batch.end());
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const int32_t found = first + label[i];
    if (nearest_[i] < 0 || sq[i] < min_sq_[i] || (sq[i] == min_sq_[i] && records_[found].id < records_[nearest_[i]].id))
      min_sq_[i] = sq[i], nearest_[i] = found;
  }
}

std::pair<std::vector<PointRecord>, std::vector<int64_t>> NearestCandidates::weighted() const {
  std::vector<int32_t> by_id(records_.size());
  std::iota(by_id.begin(), by_id.end(), 0);
  std::sort(by_id.begin(), by_id.end(), [&](int32_t a, int32_t b) { return records_[a].id < records_[b].id; });
  std::vector<int32_t> rank(records_.size());
  std::vector<PointRecord> sorted;
  for (std::size_t r = 0; r < by_id.size(); ++r) rank[by_id[r]] = static_cast<int32_t>(r), sorted.push_back(records_[by_id[r]]);
  std::vector<int64_t> weights(records_.size(), 0);
  for (int32_t c : nearest_) weights[rank[c]] += 1;
  ctx_.comm.sum(weights.data(), weights.size());
  return {std::move(sorted), std::move(weights)};
}

double weighted_draw_key(uint64_t seed, int64_t id, uint32_t stream, uint32_t step, double weight) {
  if (!(weight > 0)) return kInfinity;
  return -std::log(Philox::uniform(seed, id, stream, step)) / weight;
}

uint32_t random_stream(int restart, RandomPurpose purpose) {
  return static_cast<uint32_t>(restart) * 8u + static_cast<uint32_t>(purpose);
}

std::vector<float> recluster_weighted(const std::vector<PointRecord>& candidates, const std::vector<int64_t>& weights,
                                      int k, int d, uint64_t seed, uint32_t stream,
                                      const std::function<void()>& between_steps) {
  const CandidateRows rows(candidates, d);
  std::vector<float> centroids;
  for (std::size_t i : weighted_plus_plus(candidates, rows, weights, k, seed, stream, between_steps))
    centroids.insert(centroids.end(), candidates[i].x.begin(), candidates[i].x.end());

  constexpr int kMaxIterations = 100;
  std::vector<int> segment(candidates.size(), -1);
  for (int iteration = 0; iteration < kMaxIterations; ++iteration) {
    bool changed = false;
    std::vector<double> sums(static_cast<std::size_t>(k) * d, 0.0), mass(k, 0.0);
    const std::vector<int32_t> nearest = rows.nearest(centroids, k);
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const int s = nearest[i];
      changed |= s != segment[i];
      segment[i] = s;
      for (int j = 0; j < d; ++j) sums[static_cast<std::size_t>(s) * d + j] += static_cast<double>(weights[i]) * candidates[i].x[j];
      mass[s] += static_cast<double>(weights[i]);
    }
    if (!changed) break;
    if (between_steps) between_steps();
    for (int s = 0; s < k; ++s)
      if (mass[s] > 0)
        for (int j = 0; j < d; ++j)
          centroids[static_cast<std::size_t>(s) * d + j] = static_cast<float>(sums[static_cast<std::size_t>(s) * d + j] / mass[s]);
  }
  return centroids;
}

std::vector<float> initial_centroids(const FitContext& ctx, const KMeansParams& params, int restart) {
  switch (params.init) {
    case InitMethod::random: return init_random(ctx, params, restart);
    case InitMethod::kmeans_plus_plus: return init_plus_plus(ctx, params, restart);
    case InitMethod::kmeans_parallel: return init_parallel(ctx, params, restart);
  }
  return {};
}

}  // namespace kseg
