#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cluster/lloyd.hpp"
#include "common/communicator.hpp"
#include "common/logger.hpp"

namespace kseg {

struct CheckpointOptions {
  std::string path;     ///< --checkpoint; empty: <out>.ckpt
  int every = 0;        ///< --checkpoint-every N iterations; 0: only when stopped by a signal
  std::string resume;   ///< --resume CKPT
};

/// Collective: refuses (every rank) a checkpoint destination kseg may not write: not a regular
/// file, one of `reads`, or an existing file that is not a kseg checkpoint.
void check_checkpoint_destination(const std::string& path, const std::vector<std::string>& reads, const Communicator& comm);

/// The line that ties a checkpoint to its run: the fit's parameters, d and the input's checksum.
std::string run_identity(const KMeansParams& params, int d, uint64_t input_checksum);

/// Collective: the fit to continue from --resume, refused (on every rank) when the checkpoint
/// was written by a run with other inputs or parameters.
/// Also refused: a state outside the run's ranges (restart, iteration, sizes, finite centroids).
std::optional<ResumePoint> load_resume_point(const CheckpointOptions& options, const std::string& identity,
                                             const KMeansParams& params, int d);

/// Wraps the progress observer: writes a checkpoint every N iterations and, when any rank got
/// SIGUSR1 or SIGTERM, writes one and stops the fit after the current iteration.
class CheckpointingObserver final : public FitObserver {
 public:
  CheckpointingObserver(FitObserver& progress, const CheckpointOptions& options, std::string path, std::string identity,
                        const Communicator& comm, const Logger& log);
  void on_init(int restart, double seconds, int64_t trial_customers) override {
    progress_.on_init(restart, seconds, trial_customers);
  }
  void on_iteration(const IterationReport& report) override { progress_.on_iteration(report); }
  void on_restart_done(int restart, double inertia, int iterations, bool converged) override {
    progress_.on_restart_done(restart, inertia, iterations, converged);
  }
  bool keep_going(const FitState& state) override;

 private:
  FitObserver& progress_;
  int every_;
  std::string path_, identity_;
  const Communicator& comm_;
  const Logger& log_;
};

}  // namespace kseg
