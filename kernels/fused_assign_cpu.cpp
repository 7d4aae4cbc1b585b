#include <omp.h>

#include <algorithm>
#include <cmath>

#include "kernels/backend.hpp"
#include "kernels/detail/cpu_tile.hpp"

namespace kseg {
namespace {

using detail::kLanes;
using detail::Tile;

// One thread's share of a fused pass: its own accumulators, no atomics; a cache line of its own
// so that threads counting points do not contend for one line.
struct alignas(64) ThreadSums {
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
    const std::size_t first = static_cast<std::size_t>(segment) * d;
    if (!detail::add_row_on_grid(row, d, q.feature_scale.data(), block_sums.data() + first))
      add_off_grid(row, d, first, q);
    totals.counts[segment] += 1;
    int64_t on_grid = 0;
    if (GridSum::lands_on_grid(sq_distance, q.distance_scale, &on_grid)) totals.inertia += on_grid;
    else totals.off_grid_at(totals.inertia_slot()).add(sq_distance);
    if (++points_in_block == FixedPoint::kInt64Block) carry();
  }
  // The values of the row that add_row_on_grid() left out, added exactly.
  void add_off_grid(const float* row, int d, std::size_t first, const Quantization& q) {
    for (int j = 0; j < d; ++j) {
      int64_t unused = 0;
      if (!GridSum::lands_on_grid(row[j], q.feature_scale[j], &unused)) totals.off_grid_at(first + j).add(row[j]);
    }
  }
};

// The one loop of every pass: each thread takes a contiguous run of tiles, finds each point's
// nearest centroid, and hands the tile's results to visit(thread, first_row, count, best, index).
template <typename Visit>
void for_each_tile(const ShardView& shard, const float* centroids, int k, Visit visit) {
  const int64_t tiles = (shard.n + kLanes - 1) / kLanes;
#pragma omp parallel
  {
    const int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
    Tile tile;
    float best[kLanes];
    int32_t best_index[kLanes];
    for (int64_t t = tiles * thread / threads; t < tiles * (thread + 1) / threads; ++t) {
      const int64_t first = t * kLanes;
      const int count = static_cast<int>(std::min<int64_t>(kLanes, shard.n - first));
      tile.load(shard.x, shard.d, first, count);
      detail::nearest_in_tile(tile, shard.d, centroids, k, best, best_index);
      visit(static_cast<int>(thread), first, count, best, best_index);
    }
  }
}

class CpuBackend final : public Backend {
 public:
  std::string name() const override { return "cpu"; }

  void load_shard(const ShardView& shard) override { shard_ = shard; }

  void assign_and_accumulate(const float* centroids, int k, const Quantization& q, LloydSums* sums,
                             int32_t* labels, float* sq_distances) override {
    const int d = shard_.d;
    std::vector<ThreadSums> per_thread(static_cast<std::size_t>(omp_get_max_threads()));
    if (sums)
      for (ThreadSums& part : per_thread) part.reset(k, d);
    for_each_tile(shard_, centroids, k, [&](int thread, int64_t first, int count, const float* best, const int32_t* index) {
      for (int lane = 0; lane < count; ++lane) {
        const int64_t i = first + lane;
        if (labels) labels[i] = index[lane];
        if (sq_distances) sq_distances[i] = best[lane];
        if (sums) per_thread[thread].add(shard_.x + i * d, d, index[lane], best[lane], q);
      }
    });
    if (!sums) return;
    sums->reset(k, d);
    for (ThreadSums& part : per_thread) {
      part.carry();
      sums->add(part.totals);
    }
  }

  void lower_min_sq_distances(const float* centroids, int k, float* min_sq_distances) override {
    for_each_tile(shard_, centroids, k, [&](int, int64_t first, int count, const float* best, const int32_t*) {
      for (int lane = 0; lane < count; ++lane)
        min_sq_distances[first + lane] = std::min(min_sq_distances[first + lane], best[lane]);
    });
  }

 private:
  ShardView shard_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace kseg
