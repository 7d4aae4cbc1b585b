#include "pipeline/fit_stage.hpp"

#include <omp.h>

#include "common/errors.hpp"
#include "common/number_text.hpp"

namespace kseg {
namespace {

// "all customers" or "a sample of 16,384".
std::string on_whom(int64_t customers, int64_t total) {
  return customers == total ? std::string("all customers") : "a sample of " + with_thousands(customers);
}

class LoggingObserver final : public FitObserver {
 public:
  LoggingObserver(const Logger& log, const KMeansParams& params, int64_t customers)
      : log_(log), params_(params), customers_(customers) {}
  void on_init(int restart, double seconds, int64_t trial_customers) override {
    const std::string trials = trial_customers == 0 ? std::string()
                                                    : ", best of " + std::to_string(params_.init_trials) +
                                                          " run to convergence on " + on_whom(trial_customers, customers_);
    log_.line("init      restart ", restart + 1, "/", params_.n_init, "  ", to_string(params_.init), trials, "  ",
              milliseconds(seconds * 1e3));
  }
  void on_iteration(const IterationReport& r) override {
    const std::string reseeded = r.reseeded ? "  (re-seeded " + std::to_string(r.reseeded) + " empty segments)" : "";
    if (r.moved < 0)
      log_.line("iter ", r.iteration, "  inertia ", r.inertia, "  shift ", r.relative_shift, "  ",
                milliseconds(r.milliseconds), reseeded);
    else
      log_.line("iter ", r.iteration, "  moved ", with_thousands(r.moved), "  searched ", percent_text(r.searched, 1), "  shift ",
                r.relative_shift, "  ", milliseconds(r.milliseconds), reseeded);
  }
  void on_restart_done(int restart, double inertia, int iterations, bool converged) override {
    log_.line("restart   ", restart + 1, "/", params_.n_init, "  inertia ", inertia, "  ",
              converged ? "converged after " : "stopped at max-iter after ", iterations, " iterations");
  }

 private:
  const Logger& log_;
  const KMeansParams& params_;
  int64_t customers_;
};

// Where the fit starts: a checkpoint to resume, last quarter's centroids, or an initialisation (none).
std::optional<ResumePoint> starting_point(const RunParams& p, const FitOutcome& f, const std::string& identity, int d,
                                          const Logger& log) {
  std::optional<ResumePoint> resume = load_resume_point(p.checkpoint, identity, f.params, d);
  if (resume) {
    log.line("resume    ", p.checkpoint.resume, ": restart ", resume->state.restart + 1, " after iteration ",
             resume->state.iteration);
  } else if (f.previous && p.previous.warm_start) {
    if (f.previous->model.k != f.params.k)
      refuse("--warm-start needs --k " + std::to_string(f.previous->model.k) + " (last quarter's), not " +
             std::to_string(f.params.k));
    resume = warm_start_point(*f.previous);
    log.line("warm      restart 1 starts from last quarter's centroids");
  }
  return resume;
}

// Identical customers form one segment however many are asked for: Lloyd would only re-seed
// empty segments until max-iter.
void refuse_identical_customers(const DataSummary& summary, int k) {
  if (k < 2 || summary.min != summary.max) return;
  refuse("all " + std::to_string(summary.total_points) + " customers have the same features, so they form one "
         "segment, not " + std::to_string(k) + "; check the input or run with --k 1");
}

void fit_with_checkpoints(const RunParams& p, const FitContext& ctx, FitOutcome& f, const Logger& log) {
  refuse_identical_customers(ctx.summary, f.params.k);
  LoggingObserver progress(log, f.params, ctx.summary.total_points);
  const std::string identity = run_identity(f.params, ctx.shard.d, ctx.summary.checksum);
  const std::optional<ResumePoint> resume = starting_point(p, f, identity, ctx.shard.d, log);
  f.checkpoint = checkpoint_path(p);
  CheckpointingObserver observer(progress, p.checkpoint, f.checkpoint, identity, ctx.comm, log);
  f.fit = fit_kmeans(ctx, f.params, observer, resume ? &*resume : nullptr);
  if (f.fit.interrupted)
    throw Interrupted("stopped on request; checkpoint " + f.checkpoint +
                          "; continue with the same command plus --resume " + f.checkpoint,
                      ErrorScope::all_ranks);
  if (f.params.swap_patience > 0)
    log.line("swap      ", f.fit.swap_trials, " swaps tried, ", f.fit.swaps_accepted, " kept, on ",
             on_whom(f.fit.swap_customers, ctx.summary.total_points),
             ", ", milliseconds(f.fit.swap_seconds * 1e3));
  log.line("fit       inertia ", f.fit.inertia, " (restart ", f.fit.best_restart + 1, "), ", f.fit.iterations,
           " iterations, ", f.fit.converged ? "converged" : "not converged (raise --max-iter?)");
}

}  // namespace

std::string checkpoint_path(const RunParams& p) {
  return p.checkpoint.path.empty() ? p.output + ".ckpt" : p.checkpoint.path;
}

int chosen_k(const RunParams& p, const PreviousQuarter* previous, const KSweep* sweep) {
  if (p.k_given) return p.kmeans.k;
  if (sweep) return sweep->recommended_k;
  if (previous) return previous->model.k;
  return p.kmeans.k;
}

std::optional<PreviousQuarter> previous_quarter(const RunParams& p, const ModelInputs& inputs, const Logger& log) {
  if (p.previous.path.empty()) return std::nullopt;
  PreviousQuarter previous = load_previous_quarter(p.previous.path, inputs.shard.feature_names, inputs.scaler);
  if (previous.model.segments_from != to_string(p.segments_from))
    refuse("--previous " + p.previous.path + " holds " +
           (previous.model.segments_from == "rfm" ? "RFM segments (--segments-from rfm)" : "k-means segments") +
           " but this run's come from " + (p.segments_from == SegmentSource::rfm ? "the RFM classes" : "k-means") +
           ", so the two quarters' segments do not correspond; give last quarter's result of the same kind");
  log.line("previous  ", p.previous.path, ": ", previous.model.k, " segments");
  return previous;
}

FitOutcome fit_stage(const RunParams& p, const FitContext& ctx, const ModelInputs& inputs, const std::string& backend,
                     const Logger& log) {
  FitOutcome f;
  f.previous = previous_quarter(p, inputs, log);
  if (!p.select_k.empty()) f.sweep = sweep_k(ctx, p.kmeans, p.select_k, p.select_k_sample, log);
  f.params = p.kmeans;
  f.params.k = chosen_k(p, f.previous ? &*f.previous : nullptr, f.sweep ? &*f.sweep : nullptr);
  log.line("backend   ", backend, ", ", omp_get_max_threads(), " thread(s) per rank; k=", f.params.k, " init=",
           to_string(f.params.init), " n-init=", f.params.n_init, " seed=", f.params.seed);
  fit_with_checkpoints(p, ctx, f, log);
  return f;
}

}  // namespace kseg
