#pragma once

#include <iostream>
#include <sstream>
#include <string>

#include "common/number_text.hpp"
#include "common/timer.hpp"

namespace kseg {

/// Progress lines for people, on stderr, from rank 0 only, each stamped with the seconds since
/// the job started. Silent on other ranks and under --quiet. Owned by the command, never global.
class Logger {
 public:
  Logger(bool enabled, std::ostream& out = std::cerr) : enabled_(enabled), out_(out) {}

  bool enabled() const { return enabled_; }

  template <typename... Parts>
  void line(const Parts&... parts) const {
    if (!enabled_) return;
    std::ostringstream text;
    text.setf(std::ios::fixed);
    text.precision(2);
    text << "[" << clock_.seconds() << "s] ";
    text.unsetf(std::ios::fixed);
    text.precision(6);
    (text << ... << parts);
    out_ << text.str() << '\n' << std::flush;
  }

 private:
  bool enabled_;
  std::ostream& out_;
  Stopwatch clock_;
};

/// 12.3456 → "12.3 ms".
std::string milliseconds(double ms);

}  // namespace kseg
