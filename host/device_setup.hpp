#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "common/communicator.hpp"
#include "host/logger.hpp"
#include "kernels/device.hpp"

namespace kseg {

/// --device auto|cpu|cuda and --chunk-points, shared by the commands that compute.
struct DeviceOptions {
  std::string device = "auto";
  int64_t chunk_points = 0;  ///< CUDA: stream chunks of this many points (0: resident when it fits)
};

void add_device_options(CLI::App& command, DeviceOptions& options);

/// Collective. `cuda` binds each rank to GPU (node-local rank mod visible GPUs) and fails on every
/// rank if any rank has none; `auto` does the same when every rank has a GPU and otherwise logs
/// one line and uses the CPU; `cpu` uses the CPU. Rank 0 logs every rank's device.
bool use_cuda(const DeviceOptions& options, const Communicator& comm, const Logger& log);

std::unique_ptr<Backend> make_backend(bool cuda, const DeviceOptions& options);

}  // namespace kseg
