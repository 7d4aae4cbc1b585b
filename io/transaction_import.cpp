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
#include "common/version.hpp"
#include "io/hdf5.hpp"
#include "io/transaction_file.hpp"

namespace kseg {
namespace {

constexpr std::size_t kRowsPerChunk = std::size_t{1} << 20;  // rows held between writes: bounds memory
// HDF5 chunk of an extendible dataset: 512 KiB of int64, inside HDF5's default 1 MiB chunk cache.
constexpr hsize_t kRowsPerHdf5Chunk = hsize_t{1} << 16;
// More distinct labels than this is a column of ids or free text mapped by mistake; refusing keeps
// memory bounded whatever the file's size.
constexpr std::size_t kMaxLabels = std::size_t{1} << 20;
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

// ---- fields and values ----

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

std::optional<int64_t> parse_digits(std::string_view digits) {
  if (!all_digits(digits)) return std::nullopt;
  int64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;  // beyond int64
  return value;
}

// A non-negative integer; spreadsheets export 17850 as "17850.0", so zeros after a point are
// accepted. Negative ids are refused: exports use -1 for "unknown customer".
std::optional<int64_t> parse_customer_id(std::string_view text) {
  text = trim(text);
  const std::size_t point = text.find('.');
  if (point != std::string_view::npos) {
    if (text.find_first_not_of('0', point + 1) != std::string_view::npos) return std::nullopt;
    text = text.substr(0, point);
  }
  return parse_digits(text);
}

// A finite decimal number, independent of the locale.
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

// Items are whole numbers stored as int32 ("2.0" accepted).
std::optional<int32_t> parse_quantity(std::string_view text) {
  const std::optional<double> value = parse_number(text);
  if (!value || *value != std::trunc(*value) || std::fabs(*value) > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(*value);
}

// FNV-1a: the same value on every machine and in every version, unlike std::hash.
int64_t stable_hash63(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (const unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return static_cast<int64_t>(hash & static_cast<uint64_t>(INT64_MAX));
}

// C536379 → 536379; INV-00042 → 42; an id with letters after its first digit → its hash.
int64_t order_number(std::string_view id) {
  id = trim(id);
  if (id.empty()) return 0;
  const std::size_t first_digit = std::min(id.size(), id.find_first_of("0123456789"));
  const std::optional<int64_t> number = parse_digits(id.substr(first_digit));
  return number ? *number : stable_hash63(id);
}

// The prefix must be followed by a digit, so that with prefix C the order "CA-2016-152156"
// (Superstore's ids) is not taken for a return.
bool is_return_order(std::string_view id, const std::string& prefix) {
  id = trim(id);
  return !prefix.empty() && id.size() > prefix.size() && id.compare(0, prefix.size(), prefix) == 0 &&
         std::isdigit(static_cast<unsigned char>(id[prefix.size()]));
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

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
    throw InputError(o.input + ": " + quoted + ": no such column in the header (" + joined(layout.names) + ")" +
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

// Codes 0, 1, ... for texts in order of first appearance.
class LabelCodes {
 public:
  explicit LabelCodes(std::string column) : column_(std::move(column)) {}

  int32_t code(std::string_view label) {
    std::string key(label);
    const auto found = codes_.find(key);
    if (found != codes_.end()) return found->second;
    if (labels_.size() == kMaxLabels)
      throw InputError(column_ + " has more than " + std::to_string(kMaxLabels) +
                       " distinct values: map a column of categories, not of ids or free text");
    labels_.push_back(key);
    return codes_.emplace(std::move(key), static_cast<int32_t>(labels_.size() - 1)).first->second;
  }
  const std::vector<std::string>& labels() const { return labels_; }

 private:
  std::string column_;
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
        categories_(o.input + ": " + column_name(f_.category) + " (--category)"),
        channels_(o.input + ": " + column_name(f_.channel) + " (--channel)") {}

  /// Fills `row` from `record`, or says why it cannot.
  std::optional<Problem> convert(const CsvRecord& record, Row& row) {
    if (record.size() != layout_.fields) return Problem{SkipReason::wrong_field_count, kUnmapped};
    if (trim(record[f_.customer]).empty()) return Problem{SkipReason::missing_customer_id, f_.customer};
    const std::optional<int64_t> customer = parse_customer_id(record[f_.customer]);
    if (!customer) return Problem{SkipReason::bad_customer_id, f_.customer};
    const std::optional<int64_t> timestamp = parse_timestamp(record[f_.timestamp], o_.timestamp_format);
    if (!timestamp) return Problem{SkipReason::bad_timestamp, f_.timestamp};
    row.customer_id = *customer;
    row.timestamp = *timestamp;
    if (std::optional<Problem> problem = read_amount(record, row)) return problem;
    if (f_.discount != kUnmapped) {
      const std::string_view text = trim(record[f_.discount]);
      const std::optional<double> discount = text.empty() ? 0.0 : parse_number(text);
      if (!discount) return Problem{SkipReason::bad_number, f_.discount};
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
    std::string shown(value.substr(0, kDetailChars));
    std::replace_if(shown.begin(), shown.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');  // one line
    return column_name(problem.field) + " = '" + shown + (value.size() > kDetailChars ? "...'" : "'");
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
    return std::nullopt;
  }

  const ImportOptions& o_;
  const FileLayout& layout_;
  const FieldIndex f_;
  LabelCodes categories_, channels_;
};

// ---- the output file ----

template <typename T>
struct Hdf5Type;
template <>
struct Hdf5Type<int64_t> {
  static hid_t file() { return H5T_STD_I64LE; }
  static hid_t memory() { return H5T_NATIVE_INT64; }
};
template <>
struct Hdf5Type<int32_t> {
  static hid_t file() { return H5T_STD_I32LE; }
  static hid_t memory() { return H5T_NATIVE_INT32; }
};
template <>
struct Hdf5Type<double> {
  static hid_t file() { return H5T_IEEE_F64LE; }
  static hid_t memory() { return H5T_NATIVE_DOUBLE; }
};

// Writes /transactions of a file whose row count is not known in advance: extendible chunked
// datasets (TransactionFileWriter needs the count up front), one process, chunk after chunk.
class AppendingTransactionWriter {
 public:
  AppendingTransactionWriter(const std::string& path, const TransactionSchema& schema)
      : path_(path),
        schema_(schema),
        file_(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
              path + ": cannot create (directory not writable or disk full?)"),
        group_(h5::create_group(file_, kTransactions)) {}

  void append(const TransactionColumns& rows) {
    append_column("customer_id", rows.customer_id);
    append_column("timestamp", rows.timestamp);
    append_column("amount", rows.amount);
    if (schema_.order_id) append_column("order_id", rows.order_id);
    if (schema_.quantity) append_column("quantity", rows.quantity);
    if (schema_.category) append_column("category", rows.category);
    if (schema_.channel) append_column("channel", rows.channel);
    if (schema_.discount) append_column("discount", rows.discount);
    rows_ += rows.size();
  }

  /// Adds the label and file attributes, then closes the file, checking that it reached the disk.
  void finish(const std::vector<std::string>& category_labels, const std::vector<std::string>& channel_labels,
              const std::vector<std::pair<std::string, h5::AttributeValue>>& attributes) {
    if (schema_.category) h5::write_string_array_attribute(datasets_.at("category"), "labels", category_labels);
    if (schema_.channel) h5::write_string_array_attribute(datasets_.at("channel"), "labels", channel_labels);
    for (const auto& [name, value] : attributes) h5::write_attribute(file_, name, value);
    for (auto& [name, dataset] : datasets_) dataset.close(where(name.c_str()) + ": cannot close (disk full?)");
    group_.close(path_ + ": cannot close " + kTransactions);
    file_.close(path_ + ": cannot close (disk full?)");
  }

 private:
  std::string where(const char* column) const { return path_ + ":" + kTransactions + "/" + column; }

  template <typename T>
  void append_column(const char* column, const std::vector<T>& values) {
    const std::string what = where(column);
    h5::Id& dataset = dataset_for(column, Hdf5Type<T>::file(), values.size());
    const hsize_t first = rows_, count = values.size(), extent = rows_ + count;
    h5::check(H5Dset_extent(dataset, &extent), what + ": cannot extend (disk full?)");
    h5::Id file_space(H5Dget_space(dataset), H5Sclose, what + ": cannot get its dataspace");
    h5::check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &first, nullptr, &count, nullptr),
              what + ": cannot select rows");
    h5::Id memory_space(H5Screate_simple(1, &count, nullptr), H5Sclose, what + ": cannot create a dataspace");
    h5::check(H5Dwrite(dataset, Hdf5Type<T>::memory(), memory_space, file_space, H5P_DEFAULT, values.data()),
              what + ": cannot write (disk full?)");
  }

  // Created on the first append, so that a file of fewer rows than an HDF5 chunk gets chunks of
  // its own size rather than mostly empty ones.
  h5::Id& dataset_for(const char* column, hid_t file_type, hsize_t first_rows) {
    const auto found = datasets_.find(column);
    if (found != datasets_.end()) return found->second;
    const std::string what = where(column);
    const hsize_t empty = 0, unlimited = H5S_UNLIMITED;
    const hsize_t chunk = std::clamp<hsize_t>(first_rows, 1, kRowsPerHdf5Chunk);
    h5::Id space(H5Screate_simple(1, &empty, &unlimited), H5Sclose, what + ": cannot create a dataspace");
    h5::Id properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, what + ": cannot create a property list");
    h5::check(H5Pset_chunk(properties, 1, &chunk), what + ": cannot set the chunk size");
    h5::Id dataset(H5Dcreate2(group_, column, file_type, space, H5P_DEFAULT, properties, H5P_DEFAULT), H5Dclose,
                   what + ": cannot create");
    return datasets_.emplace(column, std::move(dataset)).first->second;
  }

  std::string path_;
  TransactionSchema schema_;
  h5::Id file_;
  h5::Id group_;
  std::map<std::string, h5::Id> datasets_;  // closed before the group and the file
  hsize_t rows_ = 0;
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
