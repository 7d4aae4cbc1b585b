#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "io/csv_reader.hpp"
#include "io/timestamp_parse.hpp"

namespace kseg {

/// Which field of a text export feeds which column of /transactions. Each is a header name
/// (case-insensitive) or a 1-based position (the only way without a header, and the fallback
/// when no header name matches); empty means not mapped.
struct ColumnMapping {
  std::string customer;    ///< customer id (required)
  std::string timestamp;   ///< date or date and time (required)
  std::string amount;      ///< net revenue of the line; or give quantity and unit_price
  std::string quantity;    ///< items on the line; with unit_price it makes the amount
  std::string unit_price;  ///< price of one item
  std::string order;       ///< order / invoice id
  std::string category;    ///< product category: text, stored as codes with a `labels` attribute
  std::string channel;     ///< sales channel: text, stored as codes with a `labels` attribute
  std::string discount;    ///< discount of the line (an empty field is 0)
};

/// What `kseg import` was asked to do.
struct ImportOptions {
  std::string input;        ///< the text export
  std::string output;       ///< the HDF5 file to write (AtomicOutput's partial path)
  CsvDialect dialect;       ///< delimiter or whitespace
  bool header = true;       ///< the first record names the columns
  ColumnMapping columns;    ///< which field goes where
  TimestampFormat timestamp_format = TimestampFormat::automatic;
  std::string return_prefix = "C";  ///< an order id of this prefix then digits is a return (UCI: C536379)
  bool strict = false;      ///< a row that cannot be imported is an error instead of being skipped
  std::string config_text;  ///< the effective options, stored in the file's `config` attribute
};

/// Why a row was left out; each is counted.
enum class SkipReason { missing_customer_id, bad_customer_id, bad_timestamp, bad_number, wrong_field_count };
inline constexpr std::size_t kSkipReasons = 5;
/// "bad timestamp": for people.
const char* skip_reason_text(SkipReason reason);
/// "bad_timestamp": for --json.
const char* skip_reason_key(SkipReason reason);

/// A row that was left out: where, why, and the value at fault.
struct SkippedRow {
  int64_t line = 0;
  SkipReason reason = SkipReason::missing_customer_id;
  std::string detail;  ///< e.g. "InvoiceDate = '2011-02-30'"
};

/// What an import read, kept and left out.
struct ImportSummary {
  static constexpr std::size_t kSkippedRowsNamed = 5;

  int64_t rows_read = 0;    ///< data records; the header and blank lines are not rows
  int64_t rows_kept = 0;    ///< rows written to /transactions
  int64_t returns = 0;      ///< kept rows that are returns or cancellations (negative amount)
  int64_t zero_amount = 0;  ///< kept rows whose amount is 0 (free items, zero prices)
  std::array<int64_t, kSkipReasons> skipped{};  ///< rows left out, by SkipReason
  std::vector<SkippedRow> first_skipped;        ///< the first kSkippedRowsNamed of them
  int64_t categories = 0;   ///< distinct category labels
  int64_t channels = 0;     ///< distinct channel labels

  int64_t skipped_total() const;
};

/// Throws InputError naming the options when the mapping lacks a required column or mixes the
/// two ways of giving the amount.
void check_mapping(const ColumnMapping& mapping);

/// Called after each chunk of rows has gone to the file.
using ImportProgress = std::function<void(const ImportSummary&)>;

/// Serial (one process): streams `options.input` record by record and appends the rows it keeps
/// to `options.output` in chunks, so memory does not grow with the file. The layout is
/// /transactions of docs/DESIGN.md, optional columns present only when mapped:
///  - amount = the amount field, or quantity × unit price;
///  - a return (negative quantity or amount, or an order id of the return prefix then digits) is
///    kept with a negative amount and quantity;
///  - order ids are the digits after any leading non-digits (C536379 → 536379); an id with other
///    characters becomes a stable 63-bit hash of its text (FNV-1a), an empty one 0;
///  - customer ids are non-negative integers (leading zeros and a trailing ".0" accepted);
///  - category and channel texts get codes 0, 1, ... in order of first appearance.
/// Throws InputError naming the file (and line) for a mapping that is incomplete or does not fit
/// the file, a file with no row to keep, and under `strict` the first row that would be skipped.
ImportSummary import_transactions(const ImportOptions& options, const ImportProgress& progress = {});

}  // namespace kseg
