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

}  // namespace kseg
