// Device discovery and binding (CUDA runtime).
#include "kernels/detail/cuda_check.hpp"
#include "kernels/device.hpp"

#include <algorithm>

namespace kseg {

int cuda_device_count(std::string& why_none) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {  // no driver (35), stub library (34), no device (100), ...
    why_none = cudaGetErrorString(status);
    cudaGetLastError();  // clear the sticky error state
    return 0;
  }
  if (count == 0) why_none = "no CUDA device visible (check CUDA_VISIBLE_DEVICES)";
  return count;
}

namespace {

__global__ void read_everything(const float4* data, std::size_t count, float* sink) {
  float sum = 0;
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    sum += data[i].x + data[i].y + data[i].z + data[i].w;
  if (sum == 12345.678f) *sink = sum;  // keeps the reads without writing in practice
}

}  // namespace

double measure_device_read_bandwidth() {
  const std::size_t bytes = std::size_t{2} << 30, count = bytes / sizeof(float4);
  float4* data = nullptr;
  float* sink = nullptr;
  KSEG_CUDA_CHECK(cudaMalloc(&data, bytes));
  KSEG_CUDA_CHECK(cudaMalloc(&sink, sizeof(float)));
  KSEG_CUDA_CHECK(cudaMemset(data, 0, bytes));
  cudaEvent_t start, stop;
  KSEG_CUDA_CHECK(cudaEventCreate(&start));
  KSEG_CUDA_CHECK(cudaEventCreate(&stop));
  int device = 0, multiprocessors = 1;
  KSEG_CUDA_CHECK(cudaGetDevice(&device));
  KSEG_CUDA_CHECK(cudaDeviceGetAttribute(&multiprocessors, cudaDevAttrMultiProcessorCount, device));
  float best_ms = 1e30f;
  for (int repeat = 0; repeat < 5; ++repeat) {
    KSEG_CUDA_CHECK(cudaEventRecord(start));
    read_everything<<<multiprocessors * 8, 512>>>(data, count, sink);
    KSEG_CUDA_CHECK(cudaEventRecord(stop));
    KSEG_CUDA_CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    KSEG_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    best_ms = std::min(best_ms, ms);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  cudaFree(sink);
  cudaFree(data);
  return bytes / (best_ms * 1e-3);
}

DeviceInfo use_cuda_device(int index) {
  KSEG_CUDA_CHECK(cudaSetDevice(index));
  cudaDeviceProp properties{};
  KSEG_CUDA_CHECK(cudaGetDeviceProperties(&properties, index));
  DeviceInfo info;
  info.index = index;
  info.name = properties.name;
  size_t free_bytes = 0, total_bytes = 0;
  KSEG_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
  info.free_memory = static_cast<int64_t>(free_bytes);
  info.total_memory = static_cast<int64_t>(total_bytes);
  KSEG_CUDA_CHECK(cudaDriverGetVersion(&info.driver_version));
  KSEG_CUDA_CHECK(cudaRuntimeGetVersion(&info.runtime_version));
  return info;
}

}  // namespace kseg
