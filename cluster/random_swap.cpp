#include "cluster/random_swap.hpp"

#include <algorithm>

#include "cluster/init.hpp"
#include "cluster/lloyd.hpp"
#include "cluster/point_exchange.hpp"
#include "common/stop_request.hpp"
#include "kernels/philox.hpp"

namespace kseg {
namespace {

constexpr int kLloydStepsPerTrial = 2;  // enough for a swapped centroid to settle into its blob

// `centroids` after `steps` Lloyd iterations, with their inertia and this rank's squared distances.
std::vector<float> settle(const FitContext& ctx, std::vector<float> centroids, int k, int steps, double* inertia,
                          std::vector<float>& sq) {
  for (int step = 0; step < steps; ++step) centroids = lloyd_step(ctx, centroids, k).centroids;
  *inertia = global_lloyd_sums(ctx, centroids, k, sq.data()).inertia_total(ctx.summary.quantization);
  return centroids;
}

}  // namespace

std::vector<float> refine_by_random_swap(const FitContext& ctx, const KMeansParams& p, std::vector<float> centroids,
                                         double inertia, int* accepted) {
  const int d = ctx.shard.d;
  const uint32_t which_centroid = random_stream(0, RandomPurpose::swap_centroid);
  const uint32_t which_customer = random_stream(0, RandomPurpose::swap_customer);
  *accepted = 0;
  std::vector<float> sq(ctx.shard.n), candidate_sq(ctx.shard.n);  // each customer's to the current centroids
  ctx.backend.assign_and_accumulate(centroids.data(), p.k, ctx.summary.quantization, nullptr, nullptr, sq.data());
  for (int trial = 0; trial < p.swap_trials; ++trial) {
    stop_if_requested(ctx.comm, "refining the segments by random swaps");
    const auto counter = static_cast<uint32_t>(trial);
    const int moved = std::min(p.k - 1, static_cast<int>(Philox::uniform(p.seed, trial, which_centroid, 0) * p.k));
    // The new place is drawn D²-weighted, as k-means++ would: where customers are far from any centroid.
    const std::vector<PointRecord> customer = global_smallest(ctx.comm, ctx.shard, ctx.ids, 1, [&](int64_t i) {
      return weighted_draw_key(p.seed, ctx.ids[i], which_customer, counter, sq[i]);
    });
    if (customer.empty()) break;  // every customer sits on a centroid: nothing to gain
    std::vector<float> candidate = centroids;
    std::copy(customer[0].x.begin(), customer[0].x.end(), candidate.begin() + static_cast<std::ptrdiff_t>(moved) * d);
    double candidate_inertia = 0;
    candidate = settle(ctx, std::move(candidate), p.k, kLloydStepsPerTrial, &candidate_inertia, candidate_sq);
    if (candidate_inertia < inertia) {  // the same exact sums on every rank: every rank decides alike
      centroids.swap(candidate);
      sq.swap(candidate_sq);
      inertia = candidate_inertia;
      ++*accepted;
    }
  }
  return centroids;
}

}  // namespace kseg
