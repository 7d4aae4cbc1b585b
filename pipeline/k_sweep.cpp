#include "pipeline/k_sweep.hpp"

#include <algorithm>

#include "common/errors.hpp"
#include "common/stop_request.hpp"
#include "common/timer.hpp"
#include "pipeline/thread_choice.hpp"

namespace kseg {
namespace {

// Ends a fit of the sweep after the iteration in which any rank was asked to stop.
class StopObserver final : public FitObserver {
 public:
  explicit StopObserver(const Communicator& comm) : comm_(comm) {}
  bool keep_going(const FitState&) override { return !comm_.any(stop_requested()); }

 private:
  const Communicator& comm_;
};

}  // namespace

KSweep sweep_k(const FitContext& ctx, const KMeansParams& params, const std::vector<int>& ks, int sample,
               const Logger& log) {
  KSweep result;
  KMeansParams largest = params;
  largest.k = *std::max_element(ks.begin(), ks.end());
  validate(largest, ctx.summary.total_points);  // before any fit, not after the small ks
  for (int k : ks) {
    KMeansParams at_k = params;
    at_k.k = k;
    StopObserver stop(ctx.comm);
    Stopwatch clock;
    KMeansResult fit;
    try {
      fit = fit_kmeans(ctx, at_k, stop);
    } catch (const Interrupted&) {  // in an initialization: the sweep's own message says more
      fit.interrupted = true;
    }
    if (fit.interrupted)
      throw Interrupted("asked to stop (SIGTERM or SIGUSR1) during the sweep, at k=" + std::to_string(k) +
                            ": no output was written; rerun the same command",
                        ErrorScope::all_ranks);
    result.sweep.push_back(fit_quality(ctx, fit, sample, at_k.seed));
    const FitQuality& q = result.sweep.back();
    log.line("k=", k, "  inertia ", q.inertia, "  CH ", q.calinski_harabasz, "  DB ", q.davies_bouldin, "  silhouette ",
             q.silhouette, "  ", milliseconds(clock.milliseconds()));
  }
  result.recommended_k = recommended_k(result.sweep);
  log.line("select-k  recommended k = ", result.recommended_k, ": ", kRecommendedKRule);
  return result;
}

KSweep select_k_job(const SelectKParams& p, const Communicator& comm, const Logger& log) {
  install_stop_handlers();
  choose_threads_per_rank(p.threads, comm);
  ModelInputOptions model = p.model;
  model.step.use_cuda = use_cuda(p.device, comm, log);
  const ModelInputs inputs = prepare_model_inputs(load_customers(p.input, model.step, true, comm, log), model, comm, log);
  const std::unique_ptr<ShardOnDevice> device =
      load_on_device(inputs.shard.view(), inputs.shard.customer_id.data(), model.step.use_cuda, p.device, comm);
  return sweep_k(device->context(), p.kmeans, p.ks, p.sample, log);
}

}  // namespace kseg
