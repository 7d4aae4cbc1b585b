#include "customers/segment_fit.hpp"

#include <cmath>

#include "customers/transforms.hpp"
#include "kernels/distance.hpp"

namespace kseg {
namespace {

// The canonical squared distance to the nearest centroid other than `own`.
float runner_up(const float* x, const std::vector<float>& centroids, int k, int d, int own) {
  float best = INFINITY;
  for (int c = 0; c < k; ++c)
    if (c != own) best = std::fmin(best, squared_distance(x, &centroids[static_cast<std::size_t>(c) * d], d));
  return best;
}

}  // namespace

std::vector<double> distance_envelope(const Assignment& a, const std::vector<float>& distance, int k,
                                      const Communicator& comm) {
  std::vector<double> envelope(k, 0.0);
  for (int c = 0; c < k; ++c) {
    std::vector<float> mine;
    for (std::size_t i = 0; i < distance.size(); ++i)
      if (a.row[i] == c) mine.push_back(distance[i]);
    if (a.sizes[c] > 0)
      envelope[c] = global_quantile(mine.data(), static_cast<int64_t>(mine.size()), 1, 0, kEnvelopeQuantile, comm);
  }
  return envelope;
}

SegmentFit segment_fit(const ShardView& shard, const std::vector<float>& centroids, int k, const Assignment& a,
                       const std::vector<float>& distance, const std::vector<double>& envelope,
                       const Communicator& comm) {
  const int64_t n = shard.n;
  SegmentFit fit{std::vector<float>(n), std::vector<int8_t>(n, 0), 0};
  int64_t outside = 0;
#pragma omp parallel for reduction(+ : outside) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const float second = k > 1 ? std::sqrt(runner_up(shard.x + i * shard.d, centroids, k, shard.d, a.row[i])) : NAN;
    fit.margin[i] = second - distance[i];
    fit.out_of_envelope[i] = !envelope.empty() && distance[i] > envelope[a.row[i]];
    outside += fit.out_of_envelope[i];
  }
  fit.outside = comm.sum(outside);
  return fit;
}

}  // namespace kseg
