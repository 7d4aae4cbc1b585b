#include "cluster/customer_sample.hpp"

#include <omp.h>

#include "common/thread_runs.hpp"
#include "kernels/philox.hpp"

namespace kseg {

CustomerSample draw_customer_sample(const ShardView& shard, const int64_t* ids, uint64_t seed, uint32_t stream,
                                    uint32_t counter, double share) {
  const auto d = static_cast<std::size_t>(shard.d);
  std::vector<CustomerSample> parts(static_cast<std::size_t>(omp_get_max_threads()));
#pragma omp parallel
  {  // each thread draws from its run of rows; the runs joined in order keep the shard's order
    CustomerSample& part = parts[static_cast<std::size_t>(omp_get_thread_num())];
    const auto [begin, end] = run_of_thread(shard.n);
    for (int64_t i = begin; i < end; ++i) {
      if (Philox::uniform(seed, ids[i], stream, counter) >= share) continue;
      part.x.insert(part.x.end(), shard.x + i * d, shard.x + (i + 1) * d);
      part.ids.push_back(ids[i]);
      part.origin.push_back(i);
    }
  }
  CustomerSample sample;
  sample.d = shard.d;
  for (const CustomerSample& part : parts) {
    sample.x.insert(sample.x.end(), part.x.begin(), part.x.end());
    sample.ids.insert(sample.ids.end(), part.ids.begin(), part.ids.end());
    sample.origin.insert(sample.origin.end(), part.origin.begin(), part.origin.end());
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
