#include "pipeline/features_job.hpp"

#include "common/peak_memory.hpp"
#include "common/stop_request.hpp"
#include "common/timer.hpp"
#include "io/atomic_output.hpp"
#include "io/feature_file.hpp"

namespace kseg {

FeaturesSummary features_job(const FeaturesParams& p, const Communicator& comm, const Logger& log) {
  const Stopwatch clock;
  install_stop_handlers();
  AtomicOutput output(p.output, p.force, {p.input}, comm);
  FeatureStepOptions step = p.step;
  step.use_cuda = use_cuda(p.device, comm, log);
  const CustomerFeatureTable table = features_from_transactions(InputFile(p.input, comm), step, log);
  FeatureFileSpec spec;
  spec.rows = table.total_customers;
  spec.d = static_cast<int>(table.names.size());
  spec.feature_names = table.names;
  spec.attributes = {{"as_of", p.step.as_of},
                     {"time_unit", p.step.time_unit},
                     {"source", p.input},
                     {"transaction_lines", table.lines_total},
                     {"lines_after_as_of", table.lines_after_as_of}};
  spec.defaults = rfm_model_defaults(p.step);
  FeatureFileWriter writer(output.partial_path(), spec, comm);
  writer.write_rows(table.first_row, static_cast<int64_t>(table.customer_id.size()), table.customer_id.data(),
                    table.matrix.data(), nullptr);
  writer.finish({});
  output.commit();
  const int64_t peak = comm.max(peak_resident_bytes());
  log.line("wrote     ", p.output, "; ", milliseconds(clock.milliseconds()), " in all, peak memory of the largest rank ",
           peak >> 20, " MiB");
  return {table.total_customers, spec.d, table.lines_total, table.lines_after_as_of, clock.seconds(), peak};
}

}  // namespace kseg
