#pragma once

#include <cuda_runtime.h>

#include <string>

#include "common/errors.hpp"

namespace kseg::detail {

/// Throws DeviceError naming the CUDA call that failed; never aborts the rank.
inline void check_cuda(cudaError_t status, const char* call, const char* file, int line) {
  if (status == cudaSuccess) return;
  throw DeviceError(std::string("CUDA call failed: ") + call + ": " + cudaGetErrorString(status) + " (" + file + ":" +
                    std::to_string(line) + ")");
}

}  // namespace kseg::detail

#define KSEG_CUDA_CHECK(call) ::kseg::detail::check_cuda((call), #call, __FILE__, __LINE__)
