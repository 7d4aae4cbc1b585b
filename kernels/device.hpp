#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "kernels/backend.hpp"

namespace kseg {

/// A GPU as a rank sees it after binding to it.
struct DeviceInfo {
  int index = -1;
  std::string name;
  int64_t total_memory = 0;
  int64_t free_memory = 0;
  int driver_version = 0;   ///< e.g. 13000 for 13.0
  int runtime_version = 0;
};

/// CUDA devices visible to this process (CUDA_VISIBLE_DEVICES applies); 0 when there are none,
/// with the reason in `why_none`: no driver, no GPU, or kseg built without CUDA.
int cuda_device_count(std::string& why_none);

/// Makes `index` this process's device and describes it. Throws DeviceError on failure.
DeviceInfo use_cuda_device(int index);

/// Streaming read bandwidth of the current device in bytes/s (a 2 GiB read, best of 5, timed
/// with CUDA events): the HBM floor of a Lloyd iteration is n·d·4 bytes over it.
double measure_device_read_bandwidth();

struct CudaBackendOptions {
  /// Points per streamed chunk; 0 keeps the shard resident in device memory when it fits in
  /// 80% of the free memory and otherwise streams chunks sized to 40% of it.
  int64_t chunk_points = 0;
};

/// The CUDA backend on the current device (see use_cuda_device).
std::unique_ptr<Backend> make_cuda_backend(const CudaBackendOptions& options);

}  // namespace kseg
