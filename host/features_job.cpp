#include "host/features_job.hpp"

#include "common/errors.hpp"
#include "common/timer.hpp"
#include "host/cli_checks.hpp"
#include "io/timestamp_parse.hpp"
#include "io/transaction_file.hpp"
#include "kernels/feature_kernels.hpp"

namespace kseg {
namespace {

FeatureOptions feature_options(const FeatureStepOptions& o) {
  if (o.as_of.empty())
    throw InputError("transactions input needs --as-of YYYY-MM-DD (the day features are measured at)",
                     ErrorScope::all_ranks);
  const std::optional<int64_t> seconds = parse_timestamp(o.as_of, TimestampFormat::iso);
  if (!seconds) throw InputError("--as-of '" + o.as_of + "' is not a date like 1997-09-30", ErrorScope::all_ranks);
  FeatureOptions options;
  options.as_of_day = unix_day(*seconds);
  options.time_unit_days = o.time_unit == "weeks" ? 7.0 : 1.0;
  options.top_categories = o.top_categories;
  options.period_days = o.period_days;
  options.use_cuda = o.use_cuda;
  return options;
}

}  // namespace

void add_feature_step_options(CLI::App& cmd, FeatureStepOptions& o, bool as_of_required) {
  CLI::Option* as_of = cmd.add_option("--as-of", o.as_of,
                                      "Date the features are measured at (YYYY-MM-DD); later transactions are "
                                      "left out and counted (a CLV holdout)");
  if (as_of_required) as_of->required();
  cmd.add_option("--time-unit", o.time_unit, "Unit of the BG/NBD inputs x, t_x, T, zbar's periods")
      ->capture_default_str()->check(CLI::IsMember({"days", "weeks"}));
  cmd.add_option("--top-categories", o.top_categories,
                 "Category shares for the C most bought categories (plus 'other')")
      ->capture_default_str()->check(at_least(0));
  cmd.add_option("--period-days", o.period_days,
                 "Retention period: bought_current_period is a purchase in the last P days up to --as-of, "
                 "bought_previous_period one in the P days before; retention = share with both")
      ->capture_default_str()->check(at_least(1));
}

CustomerFeatureTable features_from_transactions(const std::string& path, const FeatureStepOptions& o,
                                                const Communicator& comm, const Logger& log) {
  const FeatureOptions options = feature_options(o);
  Stopwatch clock;
  TransactionShard shard = read_transaction_shard(path, comm);
  log.line("read      ", with_thousands(shard.total_rows), " transaction lines from ", path, " on ", comm.size(),
           " rank(s), ", milliseconds(clock.milliseconds()));
  clock = Stopwatch();
  CustomerFeatureTable table = build_customer_features(std::move(shard.rows), shard.schema, options, path, comm);
  log.line("features  ", with_thousands(table.total_customers), " customers x ", table.names.size(), " features as of ",
           o.as_of, " from ", with_thousands(table.lines_total - table.lines_after_as_of), " lines (",
           with_thousands(table.lines_after_as_of), " later lines left out), ", milliseconds(clock.milliseconds()));
  return table;
}

}  // namespace kseg
