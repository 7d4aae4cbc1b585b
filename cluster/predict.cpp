#include "cluster/predict.hpp"

#include <cmath>

namespace kseg {

std::vector<float> Assignment::distances() const {
  std::vector<float> out(squared_distance.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::sqrt(squared_distance[i]);
  return out;
}

std::vector<int32_t> Assignment::segment_ids(const std::vector<int32_t>& ids) const {
  std::vector<int32_t> out(row.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = ids[row[i]];
  return out;
}

Assignment predict(const FitContext& ctx, const std::vector<float>& centroids, int k) {
  const int64_t n = ctx.shard.n;
  Assignment a{std::vector<int32_t>(n), std::vector<float>(n), std::vector<float>(n), std::vector<int64_t>(k, 0)};
  ctx.backend.assign_and_accumulate(centroids.data(), k, ctx.summary.quantization, nullptr, a.row.data(),
                                    a.squared_distance.data(), a.runner_up_squared_distance.data());
  for (int32_t row : a.row) a.sizes[row] += 1;
  ctx.comm.sum(a.sizes.data(), a.sizes.size());
  return a;
}

}  // namespace kseg
