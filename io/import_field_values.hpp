#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kseg::import_fields {

/// The text without leading and trailing blanks and tabs.
std::string_view trim(std::string_view text);
/// Digits only, within int64.
std::optional<int64_t> parse_digits(std::string_view digits);
/// A non-negative integer; spreadsheets export 17850 as "17850.0", so zeros after a point are
/// accepted. Negative ids are refused: exports use -1 for "unknown customer".
std::optional<int64_t> parse_customer_id(std::string_view text);
/// A finite decimal number, independent of the locale.
std::optional<double> parse_number(std::string_view text);
/// Items are whole numbers stored as int32 ("2.0" accepted).
std::optional<int32_t> parse_quantity(std::string_view text);
/// C536379 → 536379; INV-00042 → 42; an id with letters after its first digit → its stable hash.
int64_t order_number(std::string_view id);
/// Whether the order id is `prefix` followed by a digit (so that with prefix C the order
/// "CA-2016-152156", Superstore's ids, is not taken for a return).
bool is_return_order(std::string_view id, const std::string& prefix);
/// An empty field or a spreadsheet's marker of no value: NA, N/A, NaN, NULL, None (any case).
bool is_missing(std::string_view text);
/// Equal but for case.
bool same_name(std::string_view a, std::string_view b);

}  // namespace kseg::import_fields
