#pragma once

#include <string>

namespace kseg {

/// Whether a feature is one label's indicator of a categorical customer attribute, "region=north"
/// (customers/attribute_features.hpp): the one kind of feature whose name holds kLabelSeparator.
inline constexpr char kLabelSeparator = '=';
bool is_indicator_feature(const std::string& feature);

/// A feature as a marketer reads it: recency_days → "days since last purchase", channel_share_web
/// → "web share of spend"; a name the table does not know reads with spaces for underscores.
std::string feature_label(const std::string& feature);

/// Whether a feature is a share of 0–1 that people read as a percentage: return_rate,
/// discount_share, the channel and category shares, bought_current/previous_period, and the
/// indicators of categorical attributes (a segment's mean is its share with that label).
bool is_share_feature(const std::string& feature);

/// What a segment far above (`high`) or below the population on a feature is called, to tell
/// segments of one RFM name apart: aov high → "big baskets", return_rate high → "serial
/// returners", tenure_days low → "newcomers", channel_share_web high → "web first".
std::string feature_phrase(const std::string& feature, bool high);

}  // namespace kseg
