#include "host/logger.hpp"

#include <sstream>

namespace kseg {

std::string milliseconds(double ms) {
  std::ostringstream text;
  text.setf(std::ios::fixed);
  text.precision(ms < 10 ? 2 : 1);
  text << ms << " ms";
  return text.str();
}

}  // namespace kseg
