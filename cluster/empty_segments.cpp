#include "cluster/empty_segments.hpp"

namespace kseg {

int reseed_empty_segments(const FitContext& ctx, const std::vector<float>& assigned_to,
                          const std::vector<int64_t>& counts, std::vector<float>& centroids) {
  std::vector<int> empty;
  for (std::size_t s = 0; s < counts.size(); ++s)
    if (counts[s] == 0) empty.push_back(static_cast<int>(s));
  if (empty.empty()) return 0;

  const int d = ctx.shard.d;
  const int k = static_cast<int>(counts.size());
  std::vector<float> sq_distance(ctx.shard.n);
  ctx.backend.assign_and_accumulate(assigned_to.data(), k, ctx.summary.quantization, nullptr, nullptr,
                                    sq_distance.data(), nullptr);
  // Farthest first: the key is the negated distance, so the smallest keys are the farthest points.
  const std::vector<PointRecord> farthest = global_smallest(
      ctx.comm, ctx.shard, ctx.ids, empty.size(), [&](int64_t i) { return -static_cast<double>(sq_distance[i]); });
  for (std::size_t e = 0; e < empty.size() && e < farthest.size(); ++e)
    std::copy(farthest[e].x.begin(), farthest[e].x.end(), centroids.begin() + static_cast<std::size_t>(empty[e]) * d);
  return static_cast<int>(empty.size());
}

}  // namespace kseg
