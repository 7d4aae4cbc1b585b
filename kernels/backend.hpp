#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/exact_sum.hpp"
#include "common/int128.hpp"
#include "kernels/centroid_motion.hpp"

namespace kseg {

/// A rank's rows of the feature matrix: n points of d float32 features, row-major.
struct ShardView {
  const float* x = nullptr;
  int64_t n = 0;
  int d = 0;
};

/// Grids onto which values are rounded before exact summation (see FixedPoint).
struct Quantization {
  std::vector<double> feature_scale;  ///< one power of two per feature
  double distance_scale = 1.0;        ///< power of two for squared distances
};

/// What one fused pass returns: per-segment exact feature sums and counts, and the exact sum of
/// every point's squared distance to its nearest centroid. A sum is its grid part (fixed-point
/// integers, see FixedPoint) plus the values that were off the grid, added exactly.
struct LloydSums {
  int k = 0;
  int d = 0;
  std::vector<int128> feature_sums;  ///< k × d, on the feature grids
  std::vector<int64_t> counts;       ///< k
  int128 inertia = 0;                ///< on the distance grid
  std::vector<ExactSum> off_grid;    ///< empty while every value was on its grid; else k × d, then the inertia
  int64_t moved = 0;                 ///< bounded passes: points whose segment changed in this pass
  int64_t searched = 0;              ///< bounded passes: points whose distance to every centroid was computed

  void reset(int k_, int d_) {
    k = k_;
    d = d_;
    feature_sums.assign(static_cast<std::size_t>(k) * d, 0);
    counts.assign(k, 0);
    inertia = 0;
    off_grid.clear();
    moved = searched = 0;
  }
  std::size_t inertia_slot() const { return static_cast<std::size_t>(k) * d; }
  ExactSum& off_grid_at(std::size_t slot) {
    if (off_grid.empty()) off_grid.resize(inertia_slot() + 1);
    return off_grid[slot];
  }
  /// Adds (sign 1) or takes away (sign -1) another pass's sums, exactly.
  void add(const LloydSums& other, int sign = 1) {
    for (std::size_t i = 0; i < feature_sums.size(); ++i) feature_sums[i] += sign * other.feature_sums[i];
    for (int c = 0; c < k; ++c) counts[c] += sign * other.counts[c];
    inertia += sign * other.inertia;
    for (std::size_t i = 0; i < other.off_grid.size(); ++i) off_grid_at(i).merge(other.off_grid[i], sign);
    moved += sign * other.moved;
    searched += sign * other.searched;
  }
  /// Feature sum `at` (segment·d + feature), exact until rounded once here.
  double feature_total(std::size_t at, const Quantization& q) const {
    return GridSum::exact_total(feature_sums[at], q.feature_scale[at % d], off_grid_or_zero(at));
  }
  double inertia_total(const Quantization& q) const {
    return GridSum::exact_total(inertia, q.distance_scale, off_grid_or_zero(inertia_slot()));
  }

 private:
  const ExactSum& off_grid_or_zero(std::size_t slot) const {
    static const ExactSum zero;
    return off_grid.empty() ? zero : off_grid[slot];
  }
};

/// Which bounds a bounded pass keeps per point; the labels and sums are a full pass's either way.
enum class BoundKind {
  hamerly,  ///< one lower bound for every other centroid: 3 words per point on CUDA; on the CPU an upper bound, a slack and a 16-bit key (detail/cpu_pass.hpp)
  grouped,  ///< Yinyang: one lower bound per group of 8 centroids, 1 + ⌈K/8⌉ words more than hamerly (detail/group_bounds.hpp)
};

/// What a rank asks of its device. One implementation per device kind; the algorithms in
/// cluster/ are written once against this interface.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;

  /// Makes the shard resident for the following calls; the view must outlive them.
  virtual void load_shard(const ShardView& shard) = 0;

  /// One pass over the shard: each point's nearest of the k centroids (ties: smaller index);
  /// when `sums` is given, accumulates exact per-segment sums, counts and inertia into it
  /// (after resetting it); `labels`, `sq_distances` and `runner_up_sq_distances`, when given,
  /// receive n values each. The runner-up is the second smallest squared distance (a tie for the
  /// nearest gives it the nearest's distance; INFINITY with one centroid), canonical like the rest.
  virtual void assign_and_accumulate(const float* centroids, int k, const Quantization& q, LloydSums* sums,
                                     int32_t* labels, float* sq_distances, float* runner_up_sq_distances) = 0;

  /// The pass assign_and_accumulate would make, bit for bit, after the centroids changed in the
  /// rows `changed` (ascending) alone: `labels`, `sq_distances` and `sums` hold what this
  /// backend's pass gave for the centroids before (the sums this rank's, not yet added over
  /// ranks) and receive what it gives for these. A point whose own centroid stayed needs its
  /// distances to the changed ones alone, and the sums change by the points that moved, so a pass
  /// after a few centroids changed (a swap's trial) costs about a distance per point. This
  /// default makes the whole pass: a backend whose full passes are cheap keeps it.
  virtual void reassign_changed(const float* centroids, int k, const std::vector<int32_t>& changed, const Quantization& q,
                                LloydSums* sums, int32_t* labels, float* sq_distances) {
    (void)changed;
    assign_and_accumulate(centroids, k, q, sums, labels, sq_distances, nullptr);
  }

  /// min_sq_distances[i] = min(min_sq_distances[i], squared distance of point i to any of the k
  /// centroids): the D² update of k-means++ and k-means||.
  virtual void lower_min_sq_distances(const float* centroids, int k, float* min_sq_distances) = 0;

  /// The pass of an accelerated Lloyd iteration (Hamerly 2010, or Yinyang: Ding et al. 2015):
  /// the same labels, exact feature sums and counts as assign_and_accumulate, bit for bit, with
  /// `moved` and `searched` counted; its inertia is not computed (zero). Distances are computed
  /// only for points whose bounds do not prove their segment. The backend keeps each point's
  /// segment and bounds of `kind` between calls; `motion` null starts over with a full pass (a
  /// fit's first iteration, a resume), else it says how the centroids moved since the previous
  /// call.
  virtual void assign_bounded(const float* centroids, int k, const Quantization& q, const CentroidMotion* motion,
                              BoundKind kind, LloydSums* sums) = 0;
};

/// The OpenMP CPU backend.
std::unique_ptr<Backend> make_cpu_backend();

}  // namespace kseg
