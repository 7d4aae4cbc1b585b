#include "customers/segment_profiles.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "customers/transforms.hpp"
#include "common/named_columns.hpp"
#include "customers/customer_rfm.hpp"
#include "customers/feature_labels.hpp"
#include "kernels/fixed_point.hpp"

namespace kseg {
namespace {

// 1–5: how many of the population's 20/40/60/80% quantiles the value exceeds, plus one.
int quintile_score(double value, const std::vector<double>& cuts, bool lower_is_better) {
  int above = 0;
  for (double cut : cuts) above += value > cut;
  return lower_is_better ? 5 - above : 1 + above;
}

int column_of(const std::vector<std::string>& names, const char* name) {
  const std::optional<std::size_t> column = find_column(names, name);
  return column ? static_cast<int>(*column) : -1;
}

double finite_or_zero(double v) { return std::isfinite(v) ? v : 0.0; }

double mean_of(const SegmentProfile& p, std::size_t j) {
  return j < p.mean.size() ? p.mean[j] : std::numeric_limits<double>::quiet_NaN();
}

/// Summed after the features, in this order: CLV, P(alive), retained, churn risk.
constexpr int kPerCustomer = 4;

std::array<const float*, kPerCustomer> per_customer(const ProfileInputs& in) {
  return {in.clv, in.p_alive, in.retained, in.churn_risk};
}

// Exact per-segment sums: each column quantized at one scale that every rank shares, so the sums
// (and the means) do not depend on how customers are split over the ranks.
struct SegmentSums {
  int d = 0;
  std::vector<double> scale;    // per column: the features, then the kPerCustomer figures
  std::vector<int128> sums;     // k × (d + kPerCustomer)
  std::vector<int64_t> counts;  // customers per segment

  double total(int s, int column) const {
    return FixedPoint::to_double(sums[static_cast<std::size_t>(s) * (d + kPerCustomer) + column], scale[column]);
  }
};

std::vector<double> fixed_point_scales(const ProfileInputs& in, const Communicator& comm) {
  const int d = static_cast<int>(in.features.size());
  const auto extra = per_customer(in);
  std::vector<double> bound(d + kPerCustomer, 0.0);
  for (int64_t i = 0; i < in.n; ++i)
    for (int j = 0; j < d; ++j) bound[j] = std::max(bound[j], std::fabs(static_cast<double>(in.value(i, j))));
  for (int e = 0; e < kPerCustomer; ++e)
    for (int64_t i = 0; extra[e] && i < in.n; ++i)
      bound[d + e] = std::max(bound[d + e], std::fabs(static_cast<double>(extra[e][i])));
  comm.max(bound.data(), bound.size());
  std::vector<double> scale(bound.size());
  for (std::size_t j = 0; j < bound.size(); ++j)
    scale[j] = FixedPoint::scale_for_bound(bound[j], FixedPoint::kFeatureBits);
  return scale;
}

SegmentSums segment_sums(const ProfileInputs& in, int k, const Communicator& comm) {
  const int d = static_cast<int>(in.features.size()), width = d + kPerCustomer;
  const auto extra = per_customer(in);
  SegmentSums t{d, fixed_point_scales(in, comm), std::vector<int128>(static_cast<std::size_t>(k) * width, 0),
                std::vector<int64_t>(k, 0)};
  for (int64_t i = 0; i < in.n; ++i) {
    const int s = in.segment[i];
    t.counts[s] += 1;
    int128* row = &t.sums[static_cast<std::size_t>(s) * width];
    for (int j = 0; j < d; ++j) row[j] += FixedPoint::quantize(in.value(i, j), t.scale[j]);
    for (int e = 0; e < kPerCustomer; ++e)
      if (extra[e]) row[d + e] += FixedPoint::quantize(extra[e][i], t.scale[d + e]);
  }
  comm.sum(t.sums.data(), t.sums.size());
  comm.sum(t.counts.data(), t.counts.size());
  return t;
}

// The recency, frequency and monetary columns (−1: not profiled) and the population's quintile
// cuts of each.
struct RfmColumns {
  int r = -1, f = -1, m = -1;
  std::map<int, std::vector<double>> cuts;
};

RfmColumns rfm_columns(const ProfileInputs& in, const Communicator& comm) {
  RfmColumns rfm{column_of(in.features, "recency_days"), column_of(in.features, "frequency"),
                 column_of(in.features, "monetary"), {}};
  for (int column : {rfm.r, rfm.f, rfm.m})
    if (column >= 0)
      for (double q : {0.2, 0.4, 0.6, 0.8})
        rfm.cuts[column].push_back(global_quantile(in.rows, in.n, in.stride, static_cast<int>(in.columns[column]), q, comm));
  return rfm;
}

void name_segment(SegmentProfile& p, const RfmColumns& rfm) {
  if (rfm.r < 0 || rfm.f < 0 || rfm.m < 0) {
    p.name = "Segment " + std::to_string(p.segment);
    return;
  }
  p.r_score = quintile_score(p.mean[rfm.r], rfm.cuts.at(rfm.r), /*lower_is_better=*/true);
  p.f_score = quintile_score(p.mean[rfm.f], rfm.cuts.at(rfm.f), false);
  p.m_score = quintile_score(p.mean[rfm.m], rfm.cuts.at(rfm.m), false);
  const RfmClass& named = rfm_classes()[rfm_class(p.r_score, p.f_score, p.m_score)];
  p.name = named.name;
  p.action = named.action;
}

// Segment s's sizes, means and CLV figures from the exact sums, and its RFM name.
SegmentProfile segment_profile(const ProfileInputs& in, const SegmentSums& t, const RfmColumns& rfm, int s,
                               int64_t total) {
  const int d = t.d;
  SegmentProfile p;
  p.segment = s;
  p.customers = t.counts[s];
  p.share = total ? static_cast<double>(t.counts[s]) / total : 0;
  const double n = std::max<double>(1, t.counts[s]);
  for (int j = 0; j < d; ++j) p.mean.push_back(t.total(s, j) / n);
  if (rfm.m >= 0) p.revenue = t.total(s, rfm.m);
  if (in.clv) p.total_clv = t.total(s, d), p.mean_clv = p.total_clv / n;
  if (in.p_alive) p.mean_p_alive = t.total(s, d + 1) / n;
  if (in.retained) p.retention = t.total(s, d + 2) / n;
  if (in.churn_risk) p.churn_risk = t.total(s, d + 3) / n;
  name_segment(p, rfm);
  return p;
}

std::vector<SegmentProfile> segment_profiles(const ProfileInputs& in, const SegmentSums& t, const RfmColumns& rfm) {
  int64_t total = 0;
  for (int64_t c : t.counts) total += c;
  std::vector<SegmentProfile> profiles;
  double revenue_total = 0;  // stays 0 without a monetary column: every revenue is 0 then
  for (int s = 0; s < static_cast<int>(t.counts.size()); ++s) {
    profiles.push_back(segment_profile(in, t, rfm, s, total));
    revenue_total += profiles.back().revenue;
  }
  for (SegmentProfile& p : profiles) p.revenue_share = revenue_total != 0 ? p.revenue / revenue_total : 0;
  return profiles;
}

// Medians and the CLV spread: global histogram quantiles of each segment's rows.
void add_quantiles(const ProfileInputs& in, std::vector<SegmentProfile>& profiles, const Communicator& comm) {
  const int d = static_cast<int>(in.features.size());
  for (int s = 0; s < static_cast<int>(profiles.size()); ++s) {
    std::vector<float> rows, clv;
    for (int64_t i = 0; i < in.n; ++i)
      if (in.segment[i] == s) {
        for (int j = 0; j < d; ++j) rows.push_back(in.value(i, j));
        if (in.clv) clv.push_back(in.clv[i]);
      }
    const int64_t count = static_cast<int64_t>(rows.size()) / std::max(d, 1);
    const bool any = profiles[s].customers != 0;
    for (int j = 0; j < d; ++j)
      profiles[s].median.push_back(any ? global_quantile(rows.data(), count, d, j, 0.5, comm) : 0.0);
    for (double q : kClvQuantiles)
      if (in.clv) profiles[s].clv_quantiles.push_back(any ? global_quantile(clv.data(), count, 1, 0, q, comm) : 0.0);
  }
}

// Segment s's features, most distinctive first: furthest (in population spreads) from the
// population's mean; ties to the earlier feature.
std::vector<std::size_t> most_distinctive(const FeatureZScores& scores, std::size_t s, std::size_t d) {
  std::vector<std::size_t> order(d);
  for (std::size_t j = 0; j < d; ++j) order[j] = j;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return std::fabs(scores.z[s][a]) > std::fabs(scores.z[s][b]); });
  return order;
}

// Equal names: each gets the phrase of its most distinctive feature ("Champions — big baskets")
// not already taken, so that no name stands twice; the segment id settles what phrases cannot.
void tell_equal_names_apart(std::vector<SegmentProfile>& profiles, const std::vector<std::string>& features) {
  const std::size_t d = features.size();
  const FeatureZScores scores = feature_z_scores(profiles, d, ZScoreTerms::kPlain);
  std::map<std::string, int> uses;
  for (const SegmentProfile& p : profiles) uses[p.name] += 1;
  std::set<std::string> taken;
  for (const SegmentProfile& p : profiles) taken.insert(p.name);
  for (std::size_t s = 0; s < profiles.size(); ++s) {
    SegmentProfile& p = profiles[s];
    if (uses[p.name] < 2) continue;
    std::string name = p.name + " (segment " + std::to_string(p.segment) + ")";
    for (std::size_t j : most_distinctive(scores, s, d)) {
      const std::string candidate = p.name + " — " + feature_phrase(features[j], p.mean[j] >= scores.population[j]);
      if (!taken.count(candidate)) {
        name = candidate;
        break;
      }
    }
    taken.insert(name);
    p.name = name;
  }
}

}  // namespace

FeatureZScores feature_z_scores(const std::vector<SegmentProfile>& profiles, std::size_t features, ZScoreTerms terms) {
  const bool finite_only = terms == ZScoreTerms::kFiniteOnly;
  FeatureZScores out{std::vector<double>(features, 0.0), std::vector<double>(features, 0.0), {}};
  for (const SegmentProfile& p : profiles)
    for (std::size_t j = 0; j < features; ++j) {
      const double term = p.share * mean_of(p, j);
      out.population[j] += finite_only ? finite_or_zero(term) : term;
    }
  for (const SegmentProfile& p : profiles)
    for (std::size_t j = 0; j < features; ++j) {
      const double deviation = mean_of(p, j) - out.population[j];
      out.spread[j] += finite_only ? finite_or_zero(p.share * std::pow(deviation, 2)) : p.share * deviation * deviation;
    }
  for (const SegmentProfile& p : profiles) {
    std::vector<double>& z = out.z.emplace_back(features, 0.0);
    for (std::size_t j = 0; j < features; ++j) {
      if (!(out.spread[j] > 0)) continue;
      const double score = (mean_of(p, j) - out.population[j]) / std::sqrt(out.spread[j]);
      z[j] = finite_only ? finite_or_zero(score) : score;
    }
  }
  return out;
}

std::vector<SegmentProfile> profile_segments(const ProfileInputs& in, int k, const Communicator& comm) {
  const SegmentSums sums = segment_sums(in, k, comm);
  const RfmColumns rfm = rfm_columns(in, comm);
  std::vector<SegmentProfile> profiles = segment_profiles(in, sums, rfm);
  add_quantiles(in, profiles, comm);
  tell_equal_names_apart(profiles, in.features);
  return profiles;
}

}  // namespace kseg
