#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/communicator.hpp"

namespace kseg {

/// Steps applied to one feature before clustering, in this order.
struct FeatureTransform {
  bool log1p = false;        ///< sign(x)·ln(1 + |x|): tames heavy tails, defined for net spend < 0
  bool winsorize = false;    ///< clip to the global [low, high] quantiles
  bool standardize = false;  ///< (x − global mean) / global std
};

/// Parses "log1p+winsorize+standardize" (any subset, in any order; "none" for no step).
FeatureTransform parse_feature_transform(const std::string& steps);
std::string to_string(const FeatureTransform& t);

struct TransformParams {
  double winsor_low = 0.01;   ///< lower clipping quantile
  double winsor_high = 0.99;  ///< upper clipping quantile
  /// Per column, what its last stage divides by besides its standard deviation (categorical blocks
  /// and --weight: customers/attribute_features.hpp); empty: 1 for every column.
  std::vector<double> divisors;
};

/// Fitted transforms of every feature: applies them to new customers and maps centroids back.
struct Scaler {
  std::vector<FeatureTransform> steps;
  std::vector<double> fill;                 ///< an unknown value (NaN) becomes this: the mean of the known values
  std::vector<double> clip_low, clip_high;  ///< −inf / +inf where not winsorized (in log1p space)
  std::vector<double> center, scale;        ///< 0 / 1 where not standardized

  /// Transforms n rows of d features in place.
  void apply(float* rows, int64_t n) const;
  /// Centroids in the features' original units: undoes standardize, then log1p (clipping
  /// cannot be undone and need not be: a centroid lies within the clipping bounds).
  std::vector<float> to_original(const std::vector<float>& centroids) const;
};

/// Collective: fits each feature's steps on the global data, one step after the other (unknown
/// values filled with the exact mean of the known ones, quantiles in log space, mean and std after
/// clipping), and applies them to `rows` (n × d) in place. Refuses a column with no known value.
/// Quantiles come from a two-level global histogram of 1024 × 1024 bins merged with an exact
/// allreduce: within (max − min) / 2^20 of the exact quantile, the same for any number of ranks.
/// Means and standard deviations are exact fixed-point sums.
Scaler fit_and_apply_transforms(float* rows, int64_t n, int d, const std::vector<FeatureTransform>& steps,
                                const TransformParams& params, const int64_t* ids, const Communicator& comm,
                                const std::vector<std::string>& names = {});

/// Global quantile q of one column (stride d) by the two-level histogram above. Exposed for tests.
double global_quantile(const float* rows, int64_t n, int d, int column, double q, const Communicator& comm);

}  // namespace kseg
