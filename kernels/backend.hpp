#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/int128.hpp"

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

/// What one fused pass returns: per-segment fixed-point feature sums and counts, and the
/// fixed-point sum of every point's squared distance to its nearest centroid.
struct LloydSums {
  int k = 0;
  int d = 0;
  std::vector<int128> feature_sums;  ///< k × d
  std::vector<int64_t> counts;       ///< k
  int128 inertia = 0;

  void reset(int k_, int d_) {
    k = k_;
    d = d_;
    feature_sums.assign(static_cast<std::size_t>(k) * d, 0);
    counts.assign(k, 0);
    inertia = 0;
  }
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
  /// (after resetting it); `labels` and `sq_distances`, when given, receive n values each.
  virtual void assign_and_accumulate(const float* centroids, int k, const Quantization& q,
                                     LloydSums* sums, int32_t* labels, float* sq_distances) = 0;

  /// min_sq_distances[i] = min(min_sq_distances[i], squared distance of point i to any of the k
  /// centroids): the D² update of k-means++ and k-means||.
  virtual void lower_min_sq_distances(const float* centroids, int k, float* min_sq_distances) = 0;
};

/// The OpenMP CPU backend.
std::unique_ptr<Backend> make_cpu_backend();

}  // namespace kseg
