#pragma once

#include <string>

namespace kseg::detail {

/// A CSV text field as RFC 4180 writes it: quoted, inner quotes doubled (names may hold commas).
inline std::string csv_field(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace kseg::detail
