#include <iostream>
#include <memory>

#include "host/cli_options.hpp"
#include "host/commands.hpp"
#include "io/json.hpp"
#include "pipeline/features_job.hpp"

namespace kseg {
namespace {

struct FeaturesCommandOptions {
  FeaturesParams features;
  bool quiet = false;
  bool json = false;
};

void run_features(const FeaturesCommandOptions& o, const Communicator& comm) {
  const FeaturesSummary s = features_job(o.features, comm, Logger(comm.is_root() && !o.quiet));
  if (!o.json || !comm.is_root()) return;
  const FeaturesParams& p = o.features;
  JsonObject summary;
  summary.add("input", p.input).add("output", p.output).add("as_of", p.step.as_of).add("customers", s.customers)
      .add("features", s.features).add("transaction_lines", s.transaction_lines)
      .add("lines_after_as_of", s.lines_after_as_of).add("ranks", comm.size()).add("elapsed_s", s.seconds)
      .add("peak_rss_bytes_max_rank", s.peak_rss_bytes_max_rank);
  std::cout << summary.str() << std::endl;
}

}  // namespace

Command add_features_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<FeaturesCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "features",
      "Turn transactions (HDF5 from `kseg import` or `kseg generate --transactions`) into one row of features "
      "per customer: RFM, AOV, tenure, purchase gaps, basket size, return rate, discount, category and "
      "channel shares, and the BG/NBD inputs x, t_x, T, zbar. Example: kseg features --input tx.h5 "
      "--as-of 1997-09-30 --time-unit weeks --out features.h5");
  cmd->add_option("--input", o->features.input, "Transactions file (HDF5 with /transactions)")->required();
  cmd->add_option("--out", o->features.output, "Features file to write (/features/customer_id, /features/matrix)")->required();
  cmd->add_flag("--force", o->features.force, "Replace --out if it exists");
  add_feature_step_options(*cmd, o->features.step, /*as_of_required=*/true);
  add_device_options(*cmd, o->features.device);
  cmd->add_flag("--quiet,-q", o->quiet, "No progress lines on stderr");
  cmd->add_flag("--json", o->json, "Print a machine-readable summary on stdout when done");
  return {cmd, [o, &comm] { run_features(*o, comm); }};
}

}  // namespace kseg
