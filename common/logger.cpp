#include "common/logger.hpp"

namespace kseg {

std::string milliseconds(double ms) { return fixed_decimals(ms, ms < 10 ? 2 : 1) + " ms"; }

}  // namespace kseg
