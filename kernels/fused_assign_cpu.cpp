#include <omp.h>

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <utility>

#include "common/huge_pages.hpp"
#include "common/thread_runs.hpp"
#include "kernels/backend.hpp"
#include "kernels/detail/cpu_pass.hpp"
#include "kernels/detail/cpu_tile.hpp"
#include "kernels/detail/distance_bounds.hpp"
#include "kernels/detail/grouped_pass_cpu.hpp"
#include "kernels/distance.hpp"

namespace kseg {
namespace {

using detail::kLanes;
using detail::PendingRows;
using detail::PointBounds;
using detail::ThreadMoves;
using detail::ThreadSums;
using detail::Tile;
using detail::TileNearest;
using detail::sum_threads;

// The Hamerly pass's search: a point its moved bounds leave open is searched against every
// centroid at once, a tile of such points at a time, and gets new, tight bounds from it. Not its
// own distance first, as Hamerly (2010) does: the row's first read is the cost either way, a tile
// search of 16 points is cheap beside it, and a point whose lower bound is reset by the search
// does not fail again the next pass (1M x 16, K = 16 on an AMD EPYC: 3.0 against 4.4 ms an
// iteration after the fifth; the retailer, 10M x 6, K = 8: 23 against 27).
class FullSearch : public detail::GatheredSearch<FullSearch, true> {
 public:
  static constexpr bool kNeedsOwnDistance = false;

  // `retesting`: whether passes up to the next full one may retest, and so read upper bounds.
  FullSearch(const ShardView& shard, const float* centroids, int k, const Quantization& q, PointBounds& points,
             ThreadMoves& moves, bool retesting)
      : GatheredSearch(shard, centroids, k), q_(q), points_(points), moves_(moves), retesting_(retesting) {}

  void found(const PendingRows& pending, const TileNearest& nearest) {
    float upper[kLanes], lower[kLanes];
    detail::tile_bounds(nearest, pending.count, shard_.d, upper, lower);
    for (int lane = 0; lane < pending.count; ++lane) {
      const int64_t i = pending.rows[lane];
      moves_.relabel(shard_, q_, points_, i, nearest.index[lane]);
      // Without a retest the upper bound is not written: each searched point dirtied a cache line
      // of them (10M x 6, K = 8 on an AMD EPYC: the 8th to 17th passes of a fit 5-10% faster).
      if (retesting_) points_.set(i, nearest.index[lane], upper[lane], lower[lane]);
      else points_.set_slack(i, nearest.index[lane], upper[lane], lower[lane]);
    }
    moves_.searched += pending.count;
    moves_.work += pending.count;
  }

 private:
  const Quantization& q_;
  PointBounds& points_;
  ThreadMoves& moves_;
  bool retesting_;
};

// The centroids a pass after a change compares every point with: their rows, in the order of
// `changed`, and per segment whether its own is one of them.
struct ChangedCentroids {
  std::vector<float> rows;
  std::vector<uint8_t> of_segment;

  ChangedCentroids(const float* centroids, int k, int d, const std::vector<int32_t>& changed) : of_segment(k, 0) {
    for (int32_t c : changed) {
      of_segment[c] = 1;
      rows.insert(rows.end(), centroids + static_cast<std::size_t>(c) * d, centroids + static_cast<std::size_t>(c + 1) * d);
    }
  }
};

// The points of a pass after a change whose own centroid changed: searched against every
// centroid, a tile of them at a time, their moves recorded.
class ChangedSegmentSearch : public detail::GatheredSearch<ChangedSegmentSearch, false> {
 public:
  ChangedSegmentSearch(const ShardView& shard, const float* centroids, int k, const Quantization& q, ThreadMoves& moves,
                       int32_t* labels, float* sq_distances)
      : GatheredSearch(shard, centroids, k), q_(q), moves_(moves), labels_(labels), sq_(sq_distances) {}

  void found(const PendingRows& pending, const TileNearest& nearest) {
    for (int lane = 0; lane < pending.count; ++lane) {
      const int64_t i = pending.rows[lane];
      moves_.reassign(shard_.x + i * shard_.d, shard_.d, q_, labels_[i], sq_[i], nearest.index[lane], nearest.best[lane]);
      labels_[i] = nearest.index[lane];
      sq_[i] = nearest.best[lane];
    }
  }

 private:
  const Quantization& q_;
  ThreadMoves& moves_;
  int32_t* labels_;
  float* sq_;
};

class CpuBackend final : public Backend {
 public:
  std::string name() const override { return "cpu"; }

  void load_shard(const ShardView& shard) override { shard_ = shard; }

  void assign_and_accumulate(const float* centroids, int k, const Quantization& q, LloydSums* sums,
                             int32_t* labels, float* sq_distances, float* runner_up_sq_distances) override {
    const int d = shard_.d;
    std::vector<ThreadSums> per_thread(static_cast<std::size_t>(omp_get_max_threads()));
    if (sums)
      for (ThreadSums& part : per_thread) part.reset(k, d);
    const auto visit = [&](int thread, int64_t first, int count, const TileNearest& found) {
      for (int lane = 0; lane < count; ++lane) {
        const int64_t i = first + lane;
        if (labels) labels[i] = found.index[lane];
        if (sq_distances) sq_distances[i] = found.best[lane];
        if (runner_up_sq_distances) runner_up_sq_distances[i] = found.second[lane];
        if (sums) per_thread[thread].add(shard_.x + i * d, d, found.index[lane], found.best[lane], q);
      }
    };
    if (runner_up_sq_distances) detail::for_each_tile<true>(shard_, centroids, k, visit);
    else detail::for_each_tile<false>(shard_, centroids, k, visit);
    if (sums) sum_threads(per_thread, k, sums);
  }

  // Each point's nearest among the changed centroids (ties: the smaller row, as `changed` is
  // ascending) against its own, unless its own changed: then it is searched in full. Where half
  // the centroids changed, every point is searched in full. Either way the sums change by the
  // rows that moved and the distances that changed alone (exact sums).
  void reassign_changed(const float* centroids, int k, const std::vector<int32_t>& changed, const Quantization& q,
                        LloydSums* sums, int32_t* labels, float* sq_distances) override {
    const int d = shard_.d;
    const bool search_all = 2 * changed.size() >= static_cast<std::size_t>(k);
    const ChangedCentroids change(centroids, k, d, changed);
    const std::size_t threads = static_cast<std::size_t>(omp_get_max_threads());
    std::vector<ThreadMoves> moves(threads);
    std::vector<ChangedSegmentSearch> searches;
    searches.reserve(threads);
    for (ThreadMoves& part : moves) {
      part.reset(k, d);
      searches.emplace_back(shard_, centroids, k, q, part, labels, sq_distances);
    }
    const float* searched = search_all ? centroids : change.rows.data();
    const int searched_count = search_all ? k : static_cast<int>(changed.size());
    detail::for_each_tile(shard_, searched, searched_count, [&](int thread, int64_t first, int count, const TileNearest& found) {
      for (int lane = 0; lane < count; ++lane) {
        const int64_t i = first + lane;
        const int32_t own = labels[i];
        int32_t nearest = own;
        float sq = sq_distances[i];
        if (search_all) {
          nearest = found.index[lane], sq = found.best[lane];
        } else if (change.of_segment[own]) {
          searches[thread].take(i);
          continue;
        } else if (searched_count > 0) {
          const int32_t nearest_changed = changed[found.index[lane]];
          if (found.best[lane] < sq || (found.best[lane] == sq && nearest_changed < own))
            nearest = nearest_changed, sq = found.best[lane];
        }
        moves[thread].reassign(shard_.x + i * d, d, q, own, sq_distances[i], nearest, sq);
        labels[i] = nearest, sq_distances[i] = sq;
      }
    });
    for (ChangedSegmentSearch& search : searches) search.finish();
    detail::apply_moves(moves, k, *sums);
  }

  void lower_min_sq_distances(const float* centroids, int k, float* min_sq_distances) override {
    detail::for_each_tile(shard_, centroids, k, [&](int, int64_t first, int count, const TileNearest& found) {
      for (int lane = 0; lane < count; ++lane)
        min_sq_distances[first + lane] = std::min(min_sq_distances[first + lane], found.best[lane]);
    });
  }

  void assign_bounded(const float* centroids, int k, const Quantization& q, const CentroidMotion* motion,
                      BoundKind kind, LloydSums* sums) override {
    // After a bounded pass that searched more than pays (the first iterations; data where many
    // customers lie near a boundary), full passes are faster and leave tight bounds: one, then
    // twice as many each time following fails again, up to kMostFullPasses. Either way the result
    // is the same.
    const bool fresh = !motion || kind != kind_;  // a new fit
    if (fresh) full_passes_due_ = 0, backoff_ = 1, kind_ = kind;
    if (!fresh && full_passes_due_ == 0 && !bounds_.drift.exhausted()) {
      if (follow(centroids, k, q, motion->view())) {
        full_passes_due_ = backoff_;
        backoff_ = std::min(2 * backoff_, kMostFullPasses);
      } else {
        backoff_ = 1;
      }
    } else if (full_passes_due_ > 1) {
      full_pass<false>(centroids, k, q, true);
      --full_passes_due_;
    } else {
      full_pass<true>(centroids, k, q, !fresh);
      retest_ = true;
      if (kind_ == BoundKind::grouped) grouped_.reset(shard_.n, k);
      full_passes_due_ = 0;
    }
    *sums = assigned_;
  }

 private:
  // A full pass that sets every point's segment, with kBounds its bounds, and this rank's sums.
  // `incremental` when the segments recorded before it belong to the same fit: then the sums
  // before it change by the rows that moved alone, as in a bounded pass (exact integer sums), where
  // adding up every row was a quarter of a pass at D = 6. Without bounds it is cheaper (no
  // runner-up), for the full passes that are not followed by a bounded one.
  template <bool kBounds>
  void full_pass(const float* centroids, int k, const Quantization& q, bool incremental) {
    const int d = shard_.d;
    resize_on_huge_pages(bounds_.key, shard_.n);
    if (kBounds) {
      resize_on_huge_pages(bounds_.upper, shard_.n), resize_on_huge_pages(bounds_.slack, shard_.n);
      bounds_.drift.reset(k, d);
    }
    const std::size_t threads = static_cast<std::size_t>(omp_get_max_threads());
    std::vector<ThreadMoves> moves(incremental ? threads : 0);
    std::vector<ThreadSums> per_thread(incremental ? 0 : threads);
    for (ThreadMoves& part : moves) part.reset(k, d);
    for (ThreadSums& part : per_thread) part.reset(k, d);
    // The choice made at compile time: as a branch per point it cost 5-15% of a pass.
    const auto pass = [&](auto incremental_tag) {
      detail::for_each_tile<kBounds>(shard_, centroids, k, [&](int thread, int64_t first, int count, const TileNearest& found) {
        if constexpr (kBounds) set_tile_bounds(found, first, count);
        for (int lane = 0; lane < count; ++lane) {
          const int64_t i = first + lane;
          const int32_t segment = found.index[lane];
          if constexpr (decltype(incremental_tag)::value) moves[thread].relabel(shard_, q, bounds_, i, segment);
          else per_thread[thread].add_row(shard_.x + i * d, d, segment, q);
          bounds_.key[i] = bounds_.drift.key(segment);  // without bounds, for its segment alone
        }
      });
    };
    if (incremental) {
      pass(std::true_type{});
      detail::apply_moves(moves, k, assigned_);
    } else {
      pass(std::false_type{});
      sum_threads(per_thread, k, &assigned_);
    }
    assigned_.searched = shard_.n;
  }

  // A full pass's bounds of a tile, upper and slack, across SIMD lanes.
  void set_tile_bounds(const TileNearest& found, int64_t first, int count) {
    float lower[kLanes];
    float* __restrict upper = bounds_.upper.data() + first;
    float* __restrict slack = bounds_.slack.data() + first;
    detail::tile_bounds(found, count, shard_.d, upper, lower);
    const detail::FloatProof& proof = bounds_.drift.proof();
#pragma omp simd
    for (int lane = 0; lane < count; ++lane) slack[lane] = proof.slack(upper[lane], lower[lane]);
  }

  // A bounded pass of the fit's kind; true when it cost more than a full pass would have.
  bool follow(const float* centroids, int k, const Quantization& q, const detail::CentroidMotionView& motion) {
    bounds_.drift.advance(motion);
    double work = 0;
    if (kind_ == BoundKind::hamerly) {
      work = follow_centroids(centroids, k, motion, [&](ThreadMoves& moves) { return FullSearch(shard_, centroids, k, q, bounds_, moves, retest_); });
    } else {
      grouped_.follow(centroids, shard_.d, motion);
      work = follow_centroids(centroids, k, motion, [&](ThreadMoves& moves) {
        return detail::GroupedBounds::Search(grouped_, shard_, q, motion, bounds_, moves);
      });
    }
    return work > paying_share(k) * static_cast<double>(shard_.n);
  }

  // The bounded pass proper: each thread follows its run of points; a point its moved bounds do
  // not prove goes to the thread's searcher (make_searcher(moves)), which records the points that
  // change segment; a searcher that needs the point's distance to its own centroid gets it first,
  // and with it the point is often proven without a search.
  template <typename MakeSearcher>
  double follow_centroids(const float* centroids, int k, const detail::CentroidMotionView& motion,
                          MakeSearcher make_searcher) {
    using Searcher = decltype(make_searcher(std::declval<ThreadMoves&>()));
    const int d = shard_.d;
    const bool retest = retest_ || Searcher::kNeedsOwnDistance;
    std::vector<ThreadMoves> moves(static_cast<std::size_t>(omp_get_max_threads()));
    Retests retests;
#pragma omp parallel reduction(+ : retests)
    {
      const int thread = omp_get_thread_num();
      moves[thread].reset(k, d);
      auto searcher = make_searcher(moves[thread]);
      const auto [begin, end] = run_of_thread(shard_.n);
      // Three blocks in flight: a block's slack is tested and, for the retest, its candidates'
      // upper bounds asked for; a block later the retest finds the open points and asks for
      // their rows; a block later still they are searched. Each step finds in cache what the one
      // before asked for (the rows' step alone, 1M x 16, K = 16 on an AMD EPYC: 3.0 against
      // 2.2 ms an iteration after the fifth; the retailer, 10M x 6, K = 8: 24 against 19.6).
      Candidates candidates[2];
      OpenPoints open[2];
      const int64_t blocks = (end - begin + kBoundsBlock - 1) / kBoundsBlock;
      for (int64_t j = 0; j < blocks + 2; ++j) {
        if (j < blocks) {
          const int64_t first = begin + j * kBoundsBlock;
          find_candidates(first, static_cast<int>(std::min<int64_t>(kBoundsBlock, end - first)), retest,
                          candidates[j & 1]);
        }
        if (j >= 1 && j <= blocks) find_open(candidates[(j - 1) & 1], retest, open[(j - 1) & 1], retests);
        if (j >= 2) search_open(centroids, motion, open[j & 1], searcher);
      }
      searcher.finish();
    }
    // The retest proves a share of the candidates while the centroids move far (1M x 32, K = 64:
    // 45% at the sixth iteration), a few percent once they settle; then its reading of the
    // candidates' upper bounds costs more than the searches it saves (the same case: 3.5-5 against
    // 2.2-3.4 ms an iteration), and the passes up to the next full one go without it.
    if (retest) retest_ = retests.proven * 4 >= retests.candidates;
    return detail::apply_moves(moves, k, assigned_);
  }

  // Points whose bounds a bounded pass moves and tests together.
  static constexpr int kBoundsBlock = 256;  // a multiple of 64 (find_open)

  // The points of a block their slack does not prove.
  struct Candidates {
    int64_t rows[kBoundsBlock];
    int count = 0;
    int64_t first = 0;  // the block: [first, first + size)
    int size = 0;
  };

  // The points of a block whose moved bounds do not prove their segment.
  struct OpenPoints {
    int64_t rows[kBoundsBlock];
    float lower[kBoundsBlock];  // as of this pass, after a retest
    int count = 0;
  };

  // A pass's candidates, and those its retest proved.
  struct Retests {
    int64_t candidates = 0, proven = 0;
    Retests& operator+=(const Retests& other) {
      candidates += other.candidates, proven += other.proven;
      return *this;
    }
  };
#pragma omp declare reduction(+ : Retests : omp_out += omp_in)

  // Points [first, first + count) whose slack falls short of the moves since its pass, listed in
  // `candidates`, their upper bounds asked for when they are to be retested.
  void find_candidates(int64_t first, int count, bool retest, Candidates& candidates) {
    uint8_t proven[kBoundsBlock];
    test_slack(first, count, proven);
    std::fill(proven + count, proven + kBoundsBlock, uint8_t{1});
    candidates.count = 0;
    candidates.first = first, candidates.size = count;
    for (int word = 0; word < count; word += 64) {  // most points are proven: skip them 64 at a time
      for (uint64_t left = detail::zero_bytes(proven + word); left != 0; left &= left - 1)
        candidates.rows[candidates.count++] = first + word + __builtin_ctzll(left);
    }
    if (retest)
      for (int c = 0; c < candidates.count; ++c)
        detail::prefetch_line(reinterpret_cast<std::uintptr_t>(bounds_.upper.data() + candidates.rows[c]));
  }

  // The candidates left open, their rows asked for. With `retest`, the whole test (which counts
  // the gap between centroids too) runs on each first: those it proves keep their bounds as of
  // this pass, so that their slack proves them again while the centroids stand still; the open
  // ones get their lower bounds as of this pass.
  void find_open(const Candidates& candidates, bool retest, OpenPoints& open, Retests& retests) {
    if (!retest) {
      std::copy_n(candidates.rows, candidates.count, open.rows);
      open.count = candidates.count;
    } else {
      RetestedBlock block;
      if (candidates.count > kBoundsBlock / 4) block.all(bounds_, candidates.first, candidates.size);
      else block.only(bounds_, candidates);
      open.count = 0;
      for (int c = 0; c < candidates.count; ++c) {
        const int64_t i = candidates.rows[c];
        const int at = block.slot(candidates, c);
        if (block.proven[at]) {
          bounds_.set(i, bounds_.segment(i), block.upper[at], block.lower[at]);
        } else {
          open.rows[open.count] = i;
          open.lower[open.count++] = block.lower[at];
        }
      }
      retests.candidates += candidates.count;
      retests.proven += candidates.count - open.count;
    }
    for (int o = 0; o < open.count; ++o) detail::prefetch_row(shard_, open.rows[o]);
  }

  // PointBounds::retest of a block's candidates, across SIMD lanes: of the whole block where
  // most are candidates (contiguous loads beat gathers), of the candidates alone where few are.
  struct RetestedBlock {
    uint8_t proven[kBoundsBlock];
    float upper[kBoundsBlock], lower[kBoundsBlock];
    bool whole = false;

    void all(const PointBounds& bounds, int64_t first, int size) {
      whole = true;
#pragma omp simd
      for (int b = 0; b < size; ++b) proven[b] = bounds.retest(first + b, upper[b], lower[b]);
    }
    void only(const PointBounds& bounds, const Candidates& candidates) {
#pragma omp simd
      for (int c = 0; c < candidates.count; ++c) proven[c] = bounds.retest(candidates.rows[c], upper[c], lower[c]);
    }
    // Where candidate c's results are.
    int slot(const Candidates& candidates, int c) const {
      return whole ? static_cast<int>(candidates.rows[c] - candidates.first) : c;
    }
  };

  // The searcher takes a block's open points (after their own distance, if it needs that).
  template <typename Searcher>
  void search_open(const float* centroids, const detail::CentroidMotionView& motion, const OpenPoints& open,
                   Searcher& searcher) {
    if constexpr (Searcher::kNeedsOwnDistance) {
      tighten(centroids, motion, open, searcher);
    } else {
      for (int o = 0; o < open.count; ++o) searcher.take(open.rows[o]);
    }
  }

  // Points whose moved bounds fell short: their distance to their own centroid, exact, may do;
  // those it does not prove go to the searcher. One row at a time, as squared_distance() (a
  // tile's transposition cost more than the distance); then the new bounds across SIMD lanes.
  template <typename Searcher>
  void tighten(const float* centroids, const detail::CentroidMotionView& motion, const OpenPoints& open,
               Searcher& searcher) {
    const int d = shard_.d;
    const int64_t* rows = open.rows;
    const int count = open.count;
    int32_t label[kBoundsBlock];
    float own[kBoundsBlock], upper[kBoundsBlock], lower[kBoundsBlock];
    uint8_t proven[kBoundsBlock];
    for (int at = 0; at < count; ++at) {
      const int64_t i = rows[at];
      label[at] = bounds_.segment(i);
      lower[at] = open.lower[at];
      own[at] = squared_distance(shard_.x + i * d, centroids + static_cast<int64_t>(label[at]) * d, d);
    }
#pragma omp simd
    for (int at = 0; at < count; ++at) {
      upper[at] = detail::upper_from_squared(own[at], d);
      proven[at] = detail::proves_label(upper[at], detail::gap_lower(upper[at], lower[at], label[at], motion), d);
    }
    for (int at = 0; at < count; ++at) {
      bounds_.set(rows[at], label[at], upper[at], lower[at]);
      if (!proven[at]) searcher.take(rows[at], own[at], lower[at]);
    }
  }

  // Points [first, first + count): whether their slack outlasts the moves since its pass. Branch-
  // free, so that the compiler runs it across 16 SIMD lanes.
  void test_slack(int64_t first, int count, uint8_t* __restrict proven) const {
    const float* __restrict slack = bounds_.slack.data() + first;
    const uint16_t* __restrict key = bounds_.key.data() + first;
    const float* __restrict used = bounds_.drift.slack_used();
#pragma omp simd
    for (int b = 0; b < count; ++b) proven[b] = used[key[b]] < slack[b];
  }

  // The share of points a bounded pass may search and still beat a full pass. Hamerly: a searched
  // point costs two to three times its share of a full pass (its row fetched from wherever it
  // lies, then every centroid), and testing the bounds a sixth of a full pass at small K; measured
  // break-even (AMD EPYC): about 38% at K = 8, D = 6; 70% at K = 16, D = 16; 80% at K = 100,
  // D = 8; 90% at K = 64, D = 32; a little under, as the bounds a bounded pass leaves are looser
  // than a full pass's and the next pass pays for that. Grouped: its work counts searched groups,
  // each dearer than in a tile search of all K; measured break-even 8% at K = 8 and about half at
  // K = 64 (overlapping clusters at K = 100 and 128: 32 and 22 ms an iteration against 37 and 26
  // with Hamerly's shares).
  double paying_share(int k) const {
    return kind_ == BoundKind::hamerly ? std::clamp(k / 32.0, 0.25, 0.75) : std::clamp(k / 128.0, 0.1, 0.5);
  }
  static constexpr int kMostFullPasses = 8;
  ShardView shard_;
  PointBounds bounds_;
  LloydSums assigned_;  // this rank's exact sums of the segments bounds_ records
  int full_passes_due_ = 0;  // before the next try at following the centroids
  int backoff_ = 1;          // full passes after the next bounded pass that searches more than pays
  bool retest_ = true;       // whether a Hamerly pass retests the points their slack leaves open
  BoundKind kind_ = BoundKind::hamerly;
  detail::GroupedBounds grouped_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace kseg
