#pragma once

// The pieces every CPU pass is built from (kernels/fused_assign_cpu.cpp,
// kernels/grouped_pass_cpu.cpp): per-thread exact sums, the tile loop of full searches, the
// gathering of rows a bounded pass must look at again, and each point's state between passes.

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/thread_runs.hpp"
#include "kernels/backend.hpp"
#include "kernels/detail/cpu_tile.hpp"
#include "kernels/detail/distance_bounds.hpp"

namespace kseg::detail {

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
    add_distance(sq_distance, q);
  }
  // A squared distance into the inertia alone.
  void add_distance(float sq_distance, const Quantization& q) {
    int64_t on_grid = 0;
    if (GridSum::lands_on_grid(sq_distance, q.distance_scale, &on_grid)) totals.inertia += on_grid;
    else totals.off_grid_at(totals.inertia_slot()).add(sq_distance);
  }
  // The row's features and one count, without a distance.
  // Inlined: as a call per row it was a seventh of a full pass (10M x 6, K = 8: 50 -> 43 ms).
  [[gnu::always_inline]] void add_row(const float* row, int d, int segment, const Quantization& q) {
    const std::size_t first = static_cast<std::size_t>(segment) * d;
    if (!add_row_on_grid(row, d, q.feature_scale.data(), block_sums.data() + first))
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

// Bit b set where bytes[b] is 0, for the 64 bytes from `bytes` on.
inline uint64_t zero_bytes(const uint8_t* bytes) {
#if defined(__AVX512BW__)
  return _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(bytes), _mm512_setzero_si512());
#else
  uint64_t mask = 0;
  for (int b = 0; b < 64; ++b) mask |= static_cast<uint64_t>(bytes[b] == 0) << b;
  return mask;
#endif
}

// Asks for the cache line at `line`. Not __builtin_prefetch alone: GCC counts it no side effect,
// and under -ffinite-loops (C++, -O2 and up) deleted every loop made only of prefetches.
inline void prefetch_line(std::uintptr_t line) {
#if defined(__x86_64__)
  asm volatile("prefetcht0 (%0)" : : "r"(line));
#else
  __builtin_prefetch(reinterpret_cast<const void*>(line));
#endif
}

// Asks for every cache line of point i's row (a row need not start on a line: a large vector
// starts 16 bytes into its pages).
inline void prefetch_row(const ShardView& shard, int64_t i) {
  const auto begin = reinterpret_cast<std::uintptr_t>(shard.x + i * shard.d) & ~std::uintptr_t{63};
  const auto end = reinterpret_cast<std::uintptr_t>(shard.x + (i + 1) * shard.d);
  for (std::uintptr_t line = begin; line < end; line += 64) prefetch_line(line);
}

// The one loop of every full pass: each thread takes a contiguous run of tiles, finds each
// point's nearest centroid (and, with kRunnerUp, the second nearest distance), and hands the
// tile's results to visit(thread, first_row, count, nearest).
template <bool kRunnerUp = false, typename Visit>
void for_each_tile(const ShardView& shard, const float* centroids, int k, Visit visit) {
  const int64_t tiles = (shard.n + kLanes - 1) / kLanes;
#pragma omp parallel
  {
    const int thread = omp_get_thread_num();
    const auto [begin, end] = run_of_thread(tiles);
    Tile tile;
    TileNearest found;
    for (int64_t t = begin; t < end; ++t) {
      const int64_t first = t * kLanes;
      const int count = static_cast<int>(std::min<int64_t>(kLanes, shard.n - first));
      tile.load(shard.x, shard.d, first, count);
      nearest_in_tile<kRunnerUp>(tile, shard.d, centroids, k, found.best, found.index, found.second);
      visit(thread, first, count, found);
    }
  }
}

// The bounds of a tile's first `count` points from their search (bounds_from_search), in a loop
// of their own so that the square roots run across SIMD lanes.
inline void tile_bounds(const TileNearest& found, int count, int d, float* __restrict upper, float* __restrict lower) {
#pragma omp simd
  for (int lane = 0; lane < count; ++lane) bounds_from_search(found.best[lane], found.second[lane], d, upper[lane], lower[lane]);
}

// Points a bounded pass must look at again, gathered a tile at a time.
struct PendingRows {
  int64_t rows[kLanes];
  int count = 0;
};

/// Rows taken from anywhere and searched against every centroid a tile at a time (with
/// kRunnerUp, for the second-nearest distance too): Derived::found(rows, nearest) receives each
/// tile's results, when it is full and at finish().
template <typename Derived, bool kRunnerUp>
class GatheredSearch {
 public:
  GatheredSearch(const ShardView& shard, const float* centroids, int k) : shard_(shard), centroids_(centroids), k_(k) {}

  void take(int64_t i) {
    pending_.rows[pending_.count++] = i;
    if (pending_.count == kLanes) search();
  }
  void finish() {
    if (pending_.count > 0) search();
  }

 protected:
  const ShardView& shard_;

 private:
  void search() {
    tile_.load_rows(shard_.x, shard_.d, pending_.rows, pending_.count);
    nearest_in_tile<kRunnerUp>(tile_, shard_.d, centroids_, k_, found_.best, found_.index, found_.second);
    static_cast<Derived*>(this)->found(pending_, found_);
    pending_.count = 0;
  }

  const float* centroids_;
  int k_;
  Tile tile_;
  TileNearest found_;
  PendingRows pending_;
};

/// How far the bounds set in each bounded pass since the last full pass may have moved by now. A
/// point's bounds stay as the pass that set them left them and are moved when read, so that a
/// pass writes nothing for the points they still prove. A point's drift key, pass · k + segment,
/// indexes the tables below. Most points are proven by their slack alone (FloatProof::slack): 6
/// bytes read a point (key, slack) and one table lookup, where moving its upper and lower bounds
/// read 10 bytes and took three lookups (the retailer, 10M x 6, K = 8, on an AMD EPYC: that test
/// of every point took 6.5-7.5 ms a pass, as much in compute as in memory traffic).
class BoundDrift {
 public:
  /// Keys are 16 bits: once the next pass's would not fit, a full pass starts over.
  static constexpr int64_t kKeys = int64_t{1} << 16;

  /// A full pass set every bound: pass 0.
  void reset(int k, int d) {
    k_ = k;
    proof_ = FloatProof(d);
    passes_ = 0;
    upper_total_.assign(k, 0.0);
    lower_total_.assign(k, 0.0);
  }
  const FloatProof& proof() const { return proof_; }
  /// A bounded pass, after the centroids moved by m.
  void advance(const CentroidMotionView& m) {
    const std::size_t then = static_cast<std::size_t>(passes_) * k_;
    ++passes_;
    for (int c = 0; c < k_; ++c) {  // sums rounded up, so that their differences stay above the true ones
      upper_total_.push_back((upper_total_[then + c] + m.moved[c]) * (1.0 + 0x1p-50));
      lower_total_.push_back((lower_total_[then + c] + (c == m.farthest_mover ? m.second_most_moved : m.most_moved)) *
                             (1.0 + 0x1p-50));
    }
    since(upper_total_, upper_since_);
    since(lower_total_, lower_since_);
    two_half_gap_.resize(upper_since_.size());
    slack_used_.resize(upper_since_.size());
    for (std::size_t key = 0; key < two_half_gap_.size(); ++key) {
      two_half_gap_[key] = round_down(2.0 * m.half_gap[key % k_]);
      slack_used_[key] = proof_.slack_used(upper_since_[key], lower_since_[key]);
    }
  }
  /// The drift key of a point of `segment` whose bounds this pass sets.
  uint16_t key(int32_t segment) const { return static_cast<uint16_t>(passes_ * k_ + segment); }
  /// The segment a drift key was made for.
  int32_t segment(uint16_t key) const { return key % k_; }
  bool exhausted() const { return (passes_ + 2) * static_cast<int64_t>(k_) > kKeys; }
  /// By key: ≥ how far the point's centroid moved since the key's pass.
  const float* upper_since() const { return upper_since_.data(); }
  /// By key: ≥ how far any other centroid moved since the key's pass.
  const float* lower_since() const { return lower_since_.data(); }
  /// By key: ≤ twice CentroidMotionView::half_gap of the point's centroid, this pass.
  const float* two_half_gap() const { return two_half_gap_.data(); }
  /// By key: ≥ what the moves since the key's pass take from a slack (FloatProof::slack_used).
  const float* slack_used() const { return slack_used_.data(); }

 private:
  // since[pass · k + c] ≥ total[now][c] − total[pass][c], in float (the difference of two sums
  // rounds once more: widened).
  void since(const std::vector<double>& total, std::vector<float>& out) const {
    const std::size_t now = static_cast<std::size_t>(passes_) * k_;
    out.resize(now + k_);
    for (std::size_t at = 0; at < out.size(); ++at) out[at] = round_up((total[now + at % k_] - total[at]) * (1.0 + 0x1p-50));
  }

  int k_ = 0;
  FloatProof proof_{1};
  int passes_ = 0;
  std::vector<double> upper_total_, lower_total_;  // (passes + 1) × k: each centroid's summed moves since the full pass
  std::vector<float> upper_since_, lower_since_, two_half_gap_, slack_used_;  // (passes + 1) × k, by key
};

// Per point between bounded passes: its segment and the bounds that may prove it, as of the pass
// of its drift key: the upper one, and the lower one within the slack.
struct PointBounds {
  std::vector<float> upper;  // ≥ the distance to its centroid
  std::vector<float> slack;  // FloatProof::slack of the upper bound and a lower one (≤ the distance to every other centroid)
  std::vector<uint16_t> key;  // BoundDrift::key(segment) of the pass that set the bounds
  BoundDrift drift;

  /// Point i's segment, as its drift key records it: no array of labels, which a bounded pass read
  /// for every searched point (a cache miss each) and a full pass wrote (4 bytes a point).
  int32_t segment(int64_t i) const { return drift.segment(key[i]); }

  /// Point i's bounds as of this pass, and its segment (after any change).
  void set(int64_t i, int32_t segment, float upper_now, float lower_now) {
    upper[i] = upper_now;
    set_slack(i, segment, upper_now, lower_now);
  }
  /// As set(), the upper bound left as it was: for passes that do not retest, up to the next
  /// full pass, which sets every upper bound again (the retest alone reads them).
  void set_slack(int64_t i, int32_t segment, float upper_now, float lower_now) {
    slack[i] = drift.proof().slack(upper_now, lower_now);
    key[i] = drift.key(segment);
  }

  /// Point i's bounds moved to this pass, the lower one raised to what the gap between centroids
  /// gives; true when they prove its segment (FloatProof::proves).
  bool retest(int64_t i, float& upper_now, float& lower_now) const {
    const FloatProof& proof = drift.proof();
    const uint16_t k = key[i];
    upper_now = FloatProof::upper(upper[i], drift.upper_since()[k]);
    const float moved = FloatProof::lower(proof.lower_within(slack[i], upper[i]), drift.lower_since()[k]);
    const float by_gap = FloatProof::lower(drift.two_half_gap()[k], upper_now);
    lower_now = moved > by_gap ? moved : by_gap;
    return proof.proves(upper_now, lower_now, 0.0f);
  }
};

/// Adds up the threads' sums into `sums` (reset first).
inline void sum_threads(std::vector<ThreadSums>& per_thread, int k, LloydSums* sums) {
  sums->reset(k, per_thread.front().totals.d);
  for (ThreadSums& part : per_thread) {
    part.carry();
    sums->add(part.totals);
  }
}

/// What one thread's bounded pass changed: the rows of the points that changed segment, taken
/// out of the old segment's sums and added to the new one's, and what the searches cost.
struct ThreadMoves {
  ThreadSums arrivals, departures;
  int64_t moved = 0;     // points whose segment changed
  int64_t searched = 0;  // points whose distance to some other centroid was computed
  double work = 0;       // distance computations, in searches of one point against every centroid

  void reset(int k, int d) {
    arrivals.reset(k, d);
    departures.reset(k, d);
    moved = searched = 0;
    work = 0;
  }
  /// A point found at `to`, `sq_now` that was at `from`, `sq_before`: its row and distance out of
  /// the sums as they were and into them as they are, where they changed.
  void reassign(const float* row, int d, const Quantization& q, int32_t from, float sq_before, int32_t to, float sq_now) {
    if (to != from) {
      departures.add(row, d, from, sq_before, q);
      arrivals.add(row, d, to, sq_now, q);
      ++moved;
    } else if (sq_now != sq_before) {
      departures.add_distance(sq_before, q);
      arrivals.add_distance(sq_now, q);
    }
  }
  /// Point i's row moved from its segment's sums to those of `to`, if that differs; the caller's
  /// PointBounds::set() then records the segment.
  void relabel(const ShardView& shard, const Quantization& q, PointBounds& points, int64_t i, int32_t to) {
    const int32_t from = points.segment(i);
    if (to == from) return;
    departures.add_row(shard.x + i * shard.d, shard.d, from, q);
    arrivals.add_row(shard.x + i * shard.d, shard.d, to, q);
    ++moved;
  }
};

/// The threads' moves applied to the sums of the assignment before the pass; `assigned` then
/// counts this pass's moved and searched points. Returns the pass's work (ThreadMoves::work).
inline double apply_moves(std::vector<ThreadMoves>& per_thread, int k, LloydSums& assigned) {
  std::vector<ThreadSums> arrivals, departures;
  LloydSums change;
  double work = 0;
  assigned.moved = assigned.searched = 0;
  for (ThreadMoves& t : per_thread) {
    arrivals.push_back(std::move(t.arrivals));
    departures.push_back(std::move(t.departures));
    assigned.moved += t.moved;
    assigned.searched += t.searched;
    work += t.work;
  }
  sum_threads(arrivals, k, &change);
  assigned.add(change);
  sum_threads(departures, k, &change);
  assigned.add(change, -1);
  return work;
}

}  // namespace kseg::detail
