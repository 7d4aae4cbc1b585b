#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "cluster/data_summary.hpp"
#include "common/communicator.hpp"
#include "kernels/backend.hpp"

namespace kseg {

/// What fit and predict read: the rank's shard on its device, the customers' ids, and the global
/// summary. The shard's one view is the one the backend was loaded with.
struct FitContext {
  Backend& backend;
  const ShardView& shard;
  const int64_t* ids;
  const DataSummary& summary;
  const Communicator& comm;
};

/// A rank's shard made ready for k-means: summarized over all ranks and loaded on its device.
/// The one way a job sets up its backend; fit and predict then run on context().
class ShardOnDevice {
 public:
  /// Collective (the summary's allreduces, stop points that say the job stopped while `during`).
  /// The rows behind `view` and `ids` must outlive it.
  ShardOnDevice(const ShardView& view, const int64_t* ids, std::unique_ptr<Backend> backend, const Communicator& comm,
                const std::string& during = "summarizing the features");
  ShardOnDevice(const ShardOnDevice&) = delete;
  ShardOnDevice& operator=(const ShardOnDevice&) = delete;

  FitContext context() const { return {*backend_, view_, ids_, summary_, comm_}; }
  const DataSummary& summary() const { return summary_; }
  std::string backend_name() const { return backend_->name(); }

 private:
  ShardView view_;
  const int64_t* ids_;
  DataSummary summary_;
  std::unique_ptr<Backend> backend_;
  const Communicator& comm_;
};

}  // namespace kseg
