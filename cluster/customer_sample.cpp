#include "cluster/customer_sample.hpp"

#include "kernels/philox.hpp"

namespace kseg {

CustomerSample draw_customer_sample(const ShardView& shard, const int64_t* ids, uint64_t seed, uint32_t stream,
                                    uint32_t counter, double share) {
  CustomerSample sample;
  sample.d = shard.d;
  const auto d = static_cast<std::size_t>(shard.d);
  for (int64_t i = 0; i < shard.n; ++i) {
    if (Philox::uniform(seed, ids[i], stream, counter) >= share) continue;
    sample.x.insert(sample.x.end(), shard.x + i * d, shard.x + (i + 1) * d);
    sample.ids.push_back(ids[i]);
    sample.origin.push_back(i);
  }
  return sample;
}

std::unique_ptr<SampleOnCpu> sample_on_cpu(const FitContext& ctx, int64_t size, int64_t at_least, uint64_t seed,
                                           uint32_t stream, uint32_t counter, const std::string& during) {
  const double share = static_cast<double>(size) / static_cast<double>(ctx.summary.total_points);
  auto sample = std::make_unique<SampleOnCpu>();
  sample->customers = draw_customer_sample(ctx.shard, ctx.ids, seed, stream, counter, share);
  const std::vector<int64_t>& ids = sample->customers.ids;
  if (ctx.comm.sum(static_cast<int64_t>(ids.size())) < at_least) return nullptr;
  sample->device = std::make_unique<ShardOnDevice>(sample->customers.view(), ids.data(), make_cpu_backend(), ctx.comm, during);
  return sample;
}

}  // namespace kseg
