#include "customers/feature_labels.hpp"

#include <algorithm>
#include <map>

namespace kseg {
namespace {

struct Words {
  const char* label;
  const char* high;
  const char* low;
};

const std::map<std::string, Words>& words() {
  static const std::map<std::string, Words> table = {
      {"recency_days", {"days since last purchase", "long gone", "recent buyers"}},
      {"frequency", {"orders", "frequent buyers", "rare buyers"}},
      {"monetary", {"net revenue", "big spenders", "small spenders"}},
      {"aov", {"average order value", "big baskets", "small baskets"}},
      {"tenure_days", {"days since first purchase", "long-standing", "newcomers"}},
      {"return_rate", {"return rate", "serial returners", "rarely return"}},
      {"gap_mean_days", {"mean days between purchases", "long gaps", "short gaps"}},
      {"gap_std_days", {"spread of days between purchases", "irregular", "regular"}},
      {"items_per_order", {"items per order", "many items per order", "few items per order"}},
      {"discount_share", {"share bought on discount", "discount hunters", "full-price buyers"}},
      {"bought_current_period", {"bought in the current period", "active now", "inactive now"}},
      {"bought_previous_period", {"bought in the previous period", "active last period", "inactive last period"}},
      {"sessions", {"visits per customer", "frequent visitors", "rare visitors"}},
      {"days_since_last_visit", {"days since last visit", "stopped visiting", "visiting now"}},
      {"conversion_rate", {"conversion rate", "converters", "browsers"}},
      {"cart_abandonment", {"cart abandonment", "cart abandoners", "checkout finishers"}},
      {"email_open_rate", {"email open rate", "email readers", "email ignorers"}},
      {"email_click_rate", {"email click rate", "email clickers", "email non-clickers"}},
  };
  return table;
}

std::string spaced(std::string text) {
  std::replace(text.begin(), text.end(), '_', ' ');
  return text;
}

// channel_share_web → "web", category_share_toys → "toys": the part after the prefix.
bool has_prefix(const std::string& feature, const std::string& prefix, std::string& rest) {
  if (feature.rfind(prefix, 0) != 0) return false;
  rest = spaced(feature.substr(prefix.size()));
  return true;
}

// region=north → "region", "north".
std::pair<std::string, std::string> column_and_label(const std::string& feature) {
  const std::size_t at = feature.find(kLabelSeparator);
  return {spaced(feature.substr(0, at)), feature.substr(at + 1)};
}

}  // namespace

bool is_indicator_feature(const std::string& feature) { return feature.find(kLabelSeparator) != std::string::npos; }

std::string feature_label(const std::string& feature) {
  if (is_indicator_feature(feature)) {
    const auto [column, label] = column_and_label(feature);
    return "share with " + column + " " + label;
  }
  const auto known = words().find(feature);
  if (known != words().end()) return known->second.label;
  std::string rest;
  if (has_prefix(feature, "channel_share_", rest)) return rest + " share of spend";
  if (has_prefix(feature, "category_share_", rest)) return rest + " share of spend";
  return spaced(feature);
}

bool is_share_feature(const std::string& feature) {
  std::string rest;
  return is_indicator_feature(feature) || feature == "return_rate" || feature == "conversion_rate" ||
         feature == "cart_abandonment" || feature == "email_open_rate" || feature == "email_click_rate" || feature == "discount_share" || feature.rfind("bought_", 0) == 0 ||
         has_prefix(feature, "channel_share_", rest) || has_prefix(feature, "category_share_", rest);
}

std::string feature_phrase(const std::string& feature, bool high) {
  if (is_indicator_feature(feature)) {
    const auto [column, label] = column_and_label(feature);
    return high ? "mostly " + column + " " + label : "few " + column + " " + label;
  }
  const auto known = words().find(feature);
  if (known != words().end()) return high ? known->second.high : known->second.low;
  std::string rest;
  if (has_prefix(feature, "channel_share_", rest)) return high ? rest + " first" : "rarely " + rest;
  if (has_prefix(feature, "category_share_", rest)) return high ? rest + " lovers" : "little " + rest;
  return (high ? "high " : "low ") + spaced(feature);
}

}  // namespace kseg
