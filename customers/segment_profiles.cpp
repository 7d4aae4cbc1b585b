#include "customers/segment_profiles.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "customers/transforms.hpp"
#include "kernels/fixed_point.hpp"

namespace kseg {
namespace {

struct RfmName {
  const char* name;
  const char* action;
};

// The rule table (first match wins), on 1–5 scores where 5 is best: recent, frequent, big spenders.
RfmName rfm_name(int r, int f, int m) {
  if (r >= 4 && f >= 4 && m >= 4) return {"Champions", "Reward them: early access, loyalty perks, ask for reviews"};
  if (r >= 3 && f >= 4) return {"Loyal", "Upsell higher-value products and enrol them in the loyalty programme"};
  if (r <= 2 && f >= 4 && m >= 4) return {"Can't Lose Them", "Win them back with personal outreach before a competitor does"};
  if (r <= 2 && f >= 3) return {"At Risk", "Send personalised reactivation offers and renewals now"};
  if (r == 5 && f <= 1) return {"New", "Onboard them well: welcome series, second-purchase incentive"};
  if (r >= 4 && f <= 1) return {"Promising", "Build awareness with free trials and recommendations"};
  if (r >= 4) return {"Potential Loyalist", "Offer membership and recommendations to deepen the habit"};
  if (r == 3 && f >= 3) return {"Need Attention", "Limited-time offers based on their past purchases"};
  if (r == 3) return {"About to Sleep", "Reconnect with popular products and a reason to come back"};
  if (r == 2) return {"Hibernating", "Offer relevant products and special discounts, cheaply"};
  return {"Lost", "Try one low-cost revival campaign; otherwise spend elsewhere"};
}

// 1–5: how many of the population's 20/40/60/80% quantiles the value exceeds, plus one.
int quintile_score(double value, const std::vector<double>& cuts, bool lower_is_better) {
  int above = 0;
  for (double cut : cuts) above += value > cut;
  return lower_is_better ? 5 - above : 1 + above;
}

int column_of(const std::vector<std::string>& names, const char* name) {
  const auto at = std::find(names.begin(), names.end(), name);
  return at == names.end() ? -1 : static_cast<int>(at - names.begin());
}

}  // namespace

std::vector<SegmentProfile> profile_segments(const ProfileInputs& in, int k, const Communicator& comm) {
  const int d = static_cast<int>(in.features.size());
  const float* per_customer[] = {in.clv, in.p_alive, in.retained};  // summed after the features
  const int extra = 3;
  std::vector<double> bound(d + extra, 0.0);
  for (int64_t i = 0; i < in.n; ++i)
    for (int j = 0; j < d; ++j) bound[j] = std::max(bound[j], std::fabs(static_cast<double>(in.values[i * d + j])));
  for (int e = 0; e < extra; ++e)
    for (int64_t i = 0; per_customer[e] && i < in.n; ++i)
      bound[d + e] = std::max(bound[d + e], std::fabs(static_cast<double>(per_customer[e][i])));
  comm.max(bound.data(), bound.size());
  std::vector<double> scale(bound.size());
  for (std::size_t j = 0; j < bound.size(); ++j) scale[j] = FixedPoint::scale_for_bound(bound[j], FixedPoint::kFeatureBits);

  std::vector<int128> sums(static_cast<std::size_t>(k) * (d + extra), 0);
  std::vector<int64_t> counts(k, 0);
  for (int64_t i = 0; i < in.n; ++i) {
    const int s = in.segment[i];
    counts[s] += 1;
    int128* row = &sums[static_cast<std::size_t>(s) * (d + extra)];
    for (int j = 0; j < d; ++j) row[j] += FixedPoint::quantize(in.values[i * d + j], scale[j]);
    for (int e = 0; e < extra; ++e)
      if (per_customer[e]) row[d + e] += FixedPoint::quantize(per_customer[e][i], scale[d + e]);
  }
  comm.sum(sums.data(), sums.size());
  comm.sum(counts.data(), counts.size());

  const int r = column_of(in.features, "recency_days"), f = column_of(in.features, "frequency"),
            m = column_of(in.features, "monetary");
  std::map<int, std::vector<double>> cuts;  // population quintile cuts of R, F, M
  for (int column : {r, f, m})
    if (column >= 0)
      for (double q : {0.2, 0.4, 0.6, 0.8}) cuts[column].push_back(global_quantile(in.values, in.n, d, column, q, comm));

  int64_t total = 0;
  for (int64_t c : counts) total += c;
  std::vector<SegmentProfile> profiles(k);
  double revenue_total = 0;
  for (int s = 0; s < k; ++s) {
    SegmentProfile& p = profiles[s];
    p.segment = s;
    p.customers = counts[s];
    p.share = total ? static_cast<double>(counts[s]) / total : 0;
    const int128* row = &sums[static_cast<std::size_t>(s) * (d + extra)];
    const double n = std::max<double>(1, counts[s]);
    for (int j = 0; j < d; ++j) p.mean.push_back(FixedPoint::to_double(row[j], scale[j]) / n);
    if (m >= 0) p.revenue = FixedPoint::to_double(row[m], scale[m]), revenue_total += p.revenue;
    if (in.clv) p.total_clv = FixedPoint::to_double(row[d], scale[d]), p.mean_clv = p.total_clv / n;
    if (in.p_alive) p.mean_p_alive = FixedPoint::to_double(row[d + 1], scale[d + 1]) / n, p.churn_risk = 1 - p.mean_p_alive;
    if (in.retained) p.retention = FixedPoint::to_double(row[d + 2], scale[d + 2]) / n;
    if (r >= 0 && f >= 0 && m >= 0) {
      p.r_score = quintile_score(p.mean[r], cuts[r], /*lower_is_better=*/true);
      p.f_score = quintile_score(p.mean[f], cuts[f], false);
      p.m_score = quintile_score(p.mean[m], cuts[m], false);
      const RfmName named = rfm_name(p.r_score, p.f_score, p.m_score);
      p.name = named.name;
      p.action = named.action;
    } else {
      p.name = "Segment " + std::to_string(s);
    }
  }
  for (SegmentProfile& p : profiles) p.revenue_share = revenue_total != 0 ? p.revenue / revenue_total : 0;
  for (int s = 0; s < k; ++s) {  // medians and CLV spread: global histogram quantiles of each segment's rows
    std::vector<float> rows, clv;
    for (int64_t i = 0; i < in.n; ++i)
      if (in.segment[i] == s) {
        rows.insert(rows.end(), in.values + i * d, in.values + (i + 1) * d);
        if (in.clv) clv.push_back(in.clv[i]);
      }
    const int64_t count = static_cast<int64_t>(rows.size()) / std::max(d, 1);
    for (int j = 0; j < d; ++j)
      profiles[s].median.push_back(counts[s] ? global_quantile(rows.data(), count, d, j, 0.5, comm) : 0.0);
    for (double q : kClvQuantiles)
      if (in.clv) profiles[s].clv_quantiles.push_back(counts[s] ? global_quantile(clv.data(), count, 1, 0, q, comm) : 0.0);
  }

  // Equal names: each gets its most distinctive feature, the one whose mean is furthest (in
  // population spreads) from the population's.
  std::vector<double> population(d, 0.0), spread(d, 0.0);
  for (const SegmentProfile& p : profiles)
    for (int j = 0; j < d; ++j) population[j] += p.mean[j] * p.share;
  for (const SegmentProfile& p : profiles)
    for (int j = 0; j < d; ++j) spread[j] += p.share * (p.mean[j] - population[j]) * (p.mean[j] - population[j]);
  std::map<std::string, int> uses;
  for (const SegmentProfile& p : profiles) uses[p.name] += 1;
  for (SegmentProfile& p : profiles) {
    if (uses[p.name] < 2) continue;
    int best = 0;
    double best_z = -1;
    for (int j = 0; j < d; ++j) {
      const double z = spread[j] > 0 ? std::fabs(p.mean[j] - population[j]) / std::sqrt(spread[j]) : 0;
      if (z > best_z) best_z = z, best = j;
    }
    p.name += std::string(" — ") + (p.mean[best] >= population[best] ? "high " : "low ") + in.features[best];
  }
  return profiles;
}

}  // namespace kseg
