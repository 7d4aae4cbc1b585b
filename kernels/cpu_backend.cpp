#include <omp.h>

#include <algorithm>
#include <cmath>

#include "kernels/backend.hpp"
#include "kernels/detail/cpu_tile.hpp"

namespace kseg {
namespace {

using detail::kLanes;
using detail::Tile;

// One thread's share of a fused pass: its own accumulators, no atomics.
struct ThreadSums {
  std::vector<int64_t> block_sums;  // k × d, carried into `totals` every kInt64Block points
  LloydSums totals;
  int64_t points_in_block = 0;

  void reset(int k, int d) {
    block_sums.assign(static_cast<std::size_t>(k) * d, 0);
    totals.reset(k, d);
    points_in_block = 0;
  }
  void carry() {
    for (std::size_t i = 0; i < block_sums.size(); ++i) {
      totals.feature_sums[i] += block_sums[i];
      block_sums[i] = 0;
    }
    points_in_block = 0;
  }
  void add(const float* row, int d, int segment, float sq_distance, const Quantization& q) {
    detail::add_quantized_row(row, d, q.feature_scale.data(), block_sums.data() + static_cast<std::size_t>(segment) * d);
    totals.counts[segment] += 1;
    totals.inertia += FixedPoint::quantize(sq_distance, q.distance_scale);
    if (++points_in_block == FixedPoint::kInt64Block) carry();
  }
};

// Splits [0, tiles) evenly over the threads of the enclosing parallel region.
void thread_range(int64_t tiles, int64_t& begin, int64_t& end) {
  const int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
  begin = tiles * t / threads;
  end = tiles * (t + 1) / threads;
}

class CpuBackend final : public Backend {
 public:
  std::string name() const override { return "cpu"; }

  void load_shard(const ShardView& shard) override { shard_ = shard; }

  void assign_and_accumulate(const float* centroids, int k, const Quantization& q, LloydSums* sums,
                             int32_t* labels, float* sq_distances) override {
    const int d = shard_.d;
    const int64_t tiles = (shard_.n + kLanes - 1) / kLanes;
    std::vector<ThreadSums> per_thread(static_cast<std::size_t>(omp_get_max_threads()));
#pragma omp parallel
    {
      ThreadSums& mine = per_thread[omp_get_thread_num()];
      if (sums) mine.reset(k, d);
      Tile tile;
      float best[kLanes];
      int32_t best_index[kLanes];
      int64_t begin, end;
      thread_range(tiles, begin, end);
      for (int64_t t = begin; t < end; ++t) {
        const int64_t first = t * kLanes;
        const int count = static_cast<int>(std::min<int64_t>(kLanes, shard_.n - first));
        tile.load(shard_.x, shard_.d, first, count);
        detail::nearest_in_tile(tile, d, centroids, k, best, best_index);
        for (int lane = 0; lane < count; ++lane) {
          const int64_t i = first + lane;
          if (labels) labels[i] = best_index[lane];
          if (sq_distances) sq_distances[i] = best[lane];
          if (sums) mine.add(shard_.x + i * d, d, best_index[lane], best[lane], q);
        }
      }
      if (sums) mine.carry();
    }
    if (!sums) return;
    sums->reset(k, d);
    for (const ThreadSums& part : per_thread) {
      if (part.totals.k == 0) continue;  // a thread the runtime did not start
      for (std::size_t i = 0; i < sums->feature_sums.size(); ++i) sums->feature_sums[i] += part.totals.feature_sums[i];
      for (int c = 0; c < k; ++c) sums->counts[c] += part.totals.counts[c];
      sums->inertia += part.totals.inertia;
    }
  }

  void lower_min_sq_distances(const float* centroids, int k, float* min_sq_distances) override {
    const int64_t tiles = (shard_.n + kLanes - 1) / kLanes;
#pragma omp parallel
    {
      Tile tile;
      float best[kLanes];
      int32_t best_index[kLanes];
      int64_t begin, end;
      thread_range(tiles, begin, end);
      for (int64_t t = begin; t < end; ++t) {
        const int64_t first = t * kLanes;
        const int count = static_cast<int>(std::min<int64_t>(kLanes, shard_.n - first));
        tile.load(shard_.x, shard_.d, first, count);
        detail::nearest_in_tile(tile, shard_.d, centroids, k, best, best_index);
        for (int lane = 0; lane < count; ++lane)
          min_sq_distances[first + lane] = std::min(min_sq_distances[first + lane], best[lane]);
      }
    }
  }

 private:
  ShardView shard_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace kseg
