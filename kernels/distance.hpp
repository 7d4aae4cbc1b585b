#pragma once

#include <cmath>

#include "common/hd.hpp"

namespace kseg {

/// The canonical squared Euclidean distance every backend computes: features in index order, one
/// fused multiply-add per feature, float accumulator. Any kernel that reorders or splits this sum
/// produces different bits and breaks CPU/GPU and rank-count identity.
KSEG_HD inline float squared_distance(const float* x, const float* c, int d) {
  float acc = 0.0f;
  for (int j = 0; j < d; ++j) {
    const float diff = x[j] - c[j];
    acc = fmaf(diff, diff, acc);
  }
  return acc;
}

/// Nearest centroid for one point; ties go to the smaller segment index.
KSEG_HD inline int nearest_centroid(const float* x, const float* centroids, int k, int d, float* best_sq) {
  int best = 0;
  float best_d = INFINITY;
  for (int c = 0; c < k; ++c) {
    const float dist = squared_distance(x, centroids + static_cast<long long>(c) * d, d);
    if (dist < best_d) {
      best_d = dist;
      best = c;
    }
  }
  *best_sq = best_d;
  return best;
}

}  // namespace kseg
