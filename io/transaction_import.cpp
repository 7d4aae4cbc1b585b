#include "io/transaction_import.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <unordered_map>

#include "common/errors.hpp"
#include "common/printable_text.hpp"
#include "common/value_ranges.hpp"
#include "common/version.hpp"
#include "io/hdf5.hpp"
#include "io/import_field_values.hpp"
#include "io/transaction_file.hpp"

namespace kseg {
namespace {

using namespace import_fields;

constexpr std::size_t kRowsPerChunk = std::size_t{1} << 20;  // rows held between writes: bounds memory
constexpr std::size_t kDetailChars = 40;  // of a bad value quoted in the summary
constexpr int kUnmapped = -1;

struct SkipReasonNames {
  const char* text;
  const char* key;
};
constexpr SkipReasonNames kSkipReasonNames[kSkipReasons] = {
    {"missing customer id", "missing_customer_id"},
    {"bad customer id", "bad_customer_id"},
    {"bad timestamp", "bad_timestamp"},
    {"bad amount/quantity/price", "bad_number"},
    {"wrong number of fields", "wrong_field_count"}};

// ---- the file's columns ----

// 0-based field of each mapped column, kUnmapped for the others.
struct FieldIndex {
  int customer = kUnmapped, timestamp = kUnmapped, amount = kUnmapped, quantity = kUnmapped,
      unit_price = kUnmapped, order = kUnmapped, category = kUnmapped, channel = kUnmapped,
      discount = kUnmapped;
};

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
};

// What the header (or, without one, the first row) says about every row.
struct FileLayout {
  std::vector<std::string> names;  // the header's names, or "column 1", "column 2", ...
  std::size_t fields = 0;          // fields every row must have
  FieldIndex index;
};

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

int resolve_field(const Role& role, const std::string& reference, const FileLayout& layout,
                  const ImportOptions& o) {
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

// Reads the header, if any, and the first data row (left in `first_row`), and finds every
// mapped column.
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

TransactionSchema schema_of(const FieldIndex& f) {
  TransactionSchema schema;
  schema.order_id = f.order != kUnmapped;
  schema.quantity = f.quantity != kUnmapped;
  schema.category = f.category != kUnmapped;
  schema.channel = f.channel != kUnmapped;
  schema.discount = f.discount != kUnmapped;
  return schema;
}

// ---- rows ----

struct Row {
  int64_t customer_id = 0, timestamp = 0, order_id = 0;
  double amount = 0, discount = 0;
  int32_t quantity = 0, category = 0, channel = 0;
  bool is_return = false;
};

void append(TransactionColumns& columns, const TransactionSchema& schema, const Row& row) {
  columns.customer_id.push_back(row.customer_id);
  columns.timestamp.push_back(row.timestamp);
  columns.amount.push_back(row.amount);
  if (schema.order_id) columns.order_id.push_back(row.order_id);
  if (schema.quantity) columns.quantity.push_back(row.quantity);
  if (schema.category) columns.category.push_back(row.category);
  if (schema.channel) columns.channel.push_back(row.channel);
  if (schema.discount) columns.discount.push_back(row.discount);
}

// Codes 0, 1, ... for texts in order of first appearance. More distinct labels than `limit` is a
// column of ids or free text mapped by mistake; refusing keeps memory bounded whatever the file's size.
class LabelCodes {
 public:
  LabelCodes(std::string column, int32_t limit) : column_(std::move(column)), limit_(static_cast<std::size_t>(limit)) {}

  int32_t code(std::string_view label) {
    std::string key(label);
    const auto found = codes_.find(key);
    if (found != codes_.end()) return found->second;
    if (labels_.size() == limit_)
      throw InputError(column_ + " has more than " + std::to_string(limit_) +
                       " distinct values: map a column of categories or channels, not of ids or free text");
    labels_.push_back(key);
    return codes_.emplace(std::move(key), static_cast<int32_t>(labels_.size() - 1)).first->second;
  }
  const std::vector<std::string>& labels() const { return labels_; }

 private:
  std::string column_;
  std::size_t limit_;
  std::unordered_map<std::string, int32_t> codes_;
  std::vector<std::string> labels_;
};

// Why a record cannot be imported, and which field is at fault (kUnmapped: the whole record).
struct Problem {
  SkipReason reason;
  int field;
};

class RowConverter {
 public:
  RowConverter(const ImportOptions& o, const FileLayout& layout)
      : o_(o),
        layout_(layout),
        f_(layout.index),
        categories_(o.input + ": " + column_name(f_.category) + " (--category)", kMaxCategoryCodes),
        channels_(o.input + ": " + column_name(f_.channel) + " (--channel)", kMaxChannelCodes) {}

  /// Fills `row` from `record`, or says why it cannot.
  std::optional<Problem> convert(const CsvRecord& record, Row& row) {
    if (record.size() != layout_.fields) return Problem{SkipReason::wrong_field_count, kUnmapped};
    if (is_missing(record[f_.customer])) return Problem{SkipReason::missing_customer_id, f_.customer};
    const std::optional<int64_t> customer = parse_customer_id(record[f_.customer]);
    if (!customer || !customer_id_in_range(*customer)) return Problem{SkipReason::bad_customer_id, f_.customer};
    const std::optional<int64_t> timestamp = parse_timestamp(record[f_.timestamp], o_.timestamp_format);
    if (!timestamp || !timestamp_in_range(*timestamp)) return Problem{SkipReason::bad_timestamp, f_.timestamp};
    row.customer_id = *customer;
    row.timestamp = *timestamp;
    if (std::optional<Problem> problem = read_amount(record, row)) return problem;
    if (f_.discount != kUnmapped) {
      const std::string_view text = trim(record[f_.discount]);
      const std::optional<double> discount = text.empty() ? 0.0 : parse_number(text);
      if (!discount || !amount_in_range(*discount)) return Problem{SkipReason::bad_number, f_.discount};
      row.discount = *discount;
    }
    const bool returned_order = f_.order != kUnmapped && is_return_order(record[f_.order], o_.return_prefix);
    if (f_.order != kUnmapped) row.order_id = order_number(record[f_.order]);
    // One sign convention for returns, whichever field of the export said so.
    row.is_return = returned_order || row.quantity < 0 || row.amount < 0;
    if (row.is_return && row.amount > 0) row.amount = -row.amount;
    if (row.is_return && row.quantity > 0) row.quantity = -row.quantity;
    // Labels last: a row skipped above must not add one.
    if (f_.category != kUnmapped) row.category = categories_.code(trim(record[f_.category]));
    if (f_.channel != kUnmapped) row.channel = channels_.code(trim(record[f_.channel]));
    return std::nullopt;
  }

  /// "InvoiceDate = '2011-02-30'": what the summary shows of a skipped row.
  std::string describe(const CsvRecord& record, const Problem& problem) const {
    if (problem.field == kUnmapped)
      return std::to_string(record.size()) + " fields, expected " + std::to_string(layout_.fields);
    const std::string_view value = record[problem.field];
    const std::string shown = printable_text(value.substr(0, kDetailChars));  // one line, no raw bytes
    return printable_text(column_name(problem.field)) + " = '" + shown + (value.size() > kDetailChars ? "...'" : "'");
  }

  const std::vector<std::string>& category_labels() const { return categories_.labels(); }
  const std::vector<std::string>& channel_labels() const { return channels_.labels(); }

 private:
  std::string column_name(int field) const { return field == kUnmapped ? "" : layout_.names[field]; }

  // amount, or quantity × unit price; quantity also on its own, to record items.
  std::optional<Problem> read_amount(const CsvRecord& record, Row& row) const {
    row.quantity = 0;
    if (f_.quantity != kUnmapped) {
      const std::optional<int32_t> quantity = parse_quantity(record[f_.quantity]);
      if (!quantity) return Problem{SkipReason::bad_number, f_.quantity};
      row.quantity = *quantity;
    }
    const bool priced = f_.amount == kUnmapped;
    const int field = priced ? f_.unit_price : f_.amount;
    const std::optional<double> value = parse_number(record[field]);
    if (!value) return Problem{SkipReason::bad_number, field};
    row.amount = priced ? *value * row.quantity : *value;
    if (!amount_in_range(row.amount)) return Problem{SkipReason::bad_number, field};
    return std::nullopt;
  }

  const ImportOptions& o_;
  const FileLayout& layout_;
  const FieldIndex f_;
  LabelCodes categories_, channels_;
};

// ---- the import ----

std::string line_of(const ImportOptions& o, int64_t line) { return o.input + ":" + std::to_string(line); }

void note_skip(ImportSummary& summary, const ImportOptions& o, const RowConverter& converter,
               const CsvRecord& record, const Problem& problem) {
  ++summary.skipped[static_cast<std::size_t>(problem.reason)];
  if (!o.strict && summary.first_skipped.size() == ImportSummary::kSkippedRowsNamed) return;
  SkippedRow row{record.line(), problem.reason, converter.describe(record, problem)};
  if (o.strict)
    throw InputError(line_of(o, row.line) + ": " + skip_reason_text(row.reason) + " (" + row.detail +
                     "); --strict stops at the first row that cannot be imported");
  summary.first_skipped.push_back(std::move(row));
}

void count_kept(ImportSummary& summary, const Row& row) {
  ++summary.rows_kept;
  summary.returns += row.is_return;
  summary.zero_amount += row.amount == 0;
}

std::string nothing_kept(const ImportOptions& o, const ImportSummary& summary) {
  const SkippedRow& first = summary.first_skipped.front();
  return o.input + ": no row could be imported: all " + std::to_string(summary.rows_read) +
         " were skipped (first: line " + std::to_string(first.line) + ", " + skip_reason_text(first.reason) + ", " +
         first.detail + ")";
}

std::vector<std::pair<std::string, h5::AttributeValue>> provenance(const ImportOptions& o, const ImportSummary& s) {
  return {{"input", o.input},
          {"rows_read", s.rows_read},
          {"rows_kept", s.rows_kept},
          {"rows_skipped", s.skipped_total()},
          {"returns", s.returns},
          {"zero_amount_rows", s.zero_amount},
          {"version", std::string(kVersion)},
          {"config", o.config_text}};
}

}  // namespace

const char* skip_reason_text(SkipReason reason) { return kSkipReasonNames[static_cast<std::size_t>(reason)].text; }
const char* skip_reason_key(SkipReason reason) { return kSkipReasonNames[static_cast<std::size_t>(reason)].key; }

int64_t ImportSummary::skipped_total() const {
  int64_t total = 0;
  for (const int64_t count : skipped) total += count;
  return total;
}

void check_mapping(const ColumnMapping& m) {
  if (m.customer.empty()) throw InputError("--customer is required: the column of customer ids");
  if (m.timestamp.empty()) throw InputError("--timestamp is required: the column of dates");
  if (m.amount.empty() && m.unit_price.empty())
    throw InputError("--amount, or --quantity and --unit-price, is required: what each line earned");
  if (!m.amount.empty() && !m.unit_price.empty())
    throw InputError("--amount and --unit-price exclude each other: give one way to know what a line earned");
  if (!m.unit_price.empty() && m.quantity.empty())
    throw InputError("--unit-price needs --quantity (amount = quantity x unit price)");
}

ImportSummary import_transactions(const ImportOptions& o, const ImportProgress& progress) {
  check_mapping(o.columns);
  std::ifstream in(o.input, std::ios::binary);
  if (!in) throw InputError(o.input + ": cannot open: " + std::strerror(errno));
  CsvReader reader(in, o.input, o.dialect);
  CsvRecord record;
  const FileLayout layout = read_layout(o, reader, record);
  const TransactionSchema schema = schema_of(layout.index);
  RowConverter converter(o, layout);
  AppendingTransactionWriter writer(o.output, schema);
  ImportSummary summary;
  TransactionColumns chunk;
  Row row;
  do {
    ++summary.rows_read;
    if (const std::optional<Problem> problem = converter.convert(record, row)) {
      note_skip(summary, o, converter, record, *problem);
      continue;
    }
    count_kept(summary, row);
    append(chunk, schema, row);
    if (chunk.size() == kRowsPerChunk) {
      writer.append(chunk);
      chunk.resize(schema, 0);
      if (progress) progress(summary);
    }
  } while (reader.next(record));
  if (chunk.size() > 0) writer.append(chunk);
  if (summary.rows_kept == 0) throw InputError(nothing_kept(o, summary));
  summary.categories = static_cast<int64_t>(converter.category_labels().size());
  summary.channels = static_cast<int64_t>(converter.channel_labels().size());
  writer.finish(converter.category_labels(), converter.channel_labels(), provenance(o, summary));
  return summary;
}

}  // namespace kseg
