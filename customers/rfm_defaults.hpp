#pragma once

#include <string>
#include <vector>

#include "customers/transforms.hpp"

namespace kseg {

/// The features an RFM segmentation clusters on when the user names none (transactions input):
/// recency_days, frequency, monetary, aov, tenure_days, return_rate.
std::vector<std::string> rfm_default_features();

/// Each feature's transform steps: "NAME=steps" overrides (NAME "*" for every feature not named)
/// over the defaults, which are RFM's (see rfm_defaults.cpp) when `rfm_defaults` and none
/// otherwise. Refuses a malformed override or one naming a feature the model does not use.
std::vector<FeatureTransform> transforms_for(const std::vector<std::string>& features,
                                             const std::vector<std::string>& overrides, bool rfm_defaults);

/// Per customer, 1 when they bought in both retention periods (bought_current_period and
/// bought_previous_period), else 0; empty when the table lacks those columns.
std::vector<float> retained_customers(const float* rows, int64_t n, const std::vector<std::string>& names);

}  // namespace kseg
