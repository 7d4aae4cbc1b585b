#include "pipeline/checkpointing.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "common/errors.hpp"
#include "common/stop_request.hpp"
#include "io/atomic_output.hpp"
#include "io/checkpoint_file.hpp"

namespace kseg {
namespace {

CheckpointData checkpoint_of(const FitState& s, const std::string& identity) {
  CheckpointData c;
  c.identity = identity;
  c.restart = s.restart;
  c.iteration = s.iteration;
  c.centroids = s.centroids;
  if (s.best_inertia >= 0) {
    const KMeansResult& b = *s.best;
    c.best_restart = b.best_restart;
    c.best_inertia = b.inertia;
    c.best_iterations = b.iterations;
    c.best_converged = b.converged ? 1 : 0;
    c.best_centroids = b.centroids;
    c.best_sizes = b.sizes;
  }
  c.restart_inertia = s.best ? s.best->restart_inertia : std::vector<double>{};
  return c;
}

std::vector<std::string> fields(const std::string& identity) {
  std::vector<std::string> out;
  std::istringstream in(identity);
  for (std::string field; std::getline(in, field, ';');) out.push_back(field);
  return out;
}

bool finite(const std::vector<float>& values) {
  return std::all_of(values.begin(), values.end(), [](float v) { return std::isfinite(v); });
}

// A checkpoint that matches its run must still describe a state that run can be in.
void refuse_out_of_range(const std::string& path, const CheckpointData& c, const KMeansParams& p, int d) {
  const std::size_t kd = static_cast<std::size_t>(p.k) * static_cast<std::size_t>(d);
  std::string wrong;
  if (c.restart < 0 || c.restart >= p.n_init) wrong = "restart " + std::to_string(c.restart) + " is not 0.." + std::to_string(p.n_init - 1);
  else if (c.iteration < 0 || c.iteration > p.max_iter) wrong = "iteration " + std::to_string(c.iteration) + " is not 0.." + std::to_string(p.max_iter);
  else if (c.iteration == 0 ? !c.centroids.empty() : c.centroids.size() != kd || !finite(c.centroids))
    wrong = c.iteration == 0 ? "it holds centroids before the first iteration" : "its centroids are not " + std::to_string(kd) + " finite values";
  else if (c.iteration == 0 && c.best_restart < 0) wrong = "it stops before the first iteration of the first restart";
  else if (c.best_restart < -1 || c.best_restart >= c.restart) wrong = "best restart " + std::to_string(c.best_restart) + " is not before restart " + std::to_string(c.restart);
  else if (c.restart_inertia.size() > static_cast<std::size_t>(p.n_init)) wrong = "it records more restarts than n_init";
  else if (c.best_restart >= 0 && (c.best_centroids.size() != kd || !finite(c.best_centroids)))
    wrong = "the best restart's centroids are not " + std::to_string(kd) + " finite values";
  else if (c.best_restart >= 0 && (c.best_sizes.size() != static_cast<std::size_t>(p.k) ||
                                   std::any_of(c.best_sizes.begin(), c.best_sizes.end(), [](int64_t s) { return s < 0; })))
    wrong = "the best restart's segment sizes are not " + std::to_string(p.k) + " counts";
  if (!wrong.empty()) throw InputError(path + ": " + wrong + "; the checkpoint cannot be resumed", ErrorScope::all_ranks);
}

}  // namespace

std::string run_identity(const KMeansParams& p, int d, uint64_t checksum) {
  std::ostringstream text;
  text.precision(17);
  text << "k=" << p.k << ";d=" << d << ";seed=" << p.seed << ";init=" << to_string(p.init) << ";n_init=" << p.n_init
       << ";max_iter=" << p.max_iter << ";tol=" << p.tol << ";oversampling=" << p.oversampling
       << ";init_rounds=" << p.init_rounds << ";init_trials=" << p.init_trials << ";init_sample=" << p.init_sample;
  text << ";swap_patience=" << p.swap_patience << ";swap_sample=" << p.swap_sample;
  text << ";input_checksum=" << std::hex << checksum;
  return text.str();
}

void check_checkpoint_destination(const std::string& path, const std::vector<std::string>& reads, const Communicator& comm) {
  std::string problem;
  if (comm.is_root()) {
    problem = foreign_destination(path, reads);
    if (problem.empty() && std::filesystem::exists(path) && !is_kseg_checkpoint(path))
      problem = path + ": exists and is not a kseg checkpoint; kseg replaces only its own checkpoints "
                       "(choose another --checkpoint)";
  }
  problem = comm.broadcast_string(problem, 0);
  if (!problem.empty()) throw InputError("--checkpoint " + problem, ErrorScope::all_ranks);
}

std::optional<ResumePoint> load_resume_point(const CheckpointOptions& o, const std::string& identity,
                                             const KMeansParams& params, int d) {
  if (o.resume.empty()) return std::nullopt;
  const CheckpointData c = read_checkpoint(o.resume);
  const int k = params.k;
  const std::vector<std::string> theirs = fields(c.identity), ours = fields(identity);
  for (std::size_t i = 0; i < ours.size(); ++i)
    if (i >= theirs.size() || theirs[i] != ours[i])
      throw InputError(o.resume + ": written by another run (" + (i < theirs.size() ? theirs[i] : "?") +
                           ", this run has " + ours[i] + "); a checkpoint resumes only the run that wrote it",
                       ErrorScope::all_ranks);
  refuse_out_of_range(o.resume, c, params, d);
  ResumePoint r;
  r.state.restart = static_cast<int>(c.restart);
  r.state.iteration = static_cast<int>(c.iteration);
  r.state.centroids = c.centroids;
  r.best.k = k;
  r.best.d = d;
  r.best.restart_inertia = c.restart_inertia;
  if (c.best_restart >= 0) {
    r.state.best_inertia = c.best_inertia;
    r.best.best_restart = static_cast<int>(c.best_restart);
    r.best.inertia = c.best_inertia;
    r.best.iterations = static_cast<int>(c.best_iterations);
    r.best.converged = c.best_converged != 0;
    r.best.centroids = c.best_centroids;
    r.best.sizes = c.best_sizes;
  }
  return r;
}

CheckpointingObserver::CheckpointingObserver(FitObserver& progress, const CheckpointOptions& options, std::string path,
                                             std::string identity, const Communicator& comm, const Logger& log)
    : progress_(progress), every_(options.every), path_(std::move(path)), identity_(std::move(identity)), comm_(comm),
      log_(log) {}

bool CheckpointingObserver::keep_going(const FitState& state) {
  const bool stop = comm_.any(stop_requested());  // every rank decides alike
  if (!stop && !(every_ > 0 && state.iteration % every_ == 0)) return true;
  if (comm_.is_root()) write_checkpoint(path_, checkpoint_of(state, identity_));
  comm_.barrier();
  log_.line("checkpoint restart ", state.restart + 1, " iteration ", state.iteration, " -> ", path_);
  return !stop;
}

}  // namespace kseg
