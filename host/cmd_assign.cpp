#include <iostream>
#include <memory>

#include "common/version.hpp"
#include "host/cli_options.hpp"
#include "host/commands.hpp"
#include "io/json.hpp"
#include "pipeline/assign_job.hpp"

namespace kseg {
namespace {

struct AssignCommandOptions {
  AssignParams assign;
  bool quiet = false, json = false;
};

void run_assign(const AssignCommandOptions& o, const Communicator& comm) {
  const AssignSummary s = assign_job(o.assign, comm, Logger(comm.is_root() && !o.quiet));
  if (!o.json || !comm.is_root()) return;
  JsonObject out;
  out.add("model", o.assign.model).add("input", o.assign.input).add("output", o.assign.output)
      .add("customers", s.customers).add("segment_size", s.segment_size).add("elapsed_s", s.seconds)
      .add("version", kVersion);
  std::cout << out.str() << std::endl;
}

}  // namespace

Command add_assign_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<AssignCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "assign",
      "Score customers with a saved model, without refitting: the model's features, its saved transforms and "
      "scaler, its centroids; each customer gets the nearest segment's id. On the customers a run was fitted on, "
      "the result equals that run's /segments bit for bit. Example: kseg assign --model q2.h5 --input "
      "new_customers.h5 --out assigned.h5");
  cmd->add_option("--model", o->assign.model, "A result file of kseg run (its /model)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--input", o->assign.input, "Features or transactions file with the model's features (as for kseg run)")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("--out", o->assign.output, "Result file (/segments and a copy of the model); written atomically")->required();
  cmd->add_flag("--force", o->assign.force, "Replace --out if it exists");
  add_feature_step_options(*cmd, o->assign.step, /*as_of_required=*/false);
  add_device_options(*cmd, o->assign.device);
  add_output_style_options(*cmd, o->quiet, o->json);
  return {cmd, [o, &comm] { run_assign(*o, comm); }};
}

}  // namespace kseg
