#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "customers/attribute_profiles.hpp"
#include "customers/feature_labels.hpp"

namespace kseg {

/// Model features taken from the /customers table (README, "Clustering on customer attributes"):
/// a quantity column by its name (unknown: NaN, filled by the transforms with the mean of the
/// known values); a categorical column as one indicator per label named "column=label" (1 for a
/// customer with that label, else 0; all 0 for an unknown label, and in `kseg assign` for a label
/// the model was not fitted with).

/// The model's feature list with every categorical attribute named in `wanted` expanded into its
/// indicators, in label order; other names unchanged. `attributes` may be null (no /customers).
std::vector<std::string> expand_attribute_features(const std::vector<std::string>& wanted,
                                                   const std::vector<std::string>& table_features,
                                                   const AttributeColumns* attributes);

/// The categorical column an indicator feature belongs to; empty for any other feature.
std::string indicator_block(const std::string& feature, const AttributeColumns* attributes);

/// This rank's customers as a row-major table of named columns.
struct CustomerTable {
  const std::vector<int64_t>& customer_id;
  std::vector<float>& matrix;  ///< customer_id.size() × feature_names.size()
  std::vector<std::string>& feature_names;
};

/// Collective: appends to `table` every feature of `model_features` that it lacks and /customers has, joined by customer id (distributed; customers missing from the
/// table get unknown values). Returns warnings: customers whose label of a clustered categorical
/// column has no indicator among `model_features` (an unseen label, treated as unknown).
std::vector<std::string> append_attribute_features(CustomerTable table, const AttributeColumns& attributes,
                                                   const std::vector<std::string>& model_features,
                                                   const Communicator& comm);

/// Collective: what each model column is divided by after its own transforms so that a
/// categorical column weighs like one standardized feature: an indicator block's columns by
/// √(Σ p(1 − p)) over its labels' shares p (the block's total variance, 1 after the division), every
/// other column by 1; then every column of a feature given weight W by √W more (W multiplies its
/// share of the squared distance). `weights` are "FEATURE=W", FEATURE a model feature or a
/// categorical column.
/// `rows` is this rank's n × names.size() model matrix before its transforms.
std::vector<double> feature_divisors(const float* rows, int64_t n, const std::vector<std::string>& names,
                                     const AttributeColumns* attributes,
                                     const std::vector<std::string>& weights, const Communicator& comm);

}  // namespace kseg
