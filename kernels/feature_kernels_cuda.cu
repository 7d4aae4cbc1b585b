// The feature kernels on the GPU: the same source as the CPU build, compiled by nvcc.
#include "kernels/detail/customer_features.inl"

namespace kseg {

CustomerFeatureRows customer_features_cuda(const TransactionColumns& lines, const TransactionSchema& schema,
                                           const FeatureLayout& layout, const FeatureKernelParams& params) {
  return detail::compute_customer_features(lines, schema, layout, params);
}

}  // namespace kseg
