#include "pipeline/run_job.hpp"

#include <cstdio>

#include "common/number_text.hpp"
#include "common/stop_request.hpp"
#include "common/version.hpp"
#include "io/atomic_output.hpp"
#include "pipeline/describe_stage.hpp"
#include "pipeline/rfm_segments_stage.hpp"
#include "pipeline/stability_stage.hpp"
#include "pipeline/thread_choice.hpp"
#include "pipeline/write_stage.hpp"

namespace kseg {
namespace {

// What a run reads, which it must never write over.
std::vector<std::string> inputs_of(const RunParams& p) { return {p.input, p.previous.path, p.checkpoint.resume}; }

// The result file and its three reports: written as partial files, each renamed into place once
// all four are complete.
struct JobOutputs {
  AtomicOutput result, report_json, segments_csv, report_html;

  JobOutputs(const RunParams& p, const Communicator& comm)
      : result(p.output, p.force, inputs_of(p), comm),
        report_json(result_stem(p.output) + ".report.json", p.force, inputs_of(p), comm),
        segments_csv(result_stem(p.output) + ".csv", p.force, inputs_of(p), comm),
        report_html(result_stem(p.output) + ".report.html", p.force, inputs_of(p), comm) {}
  OutputPaths partial_paths() const {
    return {result.partial_path(), report_json.partial_path(), segments_csv.partial_path(), report_html.partial_path()};
  }
  void commit() {
    result.commit();
    report_json.commit();
    segments_csv.commit();
    report_html.commit();
  }
};

ModelInputs load_and_transform(const RunParams& p, JobSummary& s, const Communicator& comm, const Logger& log) {
  Stopwatch phase;
  const ModelInputs inputs =
      prepare_model_inputs(load_customers(p.input, p.model.step, true, comm, log, true), p.model, comm, log);
  s.read_seconds = phase.seconds();
  s.customers = inputs.shard.total_rows;
  s.d = inputs.shard.d;
  s.feature_names = inputs.shard.feature_names;
  log.line("inputs    ", with_thousands(s.customers), " customers x ", s.d, " features from ", p.input, " on ",
           comm.size(), " rank(s), ", milliseconds(s.read_seconds * 1e3));
  for (int j = 0; j < s.d; ++j)
    if (to_string(inputs.scaler.steps[j]) != "none")
      log.line("transform ", s.feature_names[j], ": ", to_string(inputs.scaler.steps[j]));
  return inputs;
}

// The fit and assign stages, or the RFM classes in their place.
std::pair<FitOutcome, SegmentedCustomers> segments(const RunParams& p, const FitContext& ctx, const ModelInputs& inputs,
                                                   const std::string& backend, const Logger& log) {
  if (p.segments_from == SegmentSource::rfm) return rfm_segments_stage(p, inputs, ctx.comm, log);
  FitOutcome fitted = fit_stage(p, ctx, inputs, backend, log);
  SegmentedCustomers customers = assign_stage(ctx, fitted, inputs, p.previous.comparison);
  return {std::move(fitted), std::move(customers)};
}

}  // namespace

std::string to_string(SegmentSource source) { return source == SegmentSource::rfm ? "rfm" : "kmeans"; }

JobSummary run_job(const RunParams& params, const Communicator& comm, const Logger& log) {
  Stopwatch total;
  install_stop_handlers();
  RunParams p = params;
  choose_threads_per_rank(p.threads, comm);
  JobSummary s;
  s.input = p.input;
  s.output = p.output;
  s.ranks = comm.size();
  JobOutputs outputs(p, comm);
  check_checkpoint_destination(checkpoint_path(p), {p.input, p.previous.path, p.output}, comm);
  const bool cuda = use_cuda(p.device, comm, log);
  p.model.step.use_cuda = cuda;
  const ModelInputs inputs = load_and_transform(p, s, comm, log);

  Stopwatch phase;
  const std::unique_ptr<ShardOnDevice> device =
      load_on_device(inputs.shard.view(), inputs.shard.customer_id.data(), cuda, p.device, comm);
  const FitContext ctx = device->context();
  s.summarize_seconds = phase.seconds();
  s.backend = device->backend_name();
  auto [fitted, customers] = segments(p, ctx, inputs, s.backend, log);
  phase = Stopwatch();
  s.fit = fitted.fit;
  RunReport report = describe_stage(p, inputs, fitted, customers, comm, log);
  if (p.stability_resamples > 0 && p.segments_from == SegmentSource::kmeans)
    report.stability = stability_stage(p, inputs, fitted, customers, cuda, comm, log);
  s.profiles = report.profiles;
  write_stage({p, s, device->summary(), inputs, fitted, customers}, report, outputs.partial_paths(), comm);
  outputs.commit();
  if (comm.is_root()) std::remove(fitted.checkpoint.c_str());  // the result supersedes it
  s.write_seconds = phase.seconds();
  s.total_seconds = total.seconds();
  log.line("write     ", p.output, ", ", milliseconds(s.write_seconds * 1e3), "; total ", milliseconds(s.total_seconds * 1e3));
  return s;
}

JsonObject to_json(const JobSummary& s) {
  JsonObject elapsed;
  elapsed.add("read", s.read_seconds).add("summarize", s.summarize_seconds).add("init", s.fit.init_seconds)
      .add("lloyd", s.fit.lloyd_seconds).add("swap", s.fit.swap_seconds).add("write", s.write_seconds).add("total", s.total_seconds);
  JsonObject out;
  out.add("input", s.input).add("output", s.output).add("backend", s.backend).add("ranks", s.ranks)
      .add("customers", s.customers).add("features", s.d).add("k", s.fit.k).add("inertia", s.fit.inertia)
      .add("iterations", s.fit.iterations).add("converged", s.fit.converged).add("best_restart", s.fit.best_restart)
      .add("segment_size", s.fit.sizes).add("elapsed_s", elapsed).add("version", kVersion);
  return out;
}

}  // namespace kseg
