#include "io/import_field_values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <climits>

namespace kseg::import_fields {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// FNV-1a: the same value on every machine and in every version, unlike std::hash.
int64_t stable_hash63(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (const unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return static_cast<int64_t>(hash & static_cast<uint64_t>(INT64_MAX));
}

}  // namespace

std::optional<int64_t> parse_digits(std::string_view digits) {
  if (!all_digits(digits)) return std::nullopt;
  int64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;  // beyond int64
  return value;
}

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::optional<int64_t> parse_customer_id(std::string_view text) {
  text = trim(text);
  const std::size_t point = text.find('.');
  if (point != std::string_view::npos) {
    if (text.find_first_not_of('0', point + 1) != std::string_view::npos) return std::nullopt;
    text = text.substr(0, point);
  }
  return parse_digits(text);
}

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text[0] == '+' || error != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value))
    return std::nullopt;
  return value;
}

std::optional<int32_t> parse_quantity(std::string_view text) {
  const std::optional<double> value = parse_number(text);
  if (!value || *value != std::trunc(*value) || std::fabs(*value) > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(*value);
}

int64_t order_number(std::string_view id) {
  id = trim(id);
  if (id.empty()) return 0;
  const std::size_t first_digit = std::min(id.size(), id.find_first_of("0123456789"));
  const std::optional<int64_t> number = parse_digits(id.substr(first_digit));
  return number ? *number : stable_hash63(id);
}

bool is_return_order(std::string_view id, const std::string& prefix) {
  id = trim(id);
  return !prefix.empty() && id.size() > prefix.size() && id.compare(0, prefix.size(), prefix) == 0 &&
         std::isdigit(static_cast<unsigned char>(id[prefix.size()]));
}

bool is_missing(std::string_view text) {
  text = trim(text);
  for (const char* marker : {"", "NA", "N/A", "NaN", "NULL", "None", "#N/A"})
    if (same_name(text, marker)) return true;
  return false;
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace kseg::import_fields
