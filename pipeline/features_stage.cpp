#include "pipeline/features_stage.hpp"

#include <algorithm>
#include <climits>

#include "common/errors.hpp"
#include "common/number_text.hpp"
#include "common/stop_request.hpp"
#include "common/timer.hpp"
#include "customers/rfm_defaults.hpp"
#include "io/event_file.hpp"
#include "io/timestamp_parse.hpp"
#include "kernels/feature_kernels.hpp"

namespace kseg {
namespace {

int64_t day_option(const char* option, const std::string& date) {
  const std::optional<int64_t> seconds = parse_timestamp(date, TimestampFormat::iso);
  if (!seconds) refuse(std::string(option) + " '" + date + "' is not a date like 1997-09-30");
  return unix_day(*seconds);
}

FeatureOptions feature_options(const FeatureStepOptions& o) {
  if (o.as_of.empty()) refuse("transactions input needs --as-of YYYY-MM-DD (the day features are measured at)");
  FeatureOptions options;
  options.as_of_day = day_option("--as-of", o.as_of);
  options.time_unit_days = days_per_time_unit(o.time_unit);
  options.top_categories = o.top_categories;
  options.period_days = o.period_days;
  options.use_cuda = o.use_cuda;
  return options;
}

// The holdout: --holdout-end, or the last transaction's day; none when that is not after --as-of.
std::optional<HoldoutWindow> holdout_window(const TransactionShard& shard, const FeatureStepOptions& o,
                                            int64_t as_of_day, const Communicator& comm) {
  int64_t last = INT64_MIN;
  for (int64_t t : shard.rows.timestamp) last = std::max(last, unix_day(t));
  const int64_t end = o.holdout_end.empty() ? comm.max(last) : day_option("--holdout-end", o.holdout_end);
  if (end <= as_of_day) return std::nullopt;
  return HoldoutWindow{as_of_day, end};
}

// What the customers did in the window: the same feature kernels on its lines, measured at its end.
std::optional<HoldoutActuals> holdout_of(const TransactionShard& shard, const FeatureOptions& options,
                                         const HoldoutWindow& window, const Communicator& comm, const Logger& log) {
  TransactionColumns lines = lines_in_window(shard.rows, window.as_of_day, window.end_day);
  const int64_t count = comm.sum(static_cast<int64_t>(lines.size()));
  if (count == 0) return std::nullopt;
  FeatureOptions at_end = options;
  at_end.as_of_day = window.end_day;
  const CustomerFeatureTable table = build_customer_features(std::move(lines), shard.schema, at_end, shard.path, comm);
  log.line("holdout   ", iso_date(window.as_of_day + 1), " .. ", iso_date(window.end_day), " (", window.days(),
           " days): ", with_thousands(count), " lines of ", with_thousands(table.total_customers), " customers");
  return holdout_actuals(table, window, shard.path);
}

// The engagement features of the customers with events, up to the as-of day.
AttributeColumns engagement_of(const InputFile& input, const TransactionColumns& lines, int64_t as_of_day,
                               const Logger& log) {
  Stopwatch clock;
  PurchaseTimes purchases;
  for (std::size_t i = 0; i < lines.customer_id.size(); ++i)
    if (lines.amount[i] > 0) purchases.customer_id.push_back(lines.customer_id[i]), purchases.timestamp.push_back(lines.timestamp[i]);
  const EventRows events = read_event_rows(input);
  AttributeColumns engagement =
      engagement_features(events, purchases, as_of_day, input.path() + ":" + kEvents, input.comm());
  log.line("events    ", with_thousands(input.comm().sum(static_cast<int64_t>(events.customer_id.size()))),
           " events of ", with_thousands(input.comm().sum(static_cast<int64_t>(engagement.rows.id.size()))),
           " customers, ", milliseconds(clock.milliseconds()));
  return engagement;
}

}  // namespace

double days_per_time_unit(const std::string& time_unit) { return time_unit == "weeks" ? 7.0 : 1.0; }

ModelDefaults rfm_model_defaults(const FeatureStepOptions& o) {
  ModelDefaults defaults{{}, {}, o.time_unit, o.period_days};
  for (const auto& [feature, steps] : rfm_default_transforms()) {
    defaults.features.push_back(feature);
    defaults.transforms.push_back(steps);
  }
  return defaults;
}

TransactionFeatures features_and_holdout(const InputFile& input, const FeatureStepOptions& o, bool with_holdout,
                                         const Logger& log, bool with_engagement) {
  const FeatureOptions options = feature_options(o);
  const Communicator& comm = input.comm();
  Stopwatch clock;
  TransactionShard shard = read_transaction_shard(input);
  stop_if_requested(comm, "reading the transactions");
  log.line("read      ", with_thousands(shard.total_rows), " transaction lines from ", input.path(), " on ", comm.size(),
           " rank(s), ", milliseconds(clock.milliseconds()));
  TransactionFeatures out;
  if (with_holdout)
    if (const std::optional<HoldoutWindow> window = holdout_window(shard, o, options.as_of_day, comm))
      out.holdout = holdout_of(shard, options, *window, comm, log);
  if (with_engagement && has_events(input)) out.engagement = engagement_of(input, shard.rows, options.as_of_day, log);
  clock = Stopwatch();
  out.table = build_customer_features(std::move(shard.rows), shard.schema, options, input.path(), comm);
  stop_if_requested(comm, "computing the customer features");
  const CustomerFeatureTable& table = out.table;
  log.line("features  ", with_thousands(table.total_customers), " customers x ", table.names.size(), " features as of ",
           o.as_of, " from ", with_thousands(table.lines_total - table.lines_after_as_of), " lines (",
           with_thousands(table.lines_after_as_of), " later lines left out), ", milliseconds(clock.milliseconds()));
  return out;
}

CustomerFeatureTable features_from_transactions(const InputFile& input, const FeatureStepOptions& o,
                                                const Logger& log) {
  return features_and_holdout(input, o, false, log).table;
}

}  // namespace kseg
