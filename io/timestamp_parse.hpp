#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace kseg {

/// How the dates of a text export are written. Every format reads a time without an offset as
/// UTC: the result never depends on the machine's locale or time zone.
enum class TimestampFormat {
  automatic,  ///< decided per value: 8 digits → ymd; other digits → unix; a '/' → mdy; else iso
  ymd,        ///< 20111209 (CDNOW)
  iso,        ///< 2011-12-09, 2011-12-09 12:50[:00[.123]], 2011-12-09T12:50:00Z, ...+01:00, ...-0500, ... UTC
  mdy,        ///< 12/9/2011 [12:50[:00]] [AM|PM], month first as in the UCI Online Retail export
  dmy,        ///< 9/12/2011 or 9.12.2011 [12:50[:00]] [AM|PM], day first as in European exports
  unix_seconds,  ///< 1323435000, seconds since 1970-01-01T00:00:00Z (may be negative)
};

/// The names --timestamp-format accepts.
const std::map<std::string, TimestampFormat>& timestamp_format_names();

/// Unix seconds (UTC) of `text` (surrounding spaces ignored), or nothing when it is not a valid
/// date in `format`: a month outside 1–12, a day past the month's end (2011-02-30), an hour,
/// minute, second or offset out of range, or trailing characters. In mdy and dmy a year–first
/// value with four digits first (2011/12/09) is read as year/month/day.
std::optional<int64_t> parse_timestamp(std::string_view text, TimestampFormat format);

/// Days from 1970-01-01 to the given proleptic Gregorian date (negative before it); Howard
/// Hinnant's days_from_civil, exact for any year. `month` is 1–12, `day` 1–31.
int64_t days_from_civil(int64_t year, int month, int day);

}  // namespace kseg
