#pragma once

#include <cmath>
#include <cstdint>

namespace kseg {

/// The values kseg's input files accept: a reader refuses a file with any other (naming the row
/// and value), `kseg import` skips such a row. Amounts and discounts finite and at most
/// kMaxAmount in magnitude; timestamps (Unix seconds) in [kFirstTimestamp, kEndTimestamp), i.e.
/// 1900-01-01 to before 2200-01-01; customer ids (transactions, features files) strictly between
/// INT64_MIN and INT64_MAX, the values an unsigned id of 2^63 or more and a negative overflow
/// saturate to.
inline constexpr double kMaxAmount = 1e12;
inline constexpr int64_t kFirstTimestamp = -2208988800;
inline constexpr int64_t kEndTimestamp = 7258118400;
inline bool amount_in_range(double v) { return std::fabs(v) <= kMaxAmount; }  // false for NaN and ±inf too
inline bool timestamp_in_range(int64_t t) { return t >= kFirstTimestamp && t < kEndTimestamp; }
inline bool customer_id_in_range(int64_t id) { return id > INT64_MIN && id < INT64_MAX; }

/// Codes accepted in /transactions/channel (each channel is a feature column) and category (a
/// purchase count per code is kept on every rank); with attribute `labels`, codes must index
/// them. `kseg import` refuses a column with more distinct values.
inline constexpr int32_t kMaxChannelCodes = 256;
inline constexpr int32_t kMaxCategoryCodes = 1 << 20;

}  // namespace kseg
