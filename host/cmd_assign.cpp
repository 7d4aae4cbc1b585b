#include <cmath>
#include <iostream>
#include <memory>

#include "cluster/data_summary.hpp"
#include "common/json.hpp"
#include "common/timer.hpp"
#include "common/version.hpp"
#include "host/commands.hpp"
#include "host/device_setup.hpp"
#include "host/job.hpp"
#include "host/model_inputs.hpp"
#include "io/atomic_output.hpp"
#include "io/result_file.hpp"

namespace kseg {
namespace {

struct AssignOptions {
  std::string model, input, output;
  bool force = false;
  FeatureStepOptions step;  ///< transactions input: as for kseg run
  DeviceOptions device;
  bool quiet = false, json = false;
};

// The saved model as the new result's model; sizes are this input's.
ResultContent model_content(const SavedModel& m, const std::vector<int64_t>& sizes) {
  ResultContent c;
  c.k = m.k;
  c.d = m.d;
  c.centroids = m.centroids;
  c.centroids_original = m.centroids_original;
  c.scaler = m.scaler;
  c.segment_names = m.segment_names;
  c.segment_actions = m.segment_actions;
  c.segment_size = sizes;
  c.segment_ids = m.segment_ids;
  c.feature_names = m.feature_names;
  return c;
}

void run_assign(const AssignOptions& o, const Communicator& comm) {
  const Logger log(comm.is_root() && !o.quiet);
  Stopwatch total;
  AtomicOutput output(o.output, o.force, comm);
  const SavedModel model = read_saved_model(o.model);
  log.line("model     ", o.model, ": ", model.k, " segments on ", model.d, " features");
  FeatureStepOptions step = o.step;
  step.use_cuda = use_cuda(o.device, comm, log);
  const ModelInputs inputs = load_inputs_for_model(o.input, model, step, comm, log);
  const FeatureShard& shard = inputs.shard;
  const ShardView view = shard.view();
  const DataSummary data = summarize(view, shard.customer_id.data(), comm);
  std::unique_ptr<Backend> backend = make_backend(step.use_cuda, o.device);
  backend->load_shard(view);

  // The run's own final pass, with the saved centroids: same kernel, same distances.
  std::vector<int32_t> segment(shard.block.count);
  std::vector<float> distance(shard.block.count);
  backend->assign_and_accumulate(model.centroids.data(), model.k, data.quantization, nullptr, segment.data(),
                                 distance.data());
  std::vector<int64_t> sizes(model.k, 0);
  for (int32_t& row : segment) sizes[row] += 1, row = model.segment_ids[row];
  for (float& v : distance) v = std::sqrt(v);
  comm.sum(sizes.data(), sizes.size());

  ResultContent content = model_content(model, sizes);
  const std::vector<float> monetary = inputs.profiled_column("monetary");
  if (!monetary.empty()) content.customer_columns.emplace_back("monetary", monetary.data());
  content.total_rows = shard.total_rows;
  content.block = shard.block;
  content.customer_id = shard.customer_id.data();
  content.segment = segment.data();
  content.distance = distance.data();
  content.attributes = {{"model", o.model},
                        {"input", o.input},
                        {"customers", shard.total_rows},
                        {"k", int64_t{model.k}},
                        {"backend", backend->name()},
                        {"version", std::string(kVersion)}};
  write_result_file(output.partial_path(), content, comm);
  output.commit();
  log.line("assign    ", with_thousands(shard.total_rows), " customers from ", o.input, " -> ", o.output, ", ",
           milliseconds(total.milliseconds()));
  if (o.json && comm.is_root()) {
    JsonObject out;
    out.add("model", o.model).add("input", o.input).add("output", o.output).add("customers", shard.total_rows)
        .add("segment_size", sizes).add("elapsed_s", total.seconds()).add("version", kVersion);
    std::cout << out.str() << std::endl;
  }
}

}  // namespace

Command add_assign_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<AssignOptions>();
  CLI::App* cmd = app.add_subcommand(
      "assign",
      "Score customers with a saved model, without refitting: the model's features, its saved transforms and "
      "scaler, its centroids; each customer gets the nearest segment's id. On the customers a run was fitted on, "
      "the result equals that run's /segments bit for bit. Example: kseg assign --model q2.h5 --input "
      "new_customers.h5 --out assigned.h5");
  cmd->add_option("--model", o->model, "A result file of kseg run (its /model)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--input", o->input, "Features or transactions file with the model's features (as for kseg run)")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("--out", o->output, "Result file (/segments and a copy of the model); written atomically")->required();
  cmd->add_flag("--force", o->force, "Replace --out if it exists");
  add_feature_step_options(*cmd, o->step, /*as_of_required=*/false);
  add_device_options(*cmd, o->device);
  add_output_style_options(*cmd, o->quiet, o->json);
  return {cmd, [o, &comm] { run_assign(*o, comm); }};
}

}  // namespace kseg
