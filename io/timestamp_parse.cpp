#include "io/timestamp_parse.hpp"

#include <cctype>
#include <charconv>

namespace kseg {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

// A date and time as written, before it is checked and turned into Unix seconds.
struct CivilTime {
  int64_t year = 0;
  int64_t month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int64_t offset_seconds = 0;  // local time minus UTC, from a trailing Z or ±hh:mm
};

bool is_leap(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int64_t days_in_month(int64_t year, int64_t month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

bool in_range(const CivilTime& t) {
  return t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= days_in_month(t.year, t.month) && t.hour <= 23 &&
         t.minute <= 59 && t.second <= 59;
}

int64_t unix_seconds(const CivilTime& t) {
  return days_from_civil(t.year, static_cast<int>(t.month), static_cast<int>(t.day)) * kSecondsPerDay +
         t.hour * 3600 + t.minute * 60 + t.second - t.offset_seconds;
}

// Reads a value left to right; each reader either consumes what it matched or nothing.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool done() const { return at_ == text_.size(); }
  char peek() const { return done() ? '\0' : text_[at_]; }

  bool skip(char c) {
    if (peek() != c || done()) return false;
    ++at_;
    return true;
  }
  bool skip_any_case(std::string_view word) {
    if (text_.size() - at_ < word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i)
      if (std::toupper(static_cast<unsigned char>(text_[at_ + i])) != word[i]) return false;
    at_ += word.size();
    return true;
  }
  /// Between `min_digits` and `max_digits` decimal digits.
  bool number(int min_digits, int max_digits, int64_t& value) {
    int digits = 0;
    int64_t result = 0;
    while (digits < max_digits && std::isdigit(static_cast<unsigned char>(peek()))) {
      result = result * 10 + (text_[at_++] - '0');
      ++digits;
    }
    if (digits < min_digits) {
      at_ -= digits;
      return false;
    }
    value = result;
    return true;
  }
  std::size_t digits_ahead() const {
    std::size_t n = 0;
    while (at_ + n < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_ + n]))) ++n;
    return n;
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

// hh:mm[:ss[.fraction]]; the fraction of a second is dropped (the output has whole seconds).
bool read_clock(Cursor& c, CivilTime& t) {
  if (!c.number(1, 2, t.hour) || !c.skip(':') || !c.number(2, 2, t.minute)) return false;
  if (c.skip(':') && !c.number(2, 2, t.second)) return false;
  int64_t ignored = 0;
  if ((c.skip('.') || c.skip(',')) && !c.number(1, 18, ignored)) return false;
  return true;
}

// An optional " AM" / " PM" after a clock: 12 AM is midnight, 12 PM noon.
bool read_meridiem(Cursor& c, CivilTime& t) {
  c.skip(' ');
  const bool am = c.skip_any_case("AM"), pm = !am && c.skip_any_case("PM");
  if (!am && !pm) return true;
  if (t.hour < 1 || t.hour > 12) return false;
  t.hour = t.hour % 12 + (pm ? 12 : 0);
  return true;
}

// Z, ±hh, ±hh:mm or ±hhmm; or " UTC", as clickstream exports write it (2019-10-01 00:00:00 UTC).
bool read_offset(Cursor& c, CivilTime& t) {
  if (c.skip('Z') || c.skip_any_case(" UTC")) return true;
  const bool west = c.peek() == '-';
  if (!c.skip('+') && !c.skip('-')) return true;  // no offset: UTC
  int64_t hours = 0, minutes = 0;
  if (!c.number(2, 2, hours)) return false;
  const bool has_minutes = c.skip(':') || c.digits_ahead() > 0;
  if (has_minutes && !c.number(2, 2, minutes)) return false;
  if (hours > 23 || minutes > 59) return false;
  t.offset_seconds = (west ? -1 : 1) * (hours * 3600 + minutes * 60);
  return true;
}

bool read_ymd(Cursor& c, CivilTime& t) {
  return c.number(4, 4, t.year) && c.number(2, 2, t.month) && c.number(2, 2, t.day) && c.done();
}

bool read_iso(Cursor& c, CivilTime& t) {
  if (!c.number(4, 4, t.year) || !c.skip('-') || !c.number(1, 2, t.month) || !c.skip('-') || !c.number(1, 2, t.day))
    return false;
  if (c.done()) return true;
  if (!c.skip('T') && !c.skip(' ')) return false;
  return read_clock(c, t) && read_offset(c, t) && c.done();
}

// The separator after a date's first part ('/', '.' or '-'); the second must be the same.
bool read_date_separator(Cursor& c, char& separator) {
  separator = c.peek();
  return (separator == '/' || separator == '.' || separator == '-') && c.skip(separator);
}

// m/d/yyyy or d/m/yyyy (also with '.' or '-' between the parts), then an optional clock.
bool read_day_month(Cursor& c, CivilTime& t, bool month_first) {
  char separator = '\0';
  if (c.digits_ahead() == 4) {  // 2011/12/09: year first is unambiguous
    if (!c.number(4, 4, t.year) || !read_date_separator(c, separator) || !c.number(1, 2, t.month) ||
        !c.skip(separator) || !c.number(1, 2, t.day))
      return false;
  } else {
    int64_t first = 0, second = 0;
    if (!c.number(1, 2, first) || !read_date_separator(c, separator) || !c.number(1, 2, second) ||
        !c.skip(separator) || !c.number(4, 4, t.year))
      return false;
    t.month = month_first ? first : second;
    t.day = month_first ? second : first;
  }
  if (c.done()) return true;
  return c.skip(' ') && read_clock(c, t) && read_meridiem(c, t) && c.done();
}

std::optional<int64_t> read_unix(std::string_view text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

TimestampFormat guess_format(std::string_view text) {
  const std::string_view unsigned_part = text.substr(!text.empty() && text[0] == '-' ? 1 : 0);
  if (all_digits(text) && text.size() == 8) return TimestampFormat::ymd;
  if (all_digits(unsigned_part)) return TimestampFormat::unix_seconds;
  if (text.find('/') != std::string_view::npos) return TimestampFormat::mdy;
  return TimestampFormat::iso;
}

std::string_view trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

int64_t days_from_civil(int64_t year, int month, int day) {
  // Counts from 0000-03-01 so that the leap day is the last day of its year; 400-year eras.
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;                                 // [0, 399]
  const int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;  // [0, 365]
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;  // 719468: days from 0000-03-01 to 1970-01-01
}

const std::map<std::string, TimestampFormat>& timestamp_format_names() {
  static const std::map<std::string, TimestampFormat> names = {
      {"auto", TimestampFormat::automatic}, {"ymd", TimestampFormat::ymd}, {"iso", TimestampFormat::iso},
      {"mdy", TimestampFormat::mdy},        {"dmy", TimestampFormat::dmy}, {"unix", TimestampFormat::unix_seconds}};
  return names;
}

std::optional<int64_t> parse_timestamp(std::string_view text, TimestampFormat format) {
  text = trimmed(text);
  if (format == TimestampFormat::automatic) format = guess_format(text);
  if (format == TimestampFormat::unix_seconds) return read_unix(text);
  Cursor cursor(text);
  CivilTime t;
  bool read = false;
  switch (format) {
    case TimestampFormat::ymd: read = read_ymd(cursor, t); break;
    case TimestampFormat::iso: read = read_iso(cursor, t); break;
    case TimestampFormat::mdy: read = read_day_month(cursor, t, /*month_first=*/true); break;
    case TimestampFormat::dmy: read = read_day_month(cursor, t, /*month_first=*/false); break;
    default: break;
  }
  if (!read || !in_range(t)) return std::nullopt;
  return unix_seconds(t);
}

}  // namespace kseg
