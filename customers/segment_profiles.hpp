#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "customers/customer_rfm.hpp"

namespace kseg {

/// What a marketer reads about one segment.
struct SegmentProfile {
  int segment = 0;
  std::string name;    ///< e.g. "Champions" or "Loyal — big baskets" (customers/segment_names.hpp)
  std::string action;  ///< one-line suggested action
  int64_t customers = 0;
  double share = 0;
  std::vector<double> mean;    ///< per profiled feature, original units, over the known values (NaN: unknown)
  std::vector<double> median;  ///< per profiled feature, within (max − min)/2^20 (global histogram)
  int r_score = 0, f_score = 0, m_score = 0;  ///< 1–5: its customers' median RFM scores; 0 without RFM
  std::vector<int64_t> rfm_classes;           ///< customers per RFM class (rfm_class_labels order); empty without RFM
  double revenue = 0, revenue_share = 0;      ///< Σ monetary, when profiled
  /// CLV figures over the customers who have one; NaN (unknown) without CLV, i.e. for a features
  /// file. churn_risk is the mean P(no purchase in the next period), which is what a marketer
  /// means by churn.
  double mean_clv = NAN, total_clv = NAN, mean_p_alive = NAN, churn_risk = NAN;
  int64_t without_clv = 0;            ///< customers who never bought (returns only): no CLV, P(alive) or churn risk
  std::vector<double> clv_quantiles;  ///< CLV at kClvQuantiles, when CLV exists
  double retention = -1;  ///< share who bought in both the previous and the current period; −1: unknown
};

/// Where the CLV distribution of each segment is cut (a box plot: whiskers, box, median).
inline constexpr double kClvQuantiles[] = {0.05, 0.25, 0.5, 0.75, 0.95};

/// Per-customer inputs of the profiles on this rank.
struct ProfileInputs {
  std::vector<std::string> features;  ///< names of the profiled features
  const float* rows = nullptr;        ///< n rows of `stride` values, original units
  int stride = 0;
  std::vector<std::size_t> columns;   ///< per feature: its column in `rows` (a view, not a copy)
  int64_t n = 0;
  const int32_t* segment = nullptr;
  const float* clv = nullptr;      ///< optional; NaN: unknown (a customer who never bought)
  const float* p_alive = nullptr;  ///< optional; NaN where clv is
  const float* churn_risk = nullptr;  ///< optional: P(no purchase in the next period); NaN where clv is
  const float* retained = nullptr;  ///< optional: 1 bought in both periods, else 0
  const CustomerRfm* rfm = nullptr;  ///< optional: per-customer RFM scores and classes
  double period_days = 90;           ///< --period-days: "New" means a first purchase within one

  /// Customer i's value of profiled feature j.
  float value(int64_t i, int j) const { return rows[i * stride + columns[j]]; }
};

/// Collective: exact per-segment means (fixed-point sums; CLV figures over the customers who
/// have one), medians and CLV quantiles (global histograms), and names from the customers inside
/// (name_segments).
std::vector<SegmentProfile> profile_segments(const ProfileInputs& in, int k, const Communicator& comm);

/// Each segment's feature means against the population's, in population spreads.
struct FeatureZScores {
  std::vector<double> population;      ///< per feature: the share-weighted mean of the segment means
  std::vector<double> spread;          ///< per feature: the share-weighted variance of the segment means;
                                       ///< an indicator's: p(1 − p) of the population share p
  std::vector<std::vector<double>> z;  ///< [segment][feature]: (mean − population) / √spread; 0 where spread is 0
};

/// The z-scores of each profile's features (a mean the profile lacks is NaN). A term that is
/// missing or not finite counts 0. An indicator of a categorical attribute (is_indicator_feature)
/// is measured in its customers' spread, as segments that differ by a point or two in a label's
/// share would otherwise look as distinct as segments apart by a year in recency.
FeatureZScores feature_z_scores(const std::vector<SegmentProfile>& profiles, const std::vector<std::string>& features);

}  // namespace kseg
