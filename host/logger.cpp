#include "host/logger.hpp"

#include <sstream>

namespace kseg {

std::string with_thousands(long long value) {
  std::string digits = std::to_string(value < 0 ? -value : value), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string milliseconds(double ms) {
  std::ostringstream text;
  text.setf(std::ios::fixed);
  text.precision(ms < 10 ? 2 : 1);
  text << ms << " ms";
  return text.str();
}

}  // namespace kseg
