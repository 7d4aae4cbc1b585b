#include "pipeline/features_stage.hpp"

#include "common/errors.hpp"
#include "common/timer.hpp"
#include "io/timestamp_parse.hpp"
#include "kernels/feature_kernels.hpp"

namespace kseg {
namespace {

FeatureOptions feature_options(const FeatureStepOptions& o) {
  if (o.as_of.empty()) refuse("transactions input needs --as-of YYYY-MM-DD (the day features are measured at)");
  const std::optional<int64_t> seconds = parse_timestamp(o.as_of, TimestampFormat::iso);
  if (!seconds) refuse("--as-of '" + o.as_of + "' is not a date like 1997-09-30");
  FeatureOptions options;
  options.as_of_day = unix_day(*seconds);
  options.time_unit_days = days_per_time_unit(o.time_unit);
  options.top_categories = o.top_categories;
  options.period_days = o.period_days;
  options.use_cuda = o.use_cuda;
  return options;
}

}  // namespace

double days_per_time_unit(const std::string& time_unit) { return time_unit == "weeks" ? 7.0 : 1.0; }

CustomerFeatureTable features_from_transactions(const InputFile& input, const FeatureStepOptions& o,
                                                const Logger& log) {
  const FeatureOptions options = feature_options(o);
  const Communicator& comm = input.comm();
  Stopwatch clock;
  TransactionShard shard = read_transaction_shard(input);
  log.line("read      ", with_thousands(shard.total_rows), " transaction lines from ", input.path(), " on ", comm.size(),
           " rank(s), ", milliseconds(clock.milliseconds()));
  clock = Stopwatch();
  CustomerFeatureTable table = build_customer_features(std::move(shard.rows), shard.schema, options, input.path(), comm);
  log.line("features  ", with_thousands(table.total_customers), " customers x ", table.names.size(), " features as of ",
           o.as_of, " from ", with_thousands(table.lines_total - table.lines_after_as_of), " lines (",
           with_thousands(table.lines_after_as_of), " later lines left out), ", milliseconds(clock.milliseconds()));
  return table;
}

}  // namespace kseg
