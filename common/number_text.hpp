#pragma once

#include <sstream>
#include <string>

namespace kseg {

/// `v` with exactly `digits` decimals ("12.50"), for people-facing text: reports and warnings.
inline std::string fixed_decimals(double v, int digits) {
  std::ostringstream text;
  text.setf(std::ios::fixed);
  text.precision(digits);
  text << v;
  return text.str();
}

/// 0.1234 → "12.3%" (digits = 1).
inline std::string percent_text(double share, int digits) { return fixed_decimals(100 * share, digits) + "%"; }

/// A value as a file held it, for error messages: 1e+300, -5, 9223372036854775807.
template <typename T>
std::string value_text(T value) {
  std::ostringstream text;
  text.precision(10);
  text << value;
  return text.str();
}

/// 1234567 → "1,234,567": counts of customers and lines in logs and reports.
inline std::string with_thousands(long long value) {
  std::string digits = std::to_string(value < 0 ? -value : value), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

}  // namespace kseg
