#include "customers/segment_profiles.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "customers/feature_labels.hpp"
#include "customers/segment_names.hpp"
#include "customers/transforms.hpp"
#include "common/named_columns.hpp"
#include "common/thread_runs.hpp"
#include "kernels/fixed_point.hpp"

namespace kseg {
namespace {

double finite_or_zero(double v) { return std::isfinite(v) ? v : 0.0; }

double mean_of(const SegmentProfile& p, std::size_t j) {
  return j < p.mean.size() ? p.mean[j] : std::numeric_limits<double>::quiet_NaN();
}

/// Summed after the features, in this order: CLV, P(alive), retained, churn risk.
constexpr int kPerCustomer = 4;

std::array<const float*, kPerCustomer> per_customer(const ProfileInputs& in) {
  return {in.clv, in.p_alive, in.retained, in.churn_risk};
}

// Customer i has a CLV (and so P(alive) and churn risk): only customers who bought have one.
bool valued(const ProfileInputs& in, int64_t i) { return in.clv && std::isfinite(in.clv[i]); }

// Exact per-segment sums (GridSum, each column's grid shared by every rank), so the sums and the
// means do not depend on how customers are split over the ranks. Unknown figures (NaN: a CLV, an
// attribute such as age) are left out and counted.
struct SegmentSums {
  int d = 0;
  std::vector<GridSum> sums;    // k × (d + kPerCustomer): the features, then the per-customer figures
  std::vector<int64_t> counts;  // customers per segment
  std::vector<int64_t> known;   // k × d: customers per segment with a known value of each feature
  std::vector<int64_t> valued;  // customers with a CLV per segment

  double total(int s, int column) const { return sums[static_cast<std::size_t>(s) * (d + kPerCustomer) + column].value(); }

  // Customer i into its segment's sums and counts.
  void add(const ProfileInputs& in, const std::array<const float*, kPerCustomer>& extra, int64_t i) {
    const int s = in.segment[i];
    counts[s] += 1;
    valued[s] += kseg::valued(in, i);
    GridSum* row = &sums[static_cast<std::size_t>(s) * (d + kPerCustomer)];
    for (int j = 0; j < d; ++j)
      if (const float v = in.value(i, j); !std::isnan(v)) row[j].add(v), known[static_cast<std::size_t>(s) * d + j] += 1;
    for (int e = 0; e < kPerCustomer; ++e)
      if (extra[e] && std::isfinite(extra[e][i])) row[d + e].add(extra[e][i]);
  }
  // Another part's sums and counts, exactly.
  void merge(const SegmentSums& other) {
    for (std::size_t at = 0; at < sums.size(); ++at) sums[at].merge(other.sums[at]);
    for (std::size_t s = 0; s < counts.size(); ++s) counts[s] += other.counts[s], valued[s] += other.valued[s];
    for (std::size_t at = 0; at < known.size(); ++at) known[at] += other.known[at];
  }
};

std::vector<double> fixed_point_scales(const ProfileInputs& in, const Communicator& comm) {
  const int d = static_cast<int>(in.features.size());
  const auto extra = per_customer(in);
  std::vector<double> bound(d + kPerCustomer, 0.0);
  for (int64_t i = 0; i < in.n; ++i)
    for (int j = 0; j < d; ++j) bound[j] = std::max(bound[j], finite_or_zero(std::fabs(static_cast<double>(in.value(i, j)))));
  for (int e = 0; e < kPerCustomer; ++e)
    for (int64_t i = 0; extra[e] && i < in.n; ++i)
      bound[d + e] = std::max(bound[d + e], finite_or_zero(std::fabs(static_cast<double>(extra[e][i]))));
  comm.max(bound.data(), bound.size());
  std::vector<double> scale(bound.size());
  for (std::size_t j = 0; j < bound.size(); ++j)
    scale[j] = FixedPoint::scale_for_bound(bound[j], FixedPoint::kFeatureBits);
  return scale;
}

SegmentSums segment_sums(const ProfileInputs& in, int k, const Communicator& comm) {
  const int d = static_cast<int>(in.features.size());
  const auto extra = per_customer(in);
  const std::vector<double> scale = fixed_point_scales(in, comm);
  SegmentSums t{d, {}, std::vector<int64_t>(k, 0), std::vector<int64_t>(static_cast<std::size_t>(k) * d, 0),
                std::vector<int64_t>(k, 0)};
  for (int s = 0; s < k; ++s)
    for (double column_scale : scale) t.sums.emplace_back(column_scale);
  t = fold_over_threads(
      in.n, t, [&](SegmentSums& part, int64_t i) { part.add(in, extra, i); },
      [](SegmentSums& total, const SegmentSums& part) { total.merge(part); });
  comm.sum(t.sums.data(), t.sums.size());
  comm.sum(t.counts.data(), t.counts.size());
  comm.sum(t.known.data(), t.known.size());
  comm.sum(t.valued.data(), t.valued.size());
  return t;
}

// Segment s's sizes, means and CLV figures from the exact sums.
SegmentProfile segment_profile(const ProfileInputs& in, const SegmentSums& t, int s, int64_t total) {
  const int d = t.d;
  SegmentProfile p;
  p.segment = s;
  p.customers = t.counts[s];
  p.share = total ? static_cast<double>(t.counts[s]) / total : 0;
  const double n = std::max<double>(1, t.counts[s]), with_clv = std::max<double>(1, t.valued[s]);
  for (int j = 0; j < d; ++j)
    p.mean.push_back(t.total(s, j) / std::max<double>(1, t.known[static_cast<std::size_t>(s) * d + j]));
  if (in.retained) p.retention = t.total(s, d + 2) / n;
  if (!in.clv) return p;
  p.without_clv = t.counts[s] - t.valued[s];
  if (t.valued[s] == 0) return p;  // nobody's CLV is known: the figures stay NaN
  p.total_clv = t.total(s, d), p.mean_clv = p.total_clv / with_clv;
  if (in.p_alive) p.mean_p_alive = t.total(s, d + 1) / with_clv;
  if (in.churn_risk) p.churn_risk = t.total(s, d + 3) / with_clv;
  return p;
}

std::vector<SegmentProfile> segment_profiles(const ProfileInputs& in, const SegmentSums& t, int revenue_column) {
  int64_t total = 0;
  for (int64_t c : t.counts) total += c;
  std::vector<SegmentProfile> profiles;
  double revenue_total = 0;  // stays 0 without a monetary column: every revenue is 0 then
  for (int s = 0; s < static_cast<int>(t.counts.size()); ++s) {
    profiles.push_back(segment_profile(in, t, s, total));
    if (revenue_column >= 0) profiles.back().revenue = t.total(s, revenue_column);
    revenue_total += profiles.back().revenue;
  }
  for (SegmentProfile& p : profiles) p.revenue_share = revenue_total != 0 ? p.revenue / revenue_total : 0;
  return profiles;
}

// Medians and the CLV spread: global histogram quantiles of each segment's known values (CLV: of
// those who have one).
void add_quantiles(const ProfileInputs& in, const SegmentSums& t, std::vector<SegmentProfile>& profiles,
                   const Communicator& comm) {
  const int d = static_cast<int>(in.features.size());
  const int k = static_cast<int>(profiles.size());
  std::vector<std::vector<std::vector<float>>> known_of(k, std::vector<std::vector<float>>(d));
  std::vector<std::vector<float>> clv_of(k);
  for (int64_t i = 0; i < in.n; ++i) {  // one pass, each customer's values into its segment's
    const int s = in.segment[i];
    for (int j = 0; j < d; ++j)
      if (const float v = in.value(i, j); !std::isnan(v)) known_of[s][j].push_back(v);
    if (valued(in, i)) clv_of[s].push_back(in.clv[i]);
  }
  for (int s = 0; s < k; ++s) {
    const std::vector<std::vector<float>>& known = known_of[s];
    const std::vector<float>& clv = clv_of[s];
    const bool any_clv = profiles[s].customers > profiles[s].without_clv;
    for (int j = 0; j < d; ++j)
      profiles[s].median.push_back(t.known[static_cast<std::size_t>(s) * d + j] > 0
                                       ? global_quantile(known[j].data(), static_cast<int64_t>(known[j].size()), 1, 0, 0.5, comm)
                                       : 0.0);
    for (double q : kClvQuantiles)
      if (in.clv)
        profiles[s].clv_quantiles.push_back(
            any_clv ? global_quantile(clv.data(), static_cast<int64_t>(clv.size()), 1, 0, q, comm) : 0.0);
  }
}

}  // namespace

FeatureZScores feature_z_scores(const std::vector<SegmentProfile>& profiles, const std::vector<std::string>& names) {
  const std::size_t features = names.size();
  FeatureZScores out{std::vector<double>(features, 0.0), std::vector<double>(features, 0.0), {}};
  for (const SegmentProfile& p : profiles)
    for (std::size_t j = 0; j < features; ++j) out.population[j] += finite_or_zero(p.share * mean_of(p, j));
  for (const SegmentProfile& p : profiles)
    for (std::size_t j = 0; j < features; ++j)
      out.spread[j] += finite_or_zero(p.share * std::pow(mean_of(p, j) - out.population[j], 2));
  for (std::size_t j = 0; j < features; ++j)
    if (is_indicator_feature(names[j])) out.spread[j] = out.population[j] * (1 - out.population[j]);
  for (const SegmentProfile& p : profiles) {
    std::vector<double>& z = out.z.emplace_back(features, 0.0);
    for (std::size_t j = 0; j < features; ++j)
      if (out.spread[j] > 0) z[j] = finite_or_zero((mean_of(p, j) - out.population[j]) / std::sqrt(out.spread[j]));
  }
  return out;
}

std::vector<SegmentProfile> profile_segments(const ProfileInputs& in, int k, const Communicator& comm) {
  const std::optional<std::size_t> monetary = find_column(in.features, "monetary");
  const SegmentSums sums = segment_sums(in, k, comm);
  std::vector<SegmentProfile> profiles = segment_profiles(in, sums, monetary ? static_cast<int>(*monetary) : -1);
  add_quantiles(in, sums, profiles, comm);
  name_segments(in, profiles, comm);
  return profiles;
}

}  // namespace kseg
