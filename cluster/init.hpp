#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "cluster/fit_context.hpp"
#include "cluster/kmeans_params.hpp"
#include "cluster/point_exchange.hpp"

namespace kseg {

/// Purposes of random draws; with the restart they form the Philox stream, so that no two
/// decisions ever share a random number.
enum class RandomPurpose : uint32_t {
  first_center,
  uniform,
  plus_plus,
  parallel_sampling,
  recluster,
  swap_customer,
  stability_sample,
  customer_sample  ///< the samples swaps and start trials run on, told apart by the counter
};

/// What a stop request during the initialisation (its trials included) says the job was doing.
inline constexpr const char* kChoosingCentroids = "choosing the initial centroids";

/// Counters of the RandomPurpose::customer_sample stream.
constexpr uint32_t kSwapSampleCounter = 0;
constexpr uint32_t kStartSampleCounter = 1;

uint32_t random_stream(int restart, RandomPurpose purpose);

/// Efraimidis–Spirakis key -ln(u)/weight (infinite for weight <= 0): the smallest key over all
/// customers is a draw proportional to weight, and the winner depends only on each customer's own
/// (id, weight), never on where it is stored.
double weighted_draw_key(uint64_t seed, int64_t id, uint32_t stream, uint32_t step, double weight);

/// k × d starting centroids for restart `restart`, identical on every rank and for any split.
std::vector<float> initial_centroids(const FitContext& ctx, const KMeansParams& params, int restart);

/// k-means||'s candidates, and each customer's nearest of them so far (ties: the smaller id) with
/// its squared distance: the D² of the sampling rounds and, at the end, the candidates' weights,
/// without a pass of their own over every candidate (at K = 256 on 300,000 × 64 that pass was as
/// much work as all the rounds). Exposed for tests.
class NearestCandidates {
 public:
  explicit NearestCandidates(const FitContext& ctx);

  /// Adds a batch (the same on every rank) and brings each customer's nearest up to date: the batch
  /// is sorted by id, so that the backend's ties (the smaller index) go to the smaller id.
  void add(std::vector<PointRecord> batch);
  /// Per customer of this rank: the squared distance to its nearest candidate (INFINITY before any).
  const std::vector<float>& min_sq() const { return min_sq_; }
  std::size_t size() const { return records_.size(); }
  const std::vector<PointRecord>& records() const { return records_; }
  /// Collective: the candidates sorted by id, and how many customers of all ranks each is nearest to.
  std::pair<std::vector<PointRecord>, std::vector<int64_t>> weighted() const;

 private:
  FitContext ctx_;  // references to what outlives this
  std::vector<PointRecord> records_;  // in the order added
  std::vector<float> min_sq_;
  std::vector<int32_t> nearest_;  // index into records_
};

/// Weighted k-means++ then weighted Lloyd on the k-means|| candidates (sorted by id), run
/// identically on every rank; `between_steps`, when given, runs after each of its k-means++ steps
/// and Lloyd iterations (every rank alike: it may be collective). Exposed for tests.
std::vector<float> recluster_weighted(const std::vector<PointRecord>& candidates, const std::vector<int64_t>& weights,
                                      int k, int d, uint64_t seed, uint32_t stream,
                                      const std::function<void()>& between_steps = {});

}  // namespace kseg
