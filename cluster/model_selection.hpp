#pragma once

#include <vector>

#include "cluster/lloyd.hpp"

namespace kseg {

/// How good a k-means fit is, for choosing k.
struct FitQuality {
  int k = 0;
  double inertia = 0;
  double calinski_harabasz = 0;  ///< between / within dispersion, scaled by degrees of freedom; higher is better
  double davies_bouldin = 0;     ///< mean over segments of the worst (S_i + S_j) / d(c_i, c_j); lower is better
  double silhouette = 0;         ///< mean over a deterministic sample of customers; higher is better
  double silhouette_stderr = 0;  ///< standard error of that mean: std / sqrt(sample)
  int silhouette_sample = 0;
};

/// Collective: the metrics of `fit` (its centroids, and each customer in its nearest centroid's
/// segment) over every rank's customers; at Lloyd's fixed point the centroids are the segments'
/// means and the values equal the textbook (scikit-learn) ones. Inertia, Calinski-Harabasz and
/// Davies-Bouldin are exact (fixed-point sums over all customers); the silhouette uses the
/// `sample` customers with the smallest Philox keys (seeded, so every run and any number of
/// ranks pick the same ones), each scored against the sample.
FitQuality fit_quality(const FitContext& ctx, const KMeansResult& fit, int sample, uint64_t seed);

/// The k with the highest silhouette (ties: the smaller k).
int recommended_k(const std::vector<FitQuality>& sweep);

/// recommended_k's rule, for people and for report.json.
inline constexpr const char* kRecommendedKRule = "highest mean silhouette (ties: smaller k)";

}  // namespace kseg
