#include <omp.h>

#include <algorithm>
#include <cmath>

#include "kernels/backend.hpp"
#include "kernels/detail/cpu_tile.hpp"
#include "kernels/detail/distance_bounds.hpp"
#include "kernels/distance.hpp"

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
    add_row(row, d, segment, q);
    int64_t on_grid = 0;
    if (GridSum::lands_on_grid(sq_distance, q.distance_scale, &on_grid)) totals.inertia += on_grid;
    else totals.off_grid_at(totals.inertia_slot()).add(sq_distance);
  }
  // The row's features and one count, without a distance.
  void add_row(const float* row, int d, int segment, const Quantization& q) {
    const std::size_t first = static_cast<std::size_t>(segment) * d;
    if (!detail::add_row_on_grid(row, d, q.feature_scale.data(), block_sums.data() + first))
      add_off_grid(row, d, first, q);
    totals.counts[segment] += 1;
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

// What a tile's search found for each of its points.
struct TileNearest {
  float best[kLanes];
  int32_t index[kLanes];
  float second[kLanes];  // with kRunnerUp only
};

// The one loop of every full pass: each thread takes a contiguous run of tiles, finds each
// point's nearest centroid (and, with kRunnerUp, the second nearest distance), and hands the
// tile's results to visit(thread, first_row, count, nearest).
template <bool kRunnerUp = false, typename Visit>
void for_each_tile(const ShardView& shard, const float* centroids, int k, Visit visit) {
  const int64_t tiles = (shard.n + kLanes - 1) / kLanes;
#pragma omp parallel
  {
    const int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
    Tile tile;
    TileNearest found;
    for (int64_t t = tiles * thread / threads; t < tiles * (thread + 1) / threads; ++t) {
      const int64_t first = t * kLanes;
      const int count = static_cast<int>(std::min<int64_t>(kLanes, shard.n - first));
      tile.load(shard.x, shard.d, first, count);
      detail::nearest_in_tile<kRunnerUp>(tile, shard.d, centroids, k, found.best, found.index, found.second);
      visit(static_cast<int>(thread), first, count, found);
    }
  }
}

// Points a bounded pass must look at again, gathered a tile at a time.
struct PendingRows {
  int64_t rows[kLanes];
  int count = 0;
};

// Each lane's canonical squared distance to its own centroid, as squared_distance() computes it
// (features in order, one fused multiply-add each), for a tile loaded with load_rows().
void own_distances(const Tile& tile, int d, const float* centroids, const int32_t* label, float* out) {
  float acc[kLanes] = {};
  for (int j = 0; j < d; ++j) {
    const float* x = tile.features.data() + static_cast<std::size_t>(j) * kLanes;
    for (int lane = 0; lane < kLanes; ++lane) {
      const float diff = x[lane] - centroids[static_cast<int64_t>(label[lane]) * d + j];
      acc[lane] = std::fmaf(diff, diff, acc[lane]);
    }
  }
  std::copy_n(acc, kLanes, out);
}

// Per point between bounded passes: its segment and the bounds that may prove it.
struct PointBounds {
  std::vector<int32_t> label;
  std::vector<float> upper;  // ≥ the distance to its centroid
  std::vector<float> lower;  // ≤ the distance to every other centroid
};

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
    for_each_tile(shard_, centroids, k, [&](int thread, int64_t first, int count, const TileNearest& found) {
      for (int lane = 0; lane < count; ++lane) {
        const int64_t i = first + lane;
        if (labels) labels[i] = found.index[lane];
        if (sq_distances) sq_distances[i] = found.best[lane];
        if (sums) per_thread[thread].add(shard_.x + i * d, d, found.index[lane], found.best[lane], q);
      }
    });
    if (sums) total_of(per_thread, k, sums);
  }

  void lower_min_sq_distances(const float* centroids, int k, float* min_sq_distances) override {
    for_each_tile(shard_, centroids, k, [&](int, int64_t first, int count, const TileNearest& found) {
      for (int lane = 0; lane < count; ++lane)
        min_sq_distances[first + lane] = std::min(min_sq_distances[first + lane], found.best[lane]);
    });
  }

  void assign_bounded(const float* centroids, int k, const Quantization& q, const CentroidMotion* motion,
                      LloydSums* sums) override {
    // After a bounded pass that searched more points than pays (the first iterations; data where
    // many customers lie near a boundary), full passes are faster and leave tight bounds: one,
    // then twice as many each time following fails again, up to kMostFullPasses. Either way the
    // result is the same.
    if (!motion) full_passes_due_ = 0, backoff_ = 1;  // a new fit
    if (motion && full_passes_due_ == 0) {
      follow_centroids(centroids, k, q, motion->view());
      if (static_cast<double>(assigned_.searched) > most_searched_to_follow(k) * static_cast<double>(shard_.n)) {
        full_passes_due_ = backoff_;
        backoff_ = std::min(2 * backoff_, kMostFullPasses);
      } else {
        backoff_ = 1;
      }
    } else if (full_passes_due_ > 1) {
      full_pass<false>(centroids, k, q, true);
      --full_passes_due_;
    } else {
      full_pass<true>(centroids, k, q, motion != nullptr);
      full_passes_due_ = 0;
    }
    *sums = assigned_;
  }

 private:
  static void total_of(std::vector<ThreadSums>& per_thread, int k, LloydSums* sums) {
    sums->reset(k, per_thread.front().totals.d);
    for (ThreadSums& part : per_thread) {
      part.carry();
      sums->add(part.totals);
    }
  }

  // A full pass that sets every point's segment, with kBounds its bounds, and this rank's sums;
  // `count_moves` when the labels before it belong to the same fit. Without bounds it is cheaper
  // (no runner-up), for the full passes that are not followed by a bounded one.
  template <bool kBounds>
  void full_pass(const float* centroids, int k, const Quantization& q, bool count_moves) {
    const int d = shard_.d;
    bounds_.label.resize(shard_.n);
    if (kBounds) bounds_.upper.resize(shard_.n), bounds_.lower.resize(shard_.n);
    std::vector<ThreadSums> per_thread(static_cast<std::size_t>(omp_get_max_threads()));
    std::vector<int64_t> moved(per_thread.size());
    for (ThreadSums& part : per_thread) part.reset(k, d);
    for_each_tile<kBounds>(shard_, centroids, k, [&](int thread, int64_t first, int count, const TileNearest& found) {
      for (int lane = 0; lane < count; ++lane) {
        const int64_t i = first + lane;
        if (count_moves && bounds_.label[i] != found.index[lane]) ++moved[thread];
        bounds_.label[i] = found.index[lane];
        if constexpr (kBounds)
          detail::bounds_from_search(found.best[lane], found.second[lane], d, bounds_.upper[i], bounds_.lower[i]);
        per_thread[thread].add_row(shard_.x + i * d, d, found.index[lane], q);
      }
    });
    total_of(per_thread, k, &assigned_);
    assigned_.searched = shard_.n;
    for (int64_t m : moved) assigned_.moved += m;
  }

  // The bounded pass proper: each thread follows its run of points; a point its moved bounds do
  // not prove gets its distance to its own centroid, and if that does not prove it either, a full
  // search (a tile at a time). A point that changes segment moves its row between the sums.
  void follow_centroids(const float* centroids, int k, const Quantization& q, const detail::CentroidMotionView& motion) {
    const int d = shard_.d;
    std::vector<ThreadSums> arrivals(static_cast<std::size_t>(omp_get_max_threads())), departures(arrivals.size());
    std::vector<int64_t> searched(arrivals.size()), moved(arrivals.size());
#pragma omp parallel
    {
      const int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
      arrivals[thread].reset(k, d);
      departures[thread].reset(k, d);
      Tile tile;
      TileNearest found;
      PendingRows unproven, pending;
      auto search = [&]() {
        tile.load_rows(shard_.x, d, pending.rows, pending.count);
        detail::nearest_in_tile<true>(tile, d, centroids, k, found.best, found.index, found.second);
        for (int lane = 0; lane < pending.count; ++lane) {
          const int64_t i = pending.rows[lane];
          detail::bounds_from_search(found.best[lane], found.second[lane], d, bounds_.upper[i], bounds_.lower[i]);
          if (found.index[lane] == bounds_.label[i]) continue;
          departures[thread].add_row(shard_.x + i * d, d, bounds_.label[i], q);
          arrivals[thread].add_row(shard_.x + i * d, d, found.index[lane], q);
          bounds_.label[i] = found.index[lane];
          ++moved[thread];
        }
        searched[thread] += pending.count;
        pending.count = 0;
      };
      // Points whose moved bounds fell short: their distance to their own centroid, exact, may do.
      auto tighten = [&]() {
        int32_t label[kLanes];
        float own[kLanes];
        for (int lane = 0; lane < kLanes; ++lane) label[lane] = bounds_.label[unproven.rows[std::min(lane, unproven.count - 1)]];
        tile.load_rows(shard_.x, d, unproven.rows, unproven.count);
        own_distances(tile, d, centroids, label, own);
        for (int lane = 0; lane < unproven.count; ++lane) {  // search() below reuses the tile, not `own`
          const int64_t i = unproven.rows[lane];
          bounds_.upper[i] = detail::upper_from_squared(own[lane], d);
          if (detail::proves_label(bounds_.upper[i], detail::gap_lower(bounds_.upper[i], bounds_.lower[i], label[lane], motion), d))
            continue;
          pending.rows[pending.count++] = i;
          if (pending.count == kLanes) search();
        }
        unproven.count = 0;
      };
      const int64_t begin = shard_.n * thread / threads, end = shard_.n * (thread + 1) / threads;
      for (int64_t block = begin; block < end; block += kBoundsBlock) {
        uint8_t proven[kBoundsBlock];
        const int count = static_cast<int>(std::min<int64_t>(kBoundsBlock, end - block));
        move_block_bounds(block, count, motion, d, proven);
        for (int b = 0; b < count; ++b) {
          if (proven[b]) continue;
          prefetch_row(block + b);  // read by tighten() a few points later: its cache misses overlap
          unproven.rows[unproven.count++] = block + b;
          if (unproven.count == kLanes) tighten();
        }
      }
      if (unproven.count > 0) tighten();
      if (pending.count > 0) search();
    }
    LloydSums change;
    total_of(arrivals, k, &change);
    assigned_.add(change);
    total_of(departures, k, &change);
    assigned_.add(change, -1);
    assigned_.moved = assigned_.searched = 0;
    for (std::size_t t = 0; t < arrivals.size(); ++t) {
      assigned_.moved += moved[t];
      assigned_.searched += searched[t];
    }
  }

  // Points [first, first + count): bounds moved with the centroids, and whether they prove the
  // point's segment. Branch-free, so that the compiler runs it across SIMD lanes.
  void move_block_bounds(int64_t first, int count, const detail::CentroidMotionView& motion, int d, uint8_t* proven) {
    const int32_t* __restrict label = bounds_.label.data() + first;
    float* __restrict upper = bounds_.upper.data() + first;
    float* __restrict lower = bounds_.lower.data() + first;
#pragma omp simd
    for (int b = 0; b < count; ++b) proven[b] = detail::proves_label(upper[b], detail::move_bounds(upper[b], lower[b], label[b], motion), d);
  }

  void prefetch_row(int64_t i) const {
    const char* row = reinterpret_cast<const char*>(shard_.x + i * shard_.d);
    for (int64_t byte = 0; byte < static_cast<int64_t>(sizeof(float)) * shard_.d; byte += 64) __builtin_prefetch(row + byte);
  }

  static constexpr int kBoundsBlock = 256;
  // The share of points a bounded pass may search and still beat a full pass: a searched point
  // costs about four times its share of a full pass (its row gathered, its own distance, then
  // every centroid), and moving the bounds a third of a full pass at small K. Measured break-even:
  // 8% at K = 8, D = 6; 16% at K = 16, D = 16; about half at K = 64, D = 32.
  static double most_searched_to_follow(int k) { return std::clamp(k / 128.0, 0.1, 0.5); }
  static constexpr int kMostFullPasses = 8;
  ShardView shard_;
  PointBounds bounds_;
  LloydSums assigned_;  // this rank's exact sums of bounds_.label
  int full_passes_due_ = 0;  // before the next try at following the centroids
  int backoff_ = 1;          // full passes after the next bounded pass that searches more than pays
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace kseg
