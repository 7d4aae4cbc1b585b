#include "cluster/model_selection.hpp"

#include <algorithm>
#include <cmath>

#include "cluster/point_exchange.hpp"
#include "cluster/predict.hpp"
#include "kernels/distance.hpp"
#include "kernels/fixed_point.hpp"
#include "kernels/philox.hpp"

namespace kseg {
namespace {

constexpr uint32_t kSilhouetteStream = 0x51u;

double euclidean(const float* a, const float* b, int d) { return std::sqrt(static_cast<double>(squared_distance(a, b, d))); }

// Σ over each segment's customers of their distance (not squared) to its centroid, exactly.
std::vector<double> scatter_sums(const FitContext& ctx, const KMeansResult& fit) {
  const Assignment a = predict(ctx, fit.centroids, fit.k);
  const double scale =
      FixedPoint::scale_for_bound(std::sqrt(ctx.summary.box_diagonal_sq()) * (1 + 1e-6), FixedPoint::kDistanceBits);
  std::vector<GridSum> sums(fit.k, GridSum(scale));
  for (int64_t i = 0; i < ctx.shard.n; ++i) sums[a.row[i]].add(std::sqrt(static_cast<double>(a.squared_distance[i])));
  ctx.comm.sum(sums.data(), sums.size());
  std::vector<double> out(fit.k);
  for (int s = 0; s < fit.k; ++s) out[s] = sums[s].value();
  return out;
}

double calinski_harabasz(const FitContext& ctx, const KMeansResult& fit) {
  const int d = ctx.shard.d;
  double between = 0;
  for (int s = 0; s < fit.k; ++s) {
    double sq = 0;
    for (int j = 0; j < d; ++j) {
      const double diff = fit.centroids[static_cast<std::size_t>(s) * d + j] - ctx.summary.mean[j];
      sq += diff * diff;
    }
    between += static_cast<double>(fit.sizes[s]) * sq;
  }
  const double n = static_cast<double>(ctx.summary.total_points);
  if (fit.k < 2 || fit.inertia <= 0) return 0;
  return between / (fit.k - 1) / (fit.inertia / (n - fit.k));
}

double davies_bouldin(const FitContext& ctx, const KMeansResult& fit) {
  const int d = ctx.shard.d;
  const std::vector<double> scatter_sum = scatter_sums(ctx, fit);
  double total = 0;
  for (int i = 0; i < fit.k; ++i) {
    const double si = fit.sizes[i] ? scatter_sum[i] / fit.sizes[i] : 0;
    double worst = 0;
    for (int j = 0; j < fit.k; ++j) {
      if (j == i) continue;
      const double sj = fit.sizes[j] ? scatter_sum[j] / fit.sizes[j] : 0;
      const double separation = euclidean(&fit.centroids[static_cast<std::size_t>(i) * d], &fit.centroids[static_cast<std::size_t>(j) * d], d);
      if (separation > 0) worst = std::max(worst, (si + sj) / separation);
    }
    total += worst;
  }
  return fit.k > 1 ? total / fit.k : 0;
}

void sampled_silhouette(const FitContext& ctx, const KMeansResult& fit, int sample, uint64_t seed, FitQuality& q) {
  const int d = ctx.shard.d;
  const std::vector<PointRecord> points = global_smallest(
      ctx.comm, ctx.shard, ctx.ids, static_cast<std::size_t>(sample),
      [&](int64_t i) { return Philox::uniform(seed, ctx.ids[i], kSilhouetteStream, 0); });
  const std::size_t m = points.size();
  std::vector<int> segment(m);
  for (std::size_t p = 0; p < m; ++p) {
    float unused;
    segment[p] = nearest_centroid(points[p].x.data(), fit.centroids.data(), fit.k, d, &unused);
  }
  double sum = 0, sum_sq = 0;
  for (std::size_t p = 0; p < m; ++p) {
    std::vector<double> total(fit.k, 0.0);
    std::vector<int> count(fit.k, 0);
    for (std::size_t o = 0; o < m; ++o) {
      if (o == p) continue;
      total[segment[o]] += euclidean(points[p].x.data(), points[o].x.data(), d);
      count[segment[o]] += 1;
    }
    if (count[segment[p]] == 0) continue;  // alone in its segment: silhouette 0
    const double a = total[segment[p]] / count[segment[p]];
    double b = INFINITY;
    for (int s = 0; s < fit.k; ++s)
      if (s != segment[p] && count[s] > 0) b = std::min(b, total[s] / count[s]);
    const double value = std::isfinite(b) && std::max(a, b) > 0 ? (b - a) / std::max(a, b) : 0.0;
    sum += value;
    sum_sq += value * value;
  }
  q.silhouette_sample = static_cast<int>(m);
  q.silhouette = m ? sum / m : 0;
  q.silhouette_stderr = m > 1 ? std::sqrt(std::max(0.0, sum_sq / m - q.silhouette * q.silhouette) / (m - 1)) : 0;
}

}  // namespace

FitQuality fit_quality(const FitContext& ctx, const KMeansResult& fit, int sample, uint64_t seed) {
  FitQuality q;
  q.k = fit.k;
  q.inertia = fit.inertia;
  q.calinski_harabasz = calinski_harabasz(ctx, fit);
  q.davies_bouldin = davies_bouldin(ctx, fit);
  sampled_silhouette(ctx, fit, sample, seed, q);
  return q;
}

int recommended_k(const std::vector<FitQuality>& sweep) {
  const auto best = std::max_element(sweep.begin(), sweep.end(), [](const FitQuality& a, const FitQuality& b) {
    return a.silhouette < b.silhouette;  // max_element keeps the first of equals: the smaller k
  });
  return best == sweep.end() ? 0 : best->k;
}

}  // namespace kseg
