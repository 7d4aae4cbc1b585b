#include "pipeline/assign_job.hpp"

#include "cluster/predict.hpp"
#include "common/errors.hpp"
#include "common/number_text.hpp"
#include "common/timer.hpp"
#include "common/version.hpp"
#include "customers/segment_fit.hpp"
#include "io/atomic_output.hpp"
#include "io/result_file.hpp"
#include "pipeline/transform_stage.hpp"

namespace kseg {
namespace {

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
  c.distance_envelope = m.distance_envelope;
  return c;
}

}  // namespace

AssignSummary assign_job(const AssignParams& p, const Communicator& comm, const Logger& log) {
  Stopwatch total;
  AtomicOutput output(p.output, p.force, {p.input, p.model}, comm);
  const SavedModel model = read_saved_model(p.model);
  if (model.segments_from == "rfm")
    refuse(p.model + " holds RFM segments (--segments-from rfm): a customer's RFM class is scored against all "
           "customers of a run, not a saved centroid; run kseg run --segments-from rfm on " + p.input + " instead");
  log.line("model     ", p.model, ": ", model.k, " segments on ", model.d, " features");
  FeatureStepOptions step = p.step;
  step.use_cuda = use_cuda(p.device, comm, log);
  const ModelInputs inputs = inputs_for_model(load_customers(p.input, step, true, comm, log), model, comm, log);
  const FeatureShard& shard = inputs.shard;
  const std::unique_ptr<ShardOnDevice> device =
      load_on_device(shard.view(), shard.customer_id.data(), step.use_cuda, p.device, comm);
  const Assignment a = predict(device->context(), model.centroids, model.k);
  const std::vector<int32_t> segment = a.segment_ids(model.segment_ids);
  const std::vector<float> distance = a.distances();
  const SegmentFit fit = segment_fit(a, distance, model.distance_envelope, comm);

  ResultContent content = model_content(model, a.sizes);
  const std::vector<float> monetary = inputs.profiled_column("monetary");
  if (!monetary.empty()) content.customer_columns.emplace_back("monetary", monetary.data());
  content.total_rows = shard.total_rows;
  content.block = shard.block;
  content.customer_id = shard.customer_id.data();
  content.segment = segment.data();
  content.distance = distance.data();
  content.customer_columns.emplace_back("margin", fit.margin.data());
  if (!model.distance_envelope.empty()) content.out_of_envelope = fit.out_of_envelope.data();
  content.attributes = {{"model", p.model},       {"input", p.input},
                        {"customers", shard.total_rows}, {"k", int64_t{model.k}},
                        {"backend", device->backend_name()}, {"version", std::string(kVersion)}};
  write_result_file(output.partial_path(), content, comm);
  output.commit();
  log.line("assign    ", with_thousands(shard.total_rows), " customers from ", p.input, " -> ", p.output, ", ",
           milliseconds(total.milliseconds()));
  if (!model.distance_envelope.empty())
    log.line("envelope  ", with_thousands(fit.outside), " customers (",
             percent_text(shard.total_rows ? static_cast<double>(fit.outside) / shard.total_rows : 0.0, 2),
             ") lie farther from their centroid than ", percent_text(kEnvelopeQuantile, 0),
             " of its customers did at fit time (/segments/out_of_envelope)");
  return {shard.total_rows, a.sizes, total.seconds()};
}

}  // namespace kseg
