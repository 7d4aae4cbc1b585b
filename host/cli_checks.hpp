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

/// Validator of --seed: a whole number 0 … 2^63−1, so that every seed is stored as it was given
/// (CLI11 would read -1 and 2^64 as 2^64−1).
inline CLI::Validator seed_range() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        const bool digits = !input.empty() && input.size() <= 19 &&
                            input.find_first_not_of("0123456789") == std::string::npos;
        if (digits && (input.size() < 19 || input <= "9223372036854775807")) return "";
        return "must be a whole number from 0 to 9223372036854775807, got " + input;
      },
      "0..2^63-1");
}

}  // namespace kseg
