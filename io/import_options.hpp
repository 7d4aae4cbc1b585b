#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "io/csv_reader.hpp"
#include "io/timestamp_parse.hpp"

namespace kseg {

/// Which table a text export fills: the order lines (/transactions) or what customers did besides
/// buying (/events).
enum class ImportTable { transactions, events };

/// Which field of a text export feeds which column. Each is a header name (case-insensitive) or a
/// 1-based position (the only way without a header, and the fallback when no header name matches);
/// empty means not mapped.
struct ColumnMapping {
  std::string customer;    ///< customer id (required)
  std::string timestamp;   ///< date or date and time (required)
  std::string amount;      ///< transactions: net revenue of the line; or give quantity and unit_price
  std::string quantity;    ///< transactions: items on the line; with unit_price it makes the amount
  std::string unit_price;  ///< transactions: price of one item
  std::string order;       ///< transactions: order / invoice id
  std::string category;    ///< transactions: product category (text, stored as codes with a `labels` attribute)
  std::string channel;     ///< sales or marketing channel: text, stored as codes with a `labels` attribute
  std::string discount;    ///< transactions: discount of the line (an empty field is 0)
  std::string type;        ///< events: the event type (required), a name of event_type_labels() or renamed by type_names
  std::string campaign;    ///< events: campaign name, stored as codes with a `labels` attribute
};

/// What `kseg import` was asked to do.
struct ImportOptions {
  ImportTable table = ImportTable::transactions;
  std::string input;        ///< the text export
  std::string output;       ///< the HDF5 file to write (AtomicOutput's partial path)
  std::string base;         ///< events: the transactions file they join, copied to `output` with /events added
  bool replace_events = false;  ///< events: `base` may already hold /events, which are replaced
  CsvDialect dialect;       ///< delimiter or whitespace
  bool header = true;       ///< the first record names the columns
  ColumnMapping columns;    ///< which field goes where
  /// events: the export's own type names and the event type each stands for (view → product_view)
  std::vector<std::pair<std::string, std::string>> type_names;
  TimestampFormat timestamp_format = TimestampFormat::automatic;
  std::string return_prefix = "C";  ///< an order id of this prefix then digits is a return (UCI: C536379)
  bool strict = false;      ///< a row that cannot be imported is an error instead of being skipped
  std::string config_text;  ///< the effective options, stored in the file's `config` attribute
};

/// Why a row was left out; each is counted.
enum class SkipReason {
  missing_customer_id,
  bad_customer_id,
  bad_timestamp,
  bad_number,
  wrong_field_count,
  unknown_event_type
};
inline constexpr std::size_t kSkipReasons = 6;
/// "bad timestamp": for people.
const char* skip_reason_text(SkipReason reason);
/// "bad_timestamp": for --json.
const char* skip_reason_key(SkipReason reason);
/// Whether rows of `table` can be skipped for `reason` (no amounts in events, no types in order lines).
bool skip_reason_applies(SkipReason reason, ImportTable table);

/// A row that was left out: where, why, and the value at fault.
struct SkippedRow {
  int64_t line = 0;
  SkipReason reason = SkipReason::missing_customer_id;
  std::string detail;  ///< e.g. "InvoiceDate = '2011-02-30'"
};

/// What an import read, kept and left out.
struct ImportSummary {
  static constexpr std::size_t kSkippedRowsNamed = 5;
  static constexpr std::size_t kEventTypes = 7;

  int64_t rows_read = 0;    ///< data records; the header and blank lines are not rows
  int64_t rows_kept = 0;    ///< rows written to the table
  int64_t returns = 0;      ///< transactions: kept rows that are returns or cancellations (negative amount)
  int64_t zero_amount = 0;  ///< transactions: kept rows whose amount is 0 (free items, zero prices)
  std::array<int64_t, kSkipReasons> skipped{};  ///< rows left out, by SkipReason
  std::vector<SkippedRow> first_skipped;        ///< the first kSkippedRowsNamed of them
  int64_t categories = 0;   ///< distinct category labels
  int64_t channels = 0;     ///< distinct channel labels
  int64_t campaigns = 0;    ///< events: distinct campaign labels
  std::array<int64_t, kEventTypes> events_by_type{};  ///< events: kept rows per EventType

  int64_t skipped_total() const;
};

/// Throws InputError naming the options when the mapping lacks a column `table` requires, maps
/// one that belongs to the other table, or mixes the two ways of giving an amount.
void check_mapping(const ColumnMapping& mapping, ImportTable table);

/// Called after each chunk of rows has gone to the file.
using ImportProgress = std::function<void(const ImportSummary&)>;

}  // namespace kseg
