#include "pipeline/lloyd_benchmark.hpp"

#include <omp.h>

#include <algorithm>
#include <numeric>
#include <sstream>

#include "bench/roofline.hpp"
#include "cluster/lloyd.hpp"
#include "common/errors.hpp"
#include "common/huge_pages.hpp"
#include "common/number_text.hpp"
#include "io/centroids_file.hpp"
#include "io/feature_file.hpp"
#include "kernels/fixed_point.hpp"
#include "pipeline/thread_choice.hpp"
#include "synth/synthetic_blobs.hpp"

namespace kseg {
namespace {

FeatureShard in_memory_shard(const BenchParams& o, const Communicator& comm) {
  FeatureShard shard;
  shard.total_rows = o.customers;
  shard.d = o.features;
  shard.block = row_block(o.customers, comm.size(), comm.rank());
  shard.customer_id.resize(shard.block.count);
  resize_on_huge_pages(shard.matrix, static_cast<std::size_t>(shard.block.count) * shard.d);
  std::vector<int32_t> truth(shard.block.count);
  generate_rows(make_blob_model(o.k.front(), o.features, o.seed, 4.0), shard.block.first, shard.block.count,
                shard.customer_id.data(), shard.matrix.data(), truth.data());
  return shard;
}

struct Floor {
  double ms = 0;
  std::string basis;
};

// CPU: the slower of reading n·d·4 bytes and doing 2·n·k·d flops at the measured rates. CUDA:
// the HBM floor, n·d·4 bytes at the measured device read bandwidth.
Floor lloyd_floor(bool cuda, double n, int d, int k, const Communicator& comm) {
  std::ostringstream basis;
  if (cuda) {
    const double bandwidth = comm.is_root() ? measure_device_read_bandwidth() : 0;
    basis << "device read " << bandwidth / 1e9 << " GB/s";
    return {1e3 * n * d * 4.0 / bandwidth, basis.str()};
  }
  const Roofline roof = measure_roofline();
  basis << "read " << roof.read_bytes_per_second / 1e9 << " GB/s, " << roof.flops_per_second / 1e9 << " GFLOP/s";
  return {1e3 * lloyd_floor_seconds(roof, n, d, k), basis.str()};
}

// ms of the warm-up iteration and then of `iterations` more, slowest rank, and the final
// centroids; bounded iterations as a fit runs them.
std::vector<double> time_lloyd(const FitContext& ctx, std::vector<float>& centroids, int k, int iterations,
                               Acceleration acceleration) {
  std::vector<double> ms;
  std::vector<float> bounds_for;
  for (int i = 0; i <= iterations; ++i) {
    ctx.comm.barrier();
    Stopwatch clock;  // the backend returns after the device's sums reached the host
    const std::optional<BoundKind> bounds = bound_kind(acceleration);
    const LloydSums sums = bounds ? bounded_lloyd_step(ctx, centroids, k, *bounds, bounds_for).sums
                                  : global_lloyd_sums(ctx, centroids, k);
    centroids = centroids_from_sums(sums, ctx.summary.quantization, centroids);
    ms.push_back(clock.milliseconds());
  }
  ctx.comm.max(ms.data(), ms.size());
  return ms;
}

LloydTiming time_k(const FitContext& ctx, const BenchParams& o, int k, bool cuda, const std::string& backend,
                   const Logger& log) {
  KMeansParams params;
  params.k = k;
  params.seed = o.seed;
  params.init = InitMethod::random;
  validate(params, ctx.summary.total_points);
  const int d = ctx.shard.d;
  const std::vector<float> start =
      o.init_centroids.empty() ? initial_centroids(ctx, params, 0) : read_centroids_file(o.init_centroids, k, d);
  log.line("bench     ", with_thousands(ctx.summary.total_points), " x ", d, ", k=", k, ", ", ctx.comm.size(),
           " rank(s), ", backend, cuda ? "" : " x " + std::to_string(omp_get_max_threads()) + " thread(s)", ", ",
           o.iterations, " iterations");
  std::vector<float> centroids = start;
  std::vector<double> ms = time_lloyd(ctx, centroids, k, o.iterations, o.acceleration);
  const Floor floor = lloyd_floor(cuda, static_cast<double>(ctx.summary.total_points), d, k, ctx.comm);
  const double total = std::accumulate(ms.begin(), ms.end(), 0.0);
  const std::size_t late = std::min<std::size_t>(5, ms.size() - 1);  // ms[i] is iteration i + 1
  const double ms_after_5 = std::accumulate(ms.begin() + late, ms.end(), 0.0) / static_cast<double>(ms.size() - late);
  ms.erase(ms.begin());  // the warm-up
  std::sort(ms.begin(), ms.end());
  return {ctx.summary.total_points, d, k, ctx.comm.size(), omp_get_max_threads(), o.iterations, backend,
          to_string(o.acceleration), ms[ms.size() / 2], ms.front(), ms_after_5, total, floor.ms, floor.basis,
          global_lloyd_sums(ctx, centroids, k).inertia_total(ctx.summary.quantization)};
}

}  // namespace

std::vector<LloydTiming> lloyd_benchmark(const BenchParams& o, const Communicator& comm, const Logger& log) {
  choose_threads_per_rank(o.threads, comm);
  if (!o.init_centroids.empty() && o.k.size() != 1) refuse("--init-centroids needs exactly one --k");
  const bool cuda = use_cuda(o.device, comm, log);
  const FeatureShard shard = o.input.empty() ? in_memory_shard(o, comm) : read_feature_shard(o.input, comm);
  const std::unique_ptr<ShardOnDevice> device =
      load_on_device(shard.view(), shard.customer_id.data(), cuda, o.device, comm);
  std::vector<LloydTiming> timings;
  for (int k : o.k) timings.push_back(time_k(device->context(), o, k, cuda, device->backend_name(), log));
  return timings;
}

}  // namespace kseg
