#include "customers/rfm_defaults.hpp"

#include <map>
#include <optional>
#include <utility>

#include "common/errors.hpp"
#include "common/named_columns.hpp"

namespace kseg {

// RFM-style segmentation: recency, frequency and monetary value are what marketers' segment
// names are defined on; AOV separates big-basket from frequent small buyers, tenure separates
// new from established customers, and the return rate flags unprofitable ones. Counts and
// money are heavy-tailed (a few customers buy 100× the median), so they are log-scaled and
// their extremes clipped, or those few customers would each get a segment of their own; every
// feature is standardized so that each weighs the same in the distance.
const TransformDefaults& rfm_default_transforms() {
  static const TransformDefaults defaults = {
      {"recency_days", "log1p+standardize"},
      {"frequency", "log1p+winsorize+standardize"},
      {"monetary", "log1p+winsorize+standardize"},
      {"aov", "log1p+winsorize+standardize"},
      {"tenure_days", "standardize"},
      {"return_rate", "winsorize+standardize"},
  };
  return defaults;
}

std::vector<FeatureTransform> transforms_for(const std::vector<std::string>& names,
                                             const std::vector<std::string>& overrides, const TransformDefaults& defaults) {
  std::map<std::string, std::string> chosen;
  for (const std::string& flag : overrides) {
    const std::size_t eq = flag.find('=');
    if (eq == std::string::npos) refuse("transform '" + flag + "' must look like monetary=log1p+standardize");
    chosen[flag.substr(0, eq)] = flag.substr(eq + 1);
  }
  std::vector<FeatureTransform> steps;
  for (const std::string& name : names) {
    std::string spec = "none";
    for (const auto& [default_name, default_steps] : defaults)
      if (default_name == name) spec = default_steps;
    if (chosen.count("*")) spec = chosen.at("*");
    if (chosen.count(name)) spec = chosen.at(name);
    steps.push_back(parse_feature_transform(spec));
  }
  for (const auto& [name, spec] : chosen)
    if (name != "*" && !find_column(names, name))
      refuse("transform '" + name + "=...' names a feature the model does not use");
  return steps;
}

std::vector<float> retained_customers(const float* rows, int64_t n, const std::vector<std::string>& names) {
  const std::optional<std::size_t> current = find_column(names, "bought_current_period");
  const std::optional<std::size_t> previous = find_column(names, "bought_previous_period");
  std::vector<float> retained;
  if (!current || !previous) return retained;
  const std::size_t d = names.size();
  for (int64_t i = 0; i < n; ++i)
    retained.push_back(rows[i * d + *current] > 0 && rows[i * d + *previous] > 0 ? 1.0f : 0.0f);
  return retained;
}

}  // namespace kseg
