#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "customers/attribute_profiles.hpp"
#include "customers/segment_stability.hpp"
#include "customers/holdout_validation.hpp"
#include "cluster/model_selection.hpp"
#include "customers/quarter_comparison.hpp"
#include "customers/segment_profiles.hpp"
#include "io/json.hpp"

namespace kseg {

/// Everything the report files (report.json, segments CSV, report.html) say about one run.
/// Rows of `profiles` are the model's segments; `profiles[i].segment` is segment i's stable id.
struct RunReport {
  JsonObject facts;                                             ///< report.json's top-level fields
  std::vector<std::pair<std::string, std::string>> headline;   ///< report.html's label/value lines
  std::vector<std::string> features;
  std::vector<SegmentProfile> profiles;
  std::optional<AttributeProfiles> attributes;  ///< when the input has a /customers table
  std::vector<FitQuality> sweep;                ///< when the run chose k (--select-k)
  int recommended_k = 0;
  std::optional<QuarterComparison> comparison;  ///< when the run had --previous
  std::optional<HoldoutValidation> validation;  ///< when the transactions go on past the as-of date
  std::string currency;                         ///< shown on money (e.g. EUR); empty: none
  std::vector<std::string> warnings;            ///< what a reader must know before trusting the figures
  std::optional<SegmentStability> stability;   ///< with --stability: per segment in profile order
};

}  // namespace kseg
