// The feature kernels on the CPU: Thrust's OpenMP device system (set for this file in CMake).
#include "kernels/detail/customer_features.inl"

namespace kseg {

CustomerFeatureRows customer_features_cpu(const TransactionColumns& lines, const FeatureLayout& layout,
                                          const FeatureKernelParams& params) {
  return detail::compute_customer_features(line_columns(lines), layout, params);  // host memory is the device's
}

}  // namespace kseg
