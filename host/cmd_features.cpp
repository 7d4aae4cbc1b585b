#include <iostream>
#include <memory>

#include "common/peak_memory.hpp"
#include "common/timer.hpp"
#include "host/cli_options.hpp"
#include "host/commands.hpp"
#include "io/atomic_output.hpp"
#include "io/feature_file.hpp"
#include "io/json.hpp"
#include "pipeline/device_choice.hpp"
#include "pipeline/features_stage.hpp"

namespace kseg {
namespace {

struct FeaturesCommandOptions {
  std::string input;
  std::string output;
  bool force = false;
  bool quiet = false;
  bool json = false;
  FeatureStepOptions step;
  DeviceOptions device;
};

void run_features(const FeaturesCommandOptions& o, const Communicator& comm) {
  const Logger log(comm.is_root() && !o.quiet);
  const Stopwatch clock;
  AtomicOutput output(o.output, o.force, comm);
  FeatureStepOptions step = o.step;
  step.use_cuda = use_cuda(o.device, comm, log);
  const CustomerFeatureTable table = features_from_transactions(InputFile(o.input, comm), step, log);
  FeatureFileSpec spec;
  spec.rows = table.total_customers;
  spec.d = static_cast<int>(table.names.size());
  spec.feature_names = table.names;
  spec.attributes = {{"as_of", o.step.as_of},
                     {"time_unit", o.step.time_unit},
                     {"source", o.input},
                     {"transaction_lines", table.lines_total},
                     {"lines_after_as_of", table.lines_after_as_of}};
  FeatureFileWriter writer(output.partial_path(), spec, comm);
  writer.write_rows(table.first_row, static_cast<int64_t>(table.customer_id.size()), table.customer_id.data(),
                    table.matrix.data(), nullptr);
  writer.finish({});
  output.commit();
  const int64_t peak = comm.max(peak_resident_bytes());
  log.line("wrote     ", o.output, "; ", milliseconds(clock.milliseconds()), " in all, peak memory of the largest rank ",
           peak >> 20, " MiB");
  if (o.json && comm.is_root()) {
    JsonObject summary;
    summary.add("input", o.input).add("output", o.output).add("as_of", o.step.as_of)
        .add("customers", table.total_customers).add("features", spec.d).add("transaction_lines", table.lines_total)
        .add("lines_after_as_of", table.lines_after_as_of).add("ranks", comm.size())
        .add("elapsed_s", clock.seconds()).add("peak_rss_bytes_max_rank", peak);
    std::cout << summary.str() << std::endl;
  }
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
  cmd->add_option("--input", o->input, "Transactions file (HDF5 with /transactions)")->required();
  cmd->add_option("--out", o->output, "Features file to write (/features/customer_id, /features/matrix)")->required();
  cmd->add_flag("--force", o->force, "Replace --out if it exists");
  add_feature_step_options(*cmd, o->step, /*as_of_required=*/true);
  add_device_options(*cmd, o->device);
  cmd->add_flag("--quiet,-q", o->quiet, "No progress lines on stderr");
  cmd->add_flag("--json", o->json, "Print a machine-readable summary on stdout when done");
  return {cmd, [o, &comm] { run_features(*o, comm); }};
}

}  // namespace kseg
