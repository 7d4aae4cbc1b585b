#include "kernels/detail/grouped_pass_cpu.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "kernels/detail/distance_bounds.hpp"

namespace kseg::detail {
namespace {

// Each lane's nearest centroids of one group.
struct TileInGroup {
  float best[kLanes];
  int32_t index[kLanes];
  float second[kLanes];

  GroupNearest lane(int l) const { return {best[l], index[l], second[l]}; }
};

// The group's nearest centroid for every lane, from the distances to its block of centroids.
void nearest_in_group(const float (*distances)[kLanes], int group, TileInGroup& out) {
  const int32_t first = group * kCentroidsPerGroup;
  for (int lane = 0; lane < kLanes; ++lane) {
    out.best[lane] = distances[0][lane];
    out.index[lane] = first;
    out.second[lane] = INFINITY;
  }
  for (int q = 1; q < kCentroidsPerGroup; ++q) {
#pragma omp simd
    for (int lane = 0; lane < kLanes; ++lane) {  // strict: ties keep the smaller index
      const float distance = distances[q][lane];
      const bool nearer = distance < out.best[lane];
      out.second[lane] = nearer ? out.best[lane] : std::min(out.second[lane], distance);
      out.best[lane] = nearer ? distance : out.best[lane];
      out.index[lane] = nearer ? first + q : out.index[lane];
    }
  }
}

}  // namespace

void GroupedBounds::set_centroids(const float* centroids, int d) {
  padded_.assign(static_cast<std::size_t>(group_count(k_)) * kCentroidsPerGroup * d, INFINITY);
  std::copy_n(centroids, static_cast<std::size_t>(k_) * d, padded_.begin());
}

void GroupedBounds::reset(int64_t n, int k) {
  k_ = k;
  group_lower_.resize(static_cast<std::size_t>(n) * group_count(k));
  stamp_.assign(n, kNoGroupBounds);
  drift_.reset(group_count(k));
}

void GroupedBounds::follow(const float* centroids, int d, const CentroidMotionView& motion) {
  set_centroids(centroids, d);
  drift_.advance(motion.group_moved);
}

GroupedBounds::Search::Search(GroupedBounds& bounds, const ShardView& shard, const Quantization& q,
                              const CentroidMotionView& motion, PointBounds& points, ThreadMoves& moves)
    : bounds_(bounds), shard_(shard), q_(q), motion_(motion), points_(points), moves_(moves),
      groups_(group_count(bounds.k_)), settled_(groups_), buckets_(groups_) {
  for (Bucket& b : buckets_) b.wanted.assign(groups_, 0);
}

void GroupedBounds::Search::take(int64_t i, float own, float hamerly_lower) {
  const int d = shard_.d;
  const int32_t label = points_.segment(i);
  const float upper = points_.upper[i];
  float* lower = group_lower(i);
  const std::vector<double>& drift = bounds_.drift_.table();
  const int32_t stamp = bounds_.stamp_[i];
  bounds_.stamp_[i] = bounds_.drift_.pass();
  uint8_t* settled = settled_.data();
  int open_groups = groups_;
  if (stamp == kNoGroupBounds) {  // no group bounds yet: every group is searched, and gets its bound
    std::fill_n(settled, groups_, uint8_t{0});
  } else {
    const double* now = drift.data() + drift.size() - groups_;
    const double* then = drift.data() + static_cast<std::size_t>(stamp) * groups_;
    // Every other centroid is at least this far: the point's Hamerly bound and the gap to its own.
    const float others = gap_lower(upper, hamerly_lower, label, motion_);
    const double proving = proving_square(upper, d);
    open_groups = 0;
#pragma omp simd reduction(+ : open_groups)
    for (int g = 0; g < groups_; ++g) {
      lower[g] = drifted_group_lower(lower[g], now[g], then[g]);
      const double bound = lower[g] > others ? lower[g] : others;
      settled[g] = bound * bound > proving;
      open_groups += settled[g] ? 0 : 1;
    }
  }
  if (open_groups == 0) {  // settled by its groups' bounds
    points_.set(i, label, upper, std::max(hamerly_lower, *std::min_element(lower, lower + groups_)));
    return;
  }
  Bucket& bucket = buckets_[label / kCentroidsPerGroup];
  for (int g = 0; g < groups_; ++g) bucket.wanted[g] |= !settled[g];
  bucket.pending.rows[bucket.pending.count] = i;
  bucket.search[bucket.pending.count] = PointSearch::from_own(own, label);
  if (++bucket.pending.count == kLanes) search_tile(bucket);
}

void GroupedBounds::Search::search_tile(Bucket& bucket) {
  const int d = shard_.d;
  PendingRows& pending_ = bucket.pending;
  PointSearch* search_ = bucket.search;
  std::vector<uint8_t>& wanted_ = bucket.wanted;
  tile_.load_rows(shard_.x, d, pending_.rows, pending_.count);
  for (int g = 0; g < groups_; ++g) {  // a group one point wants is searched for all: exact is never wrong
    if (!wanted_[g]) continue;
    wanted_[g] = 0;
    float distances[kCentroidsPerGroup][kLanes];
    block_distances(tile_, d, bounds_.padded_.data() + static_cast<std::size_t>(g) * kCentroidsPerGroup * d, distances);
    TileInGroup found;
    nearest_in_group(distances, g, found);
    float lower[kLanes];
#pragma omp simd
    for (int lane = 0; lane < kLanes; ++lane) lower[lane] = lower_from_squared(found.best[lane], d);
    for (int lane = 0; lane < pending_.count; ++lane) {
      group_lower(pending_.rows[lane])[g] = lower[lane];
      search_[lane].merge(g, found.lane(lane));
    }
    moves_.work += static_cast<double>(pending_.count) / groups_;
  }
  for (int lane = 0; lane < pending_.count; ++lane) {
    const PointSearch& s = search_[lane];
    const int64_t i = pending_.rows[lane];
    float* lower = group_lower(i);
    s.settle(d, lower);
    moves_.relabel(shard_, q_, points_, i, s.index);
    points_.set(i, s.index, upper_from_squared(s.best, d), *std::min_element(lower, lower + groups_));
  }
  moves_.searched += pending_.count;
  pending_.count = 0;
}

void GroupedBounds::Search::finish() {
  for (Bucket& bucket : buckets_)
    if (bucket.pending.count > 0) search_tile(bucket);
}

}  // namespace kseg::detail
