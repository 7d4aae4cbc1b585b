// A build without CUDA (KSEG_CUDA=OFF): there is no device, and asking for one says why.
#include "common/errors.hpp"
#include "kernels/device.hpp"
#include "kernels/feature_kernels.hpp"

namespace kseg {
namespace {

constexpr const char* kNoCuda = "kseg was built without CUDA (configure with -DKSEG_CUDA=ON where nvcc is installed)";

}  // namespace

int cuda_device_count(std::string& why_none) {
  why_none = kNoCuda;
  return 0;
}

DeviceInfo use_cuda_device(int) { throw DeviceError(kNoCuda); }

double measure_device_read_bandwidth() { throw DeviceError(kNoCuda); }

std::unique_ptr<Backend> make_cuda_backend(const CudaBackendOptions&) { throw DeviceError(kNoCuda); }

CustomerFeatureRows customer_features_cuda(const TransactionColumns&, const FeatureLayout&, const FeatureKernelParams&) {
  throw DeviceError(kNoCuda);
}

}  // namespace kseg
