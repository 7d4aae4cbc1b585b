#include "io/transaction_import.hpp"

#include <optional>

#include "common/errors.hpp"
#include "common/value_ranges.hpp"
#include "io/detail/import_rows.hpp"
#include "io/import_field_values.hpp"
#include "io/transaction_file.hpp"

namespace kseg {
namespace {

using namespace import_fields;
using namespace import_rows;

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

class RowConverter {
 public:
  RowConverter(const ImportOptions& o, const FileLayout& layout)
      : o_(o),
        f_(layout.index),
        layout_(layout),
        categories_(o.input + ": " + layout.column_name(f_.category) + " (--category)", kMaxCategoryCodes),
        channels_(o.input + ": " + layout.column_name(f_.channel) + " (--channel)", kMaxChannelCodes) {}

  /// Fills `row` from `record`, or says why it cannot.
  std::optional<Problem> convert(const CsvRecord& record, Row& row) {
    if (std::optional<Problem> problem = read_customer_and_time(record, layout_, o_, row.customer_id, row.timestamp))
      return problem;
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

  const std::vector<std::string>& category_labels() const { return categories_.labels(); }
  const std::vector<std::string>& channel_labels() const { return channels_.labels(); }

 private:
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
  const FieldIndex f_;
  const FileLayout& layout_;
  LabelCodes categories_, channels_;
};

void count_kept(ImportSummary& summary, const Row& row) {
  summary.returns += row.is_return;
  summary.zero_amount += row.amount == 0;
}

}  // namespace

ImportSummary import_transactions(const ImportOptions& o, const ImportProgress& progress) {
  check_mapping(o.columns, ImportTable::transactions);
  std::ifstream in = open_export(o);
  CsvReader reader(in, o.input, o.dialect);
  CsvRecord record;
  const FileLayout layout = read_layout(o, reader, record);
  const TransactionSchema schema = schema_of(layout.index);
  RowConverter converter(o, layout);
  AppendingTransactionWriter writer(o.output, schema);
  ImportSummary summary;
  TransactionColumns chunk;
  Row row;
  const auto keep = [&](const CsvRecord& r) {
    std::optional<Problem> problem = converter.convert(r, row);
    if (!problem) count_kept(summary, row), append(chunk, schema, row);
    return problem;
  };
  stream_records(o, layout, reader, record, summary, progress, keep, [&] { return chunk.size(); },
                 [&] { writer.append(chunk), chunk.resize(schema, 0); });
  summary.categories = static_cast<int64_t>(converter.category_labels().size());
  summary.channels = static_cast<int64_t>(converter.channel_labels().size());
  auto attributes = provenance(o, summary);
  attributes.insert(attributes.end(), {{"returns", summary.returns}, {"zero_amount_rows", summary.zero_amount}});
  writer.finish(converter.category_labels(), converter.channel_labels(), attributes);
  return summary;
}

}  // namespace kseg
