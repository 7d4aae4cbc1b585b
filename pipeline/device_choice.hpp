#pragma once

#include <memory>
#include <string>

#include "cluster/fit_context.hpp"
#include "common/communicator.hpp"
#include "common/logger.hpp"
#include "kernels/device.hpp"

namespace kseg {

/// Where a rank computes, shared by the commands that compute.
struct DeviceOptions {
  /// "auto" (a GPU per rank when every rank has one, else the CPU), "cpu" or "cuda".
  std::string device = "auto";
  /// CUDA: stream chunks of this many points through the GPU (0: resident when it fits).
  int64_t chunk_points = 0;
};

/// Collective. `cuda` binds each rank to GPU (node-local rank mod visible GPUs) and fails on every
/// rank if any rank has none; `auto` does the same when every rank has a GPU and otherwise logs
/// one line and uses the CPU; `cpu` uses the CPU. Rank 0 logs every rank's device.
bool use_cuda(const DeviceOptions& options, const Communicator& comm, const Logger& log);

/// Collective: the one set-up of a rank's k-means backend. The shard is summarized over all ranks
/// and loaded on this rank's device (CUDA when `cuda`, else the OpenMP CPU backend).
std::unique_ptr<ShardOnDevice> load_on_device(const ShardView& view, const int64_t* ids, bool cuda,
                                              const DeviceOptions& options, const Communicator& comm);

}  // namespace kseg
