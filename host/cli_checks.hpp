#pragma once

#include <sstream>
#include <string>

#include <CLI/CLI.hpp>

namespace kseg {

/// Validator for numeric options with a lower bound whose message reads "must be at least 1"
/// (CLI11's PositiveNumber prints a range up to 1.8e308).
inline CLI::Validator at_least(double low) {
  std::ostringstream text;
  text << low;
  const std::string bound = text.str();
  return CLI::Validator(
      [low, bound](std::string& input) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(input, value)) return "'" + input + "' is not a number";
        return value >= low ? std::string() : "must be at least " + bound + ", got " + input;
      },
      ">=" + bound);
}

}  // namespace kseg
