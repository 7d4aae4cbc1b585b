#pragma once

#include <string>
#include <utility>
#include <vector>

#include "customers/transforms.hpp"

namespace kseg {

/// Feature name → default transform steps (e.g. "log1p+winsorize+standardize").
using TransformDefaults = std::vector<std::pair<std::string, std::string>>;

/// The features an RFM segmentation clusters on when the user names none (transactions input),
/// with their transform steps (see rfm_defaults.cpp for why).
const TransformDefaults& rfm_default_transforms();

/// Each feature's transform steps: "NAME=steps" overrides (NAME "*" for every feature not named)
/// over `defaults` (none for a feature it does not list). Refuses a malformed override or one
/// naming a feature the model does not use.
std::vector<FeatureTransform> transforms_for(const std::vector<std::string>& features,
                                             const std::vector<std::string>& overrides, const TransformDefaults& defaults);

/// Per customer, 1 when they bought in both retention periods (bought_current_period and
/// bought_previous_period), else 0; empty when the table lacks those columns.
std::vector<float> retained_customers(const float* rows, int64_t n, const std::vector<std::string>& names);

}  // namespace kseg
