#include "io/detail/import_rows.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "common/errors.hpp"
#include "common/printable_text.hpp"
#include "common/value_ranges.hpp"
#include "common/version.hpp"
#include "io/import_field_values.hpp"

namespace kseg {
namespace {

using namespace import_fields;
using import_rows::FieldIndex;
using import_rows::FileLayout;
using import_rows::kUnmapped;

constexpr std::size_t kDetailChars = 40;  // of a bad value quoted in the summary

struct SkipReasonNames {
  const char* text;
  const char* key;
};
constexpr SkipReasonNames kSkipReasonNames[kSkipReasons] = {
    {"missing customer id", "missing_customer_id"},
    {"bad customer id", "bad_customer_id"},
    {"bad timestamp", "bad_timestamp"},
    {"bad amount/quantity/price", "bad_number"},
    {"wrong number of fields", "wrong_field_count"},
    {"unknown event type", "unknown_event_type"}};

// The option that maps each column, where its reference is kept and where its field goes.
struct Role {
  const char* option;
  std::string ColumnMapping::*reference;
  int FieldIndex::*field;
};
constexpr Role kRoles[] = {
    {"--customer", &ColumnMapping::customer, &FieldIndex::customer},
    {"--timestamp", &ColumnMapping::timestamp, &FieldIndex::timestamp},
    {"--amount", &ColumnMapping::amount, &FieldIndex::amount},
    {"--quantity", &ColumnMapping::quantity, &FieldIndex::quantity},
    {"--unit-price", &ColumnMapping::unit_price, &FieldIndex::unit_price},
    {"--order", &ColumnMapping::order, &FieldIndex::order},
    {"--category", &ColumnMapping::category, &FieldIndex::category},
    {"--channel", &ColumnMapping::channel, &FieldIndex::channel},
    {"--discount", &ColumnMapping::discount, &FieldIndex::discount},
    {"--type", &ColumnMapping::type, &FieldIndex::type},
    {"--campaign", &ColumnMapping::campaign, &FieldIndex::campaign},
};

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

int resolve_field(const Role& role, const std::string& reference, const FileLayout& layout, const ImportOptions& o) {
  const std::string quoted = std::string(role.option) + " '" + reference + "'";
  if (o.header)
    for (std::size_t i = 0; i < layout.names.size(); ++i)
      if (same_name(layout.names[i], trim(reference))) return static_cast<int>(i);
  const std::optional<int64_t> position = parse_digits(trim(reference));
  if (!position && o.header)
    throw InputError(o.input + ": " + quoted + ": no such column in the header (" + printable_text(joined(layout.names)) + ")" +
                     (layout.names.size() == 1 ? "; it has one column only: is --delimiter right?" : ""));
  if (!position || *position < 1)
    throw InputError(o.input + ": " + quoted + ": without a header, columns are numbered from 1");
  if (*position > static_cast<int64_t>(layout.fields))
    throw InputError(o.input + ": " + quoted + ": rows have only " + std::to_string(layout.fields) + " fields");
  return static_cast<int>(*position - 1);
}

// "InvoiceDate = '2011-02-30'": what the summary shows of a skipped row.
std::string describe(const CsvRecord& record, const import_rows::Problem& problem, const FileLayout& layout) {
  if (problem.field == kUnmapped)
    return std::to_string(record.size()) + " fields, expected " + std::to_string(layout.fields);
  const std::string_view value = record[static_cast<std::size_t>(problem.field)];
  const std::string shown = printable_text(value.substr(0, kDetailChars));  // one line, no raw bytes
  return printable_text(layout.column_name(problem.field)) + " = '" + shown + (value.size() > kDetailChars ? "...'" : "'");
}

void refuse_columns(std::initializer_list<std::pair<const char*, const std::string*>> columns,
                    const char* table) {
  for (const auto& [option, reference] : columns)
    if (!reference->empty()) throw InputError(std::string(option) + " is a column of " + table + " only");
}

}  // namespace

const char* skip_reason_text(SkipReason reason) { return kSkipReasonNames[static_cast<std::size_t>(reason)].text; }
const char* skip_reason_key(SkipReason reason) { return kSkipReasonNames[static_cast<std::size_t>(reason)].key; }

bool skip_reason_applies(SkipReason reason, ImportTable table) {
  if (reason == SkipReason::bad_number) return table == ImportTable::transactions;
  if (reason == SkipReason::unknown_event_type) return table == ImportTable::events;
  return true;
}

int64_t ImportSummary::skipped_total() const {
  int64_t total = 0;
  for (const int64_t count : skipped) total += count;
  return total;
}

void check_mapping(const ColumnMapping& m, ImportTable table) {
  if (m.customer.empty()) throw InputError("--customer is required: the column of customer ids");
  if (m.timestamp.empty()) throw InputError("--timestamp is required: the column of dates");
  if (table == ImportTable::events) {
    if (m.type.empty()) throw InputError("--type is required with --events: the column of event types");
    refuse_columns(
                   {{"--amount", &m.amount}, {"--quantity", &m.quantity}, {"--unit-price", &m.unit_price},
                    {"--order", &m.order}, {"--category", &m.category}, {"--discount", &m.discount}},
                   "order lines (--csv)");
    return;
  }
  refuse_columns({{"--type", &m.type}, {"--campaign", &m.campaign}}, "events (--events)");
  if (m.amount.empty() && m.unit_price.empty())
    throw InputError("--amount, or --quantity and --unit-price, is required: what each line earned");
  if (!m.amount.empty() && !m.unit_price.empty())
    throw InputError("--amount and --unit-price exclude each other: give one way to know what a line earned");
  if (!m.unit_price.empty() && m.quantity.empty())
    throw InputError("--unit-price needs --quantity (amount = quantity x unit price)");
}

namespace import_rows {

std::ifstream open_export(const ImportOptions& o) {
  std::ifstream in(o.input, std::ios::binary);
  if (!in) throw InputError(o.input + ": cannot open: " + std::strerror(errno));
  return in;
}

FileLayout read_layout(const ImportOptions& o, CsvReader& reader, CsvRecord& first_row) {
  FileLayout layout;
  if (o.header) {
    if (!reader.next(first_row)) throw InputError(o.input + ": is empty");
    for (std::size_t i = 0; i < first_row.size(); ++i) layout.names.emplace_back(trim(first_row[i]));
  }
  if (!reader.next(first_row)) throw InputError(o.input + ": has no data rows");
  layout.fields = o.header ? layout.names.size() : first_row.size();
  if (!o.header)
    for (std::size_t i = 0; i < layout.fields; ++i) layout.names.push_back("column " + std::to_string(i + 1));
  for (const Role& role : kRoles)
    if (!(o.columns.*role.reference).empty())
      layout.index.*role.field = resolve_field(role, o.columns.*role.reference, layout, o);
  return layout;
}

std::optional<Problem> read_customer_and_time(const CsvRecord& record, const FileLayout& layout,
                                              const ImportOptions& o, int64_t& customer_id, int64_t& timestamp) {
  const FieldIndex& f = layout.index;
  if (record.size() != layout.fields) return Problem{SkipReason::wrong_field_count, kUnmapped};
  if (is_missing(record[f.customer])) return Problem{SkipReason::missing_customer_id, f.customer};
  const std::optional<int64_t> customer = parse_customer_id(record[f.customer]);
  if (!customer || !customer_id_in_range(*customer)) return Problem{SkipReason::bad_customer_id, f.customer};
  const std::optional<int64_t> time = parse_timestamp(record[f.timestamp], o.timestamp_format);
  if (!time || !timestamp_in_range(*time)) return Problem{SkipReason::bad_timestamp, f.timestamp};
  customer_id = *customer;
  timestamp = *time;
  return std::nullopt;
}

void note_skip(ImportSummary& summary, const ImportOptions& o, const FileLayout& layout, const CsvRecord& record,
               const Problem& problem) {
  ++summary.skipped[static_cast<std::size_t>(problem.reason)];
  if (!o.strict && summary.first_skipped.size() == ImportSummary::kSkippedRowsNamed) return;
  SkippedRow row{record.line(), problem.reason, describe(record, problem, layout)};
  if (o.strict)
    throw InputError(o.input + ":" + std::to_string(row.line) + ": " + skip_reason_text(row.reason) + " (" +
                     row.detail + "); --strict stops at the first row that cannot be imported");
  summary.first_skipped.push_back(std::move(row));
}

void refuse_if_nothing_kept(const ImportOptions& o, const ImportSummary& summary) {
  if (summary.rows_kept > 0) return;
  const SkippedRow& first = summary.first_skipped.front();
  throw InputError(o.input + ": no row could be imported: all " + std::to_string(summary.rows_read) +
                   " were skipped (first: line " + std::to_string(first.line) + ", " + skip_reason_text(first.reason) +
                   ", " + first.detail + ")");
}

std::vector<std::pair<std::string, h5::AttributeValue>> provenance(const ImportOptions& o, const ImportSummary& s) {
  return {{"input", o.input},
          {"rows_read", s.rows_read},
          {"rows_kept", s.rows_kept},
          {"rows_skipped", s.skipped_total()},
          {"version", std::string(kVersion)},
          {"config", o.config_text}};
}

int32_t LabelCodes::code(std::string_view label) {
  std::string key(label);
  const auto found = codes_.find(key);
  if (found != codes_.end()) return found->second;
  if (labels_.size() == limit_)
    throw InputError(column_ + " has more than " + std::to_string(limit_) +
                     " distinct values: map a column of labels, not of ids or free text");
  labels_.push_back(key);
  return codes_.emplace(std::move(key), static_cast<int32_t>(labels_.size() - 1)).first->second;
}

}  // namespace import_rows
}  // namespace kseg
