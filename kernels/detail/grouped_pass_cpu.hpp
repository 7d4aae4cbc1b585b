#pragma once

#include <cstdint>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/detail/cpu_pass.hpp"
#include "kernels/detail/group_bounds.hpp"

namespace kseg::detail {

/// The grouped (Yinyang) bounds of the CPU backend's bounded pass (group_bounds.hpp). A point
/// keeps the Hamerly pass's bounds, which settle most points with one test, and for those
/// they do not, one lower bound per group of centroids, so that its search covers only the
/// groups left open: a stamp and a float per group, 1 + groups words a point more than Hamerly's.
/// Group bounds are brought up to date only when a point needs them, by the sum of its groups'
/// largest moves since it last did.
class GroupedBounds {
 public:
  /// After a full pass of the Hamerly pass, which set every point's segment and bounds: no
  /// point has group bounds yet (the first search of a point covers every group and sets them).
  void reset(int64_t n, int k);

  /// Before a bounded pass: the centroids and how far each group moved since the last one.
  void follow(const float* centroids, int d, const CentroidMotionView& motion);

  /// One thread's searches in a bounded pass, for the points the Hamerly bounds leave open.
  class Search {
   public:
    static constexpr bool kNeedsOwnDistance = true;  // it tightens the upper bound the groups are tested against

    Search(GroupedBounds& bounds, const ShardView& shard, const Quantization& q, const CentroidMotionView& motion,
           PointBounds& points, ThreadMoves& moves);
    /// Point i, its upper bound tightened to `own`, its distance to its centroid, and its Hamerly
    /// lower bound as of this pass.
    void take(int64_t i, float own, float hamerly_lower);
    /// Every search taken in finished, its point settled.
    void finish();

   private:
    // Points waiting for a search, by the group of their centroid: neighbours, who mostly want the
    // same groups searched.
    struct Bucket {
      PendingRows pending;
      PointSearch search[kLanes];
      std::vector<uint8_t> wanted;  // groups some pending point wants searched
    };
    // The bucket's points against every group any of them wants.
    void search_tile(Bucket& bucket);
    float* group_lower(int64_t i) const { return bounds_.group_lower_.data() + static_cast<std::size_t>(i) * groups_; }

    GroupedBounds& bounds_;
    const ShardView& shard_;
    const Quantization& q_;
    const CentroidMotionView& motion_;
    PointBounds& points_;
    ThreadMoves& moves_;
    int groups_;
    Tile tile_;
    std::vector<uint8_t> settled_;      // take(): whether each group's bound settles the point
    std::vector<Bucket> buckets_;
  };

 private:
  void set_centroids(const float* centroids, int d);

  int k_ = 0;
  std::vector<float> padded_;          // groups × kCentroidsPerGroup rows; those past k infinitely far
  std::vector<float> group_lower_;     // n × groups
  std::vector<int32_t> stamp_;         // n: the bounded pass a point's group bounds were last moved in, or kNoGroupBounds
  GroupDrift drift_;
};

}  // namespace kseg::detail
