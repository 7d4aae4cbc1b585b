#include "io/event_import.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>

#include "common/errors.hpp"
#include "common/value_ranges.hpp"
#include "customers/engagement_features.hpp"
#include "io/detail/appending_group.hpp"
#include "io/detail/import_rows.hpp"
#include "io/event_file.hpp"
#include "io/import_field_values.hpp"

namespace kseg {
namespace {

using namespace import_fields;
using namespace import_rows;

constexpr int32_t kNoLabel = -1;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string type_list() {
  std::string all;
  for (const std::string& label : event_type_labels()) all += (all.empty() ? "" : ", ") + label;
  return all;
}

// Each type name the export may use (lower case) and its EventType: the types' own names, then
// the export's renames.
std::map<std::string, EventType> type_names(const ImportOptions& o) {
  std::map<std::string, EventType> names;
  const std::vector<std::string>& labels = event_type_labels();
  for (std::size_t t = 0; t < labels.size(); ++t) names[labels[t]] = static_cast<EventType>(t);
  for (const auto& [from, to] : o.type_names) {
    const auto type = std::find(labels.begin(), labels.end(), lower(trim(to)));
    if (trim(from).empty() || type == labels.end())
      throw InputError("--type-names '" + from + "=" + to + "': give EXPORT_NAME=TYPE, TYPE one of " + type_list());
    names[lower(trim(from))] = static_cast<EventType>(type - labels.begin());
  }
  return names;
}

// The copy of the base that the events go into, without any events it had.
h5::Id copy_of_base(const ImportOptions& o) {
  {
    const h5::Id base = h5::open_serial(o.base);
    if (!h5::link_exists(base, "/transactions"))
      throw InputError(o.base + ": has no /transactions: events go into the file of the customers' order lines "
                                "(kseg import --csv ORDERS --out " + o.base + " first)");
    if (h5::link_exists(base, kEvents) && !o.replace_events)
      throw InputError(o.base + ": already has " + kEvents + " (pass --force to replace them)");
  }
  std::error_code error;
  std::filesystem::copy_file(o.base, o.output, std::filesystem::copy_options::overwrite_existing, error);
  if (error) throw IoError(o.output + ": cannot copy " + o.base + " to add the events: " + error.message());
  h5::Id file = h5::open_serial_v18_for_write(o.output);
  // The old events' space stays in the file (HDF5 does not shrink files; h5repack does).
  if (h5::link_exists(file, kEvents))
    h5::check(H5Ldelete(file, kEvents, H5P_DEFAULT), o.output + ": cannot remove the old " + kEvents);
  return file;
}

struct EventColumns {
  std::vector<int64_t> customer_id, timestamp;
  std::vector<int32_t> type, campaign, channel;

  void clear() {
    for (auto* column : {&customer_id, &timestamp}) column->clear();
    for (auto* column : {&type, &campaign, &channel}) column->clear();
  }
};

// An event outside any campaign (or channel) is common: its empty field is code −1, not a label.
int32_t code_or_none(LabelCodes& codes, std::string_view field) {
  const std::string_view label = trim(field);
  return is_missing(label) ? kNoLabel : codes.code(label);
}

class EventConverter {
 public:
  EventConverter(const ImportOptions& o, const FileLayout& layout)
      : o_(o),
        f_(layout.index),
        layout_(layout),
        types_(type_names(o)),
        campaigns_(o.input + ": " + layout.column_name(f_.campaign) + " (--campaign)", kMaxCategoryCodes),
        channels_(o.input + ": " + layout.column_name(f_.channel) + " (--channel)", kMaxChannelCodes) {}

  /// Appends `record` to `rows`, or says why it cannot.
  std::optional<Problem> convert(const CsvRecord& record, EventColumns& rows, ImportSummary& summary) {
    int64_t customer_id = 0, timestamp = 0;
    if (std::optional<Problem> problem = read_customer_and_time(record, layout_, o_, customer_id, timestamp))
      return problem;
    const auto type = types_.find(lower(trim(record[f_.type])));
    if (type == types_.end()) return Problem{SkipReason::unknown_event_type, f_.type};
    rows.customer_id.push_back(customer_id);
    rows.timestamp.push_back(timestamp);
    rows.type.push_back(static_cast<int32_t>(type->second));
    ++summary.events_by_type[static_cast<std::size_t>(type->second)];
    // Labels last: a row skipped above must not add one.
    if (f_.campaign != kUnmapped) rows.campaign.push_back(code_or_none(campaigns_, record[f_.campaign]));
    if (f_.channel != kUnmapped) rows.channel.push_back(code_or_none(channels_, record[f_.channel]));
    return std::nullopt;
  }

  const LabelCodes& campaigns() const { return campaigns_; }
  const LabelCodes& channels() const { return channels_; }

 private:
  const ImportOptions& o_;
  const FieldIndex f_;
  const FileLayout& layout_;
  const std::map<std::string, EventType> types_;
  LabelCodes campaigns_, channels_;
};

void append(detail::AppendingGroup& table, const EventColumns& rows) {
  const auto count = static_cast<int64_t>(rows.customer_id.size());
  table.append("customer_id", H5T_STD_I64LE, H5T_NATIVE_INT64, count, rows.customer_id.data());
  table.append("timestamp", H5T_STD_I64LE, H5T_NATIVE_INT64, count, rows.timestamp.data());
  table.append("type", H5T_STD_I32LE, H5T_NATIVE_INT32, count, rows.type.data());
  for (const auto& [name, codes] : {std::pair{"campaign", &rows.campaign}, std::pair{"channel", &rows.channel}})
    if (!codes->empty()) table.append(name, H5T_STD_I32LE, H5T_NATIVE_INT32, count, codes->data());
}

}  // namespace

ImportSummary import_events(const ImportOptions& o, const ImportProgress& progress) {
  check_mapping(o.columns, ImportTable::events);
  std::ifstream in = open_export(o);
  CsvReader reader(in, o.input, o.dialect);
  CsvRecord record;
  const FileLayout layout = read_layout(o, reader, record);
  EventConverter converter(o, layout);
  h5::Id file = copy_of_base(o);
  detail::AppendingGroup table(file, o.output, kEvents);
  ImportSummary summary;
  EventColumns chunk;
  stream_records(
      o, layout, reader, record, summary, progress, [&](const CsvRecord& r) { return converter.convert(r, chunk, summary); },
      [&] { return chunk.customer_id.size(); }, [&] { append(table, chunk), chunk.clear(); });
  summary.campaigns = static_cast<int64_t>(converter.campaigns().labels().size());
  summary.channels = static_cast<int64_t>(converter.channels().labels().size());
  h5::write_string_array_attribute(table.column("type"), "labels", event_type_labels());
  if (layout.index.campaign != kUnmapped)
    h5::write_string_array_attribute(table.column("campaign"), "labels", converter.campaigns().labels());
  if (layout.index.channel != kUnmapped)
    h5::write_string_array_attribute(table.column("channel"), "labels", converter.channels().labels());
  for (const auto& [name, value] : provenance(o, summary)) h5::write_attribute(table.group(), name, value);
  table.close();
  file.close(o.output + ": cannot close (disk full?)");
  return summary;
}

}  // namespace kseg
