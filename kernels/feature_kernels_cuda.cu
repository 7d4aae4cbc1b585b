// The feature kernels on the GPU: the same source as the CPU build, compiled by nvcc. The lines
// are copied to device memory first.
#include "kernels/detail/customer_features.inl"

namespace kseg {
namespace {

template <typename T>
const T* on_device(const std::vector<T>& column, thrust::device_vector<T>& storage) {
  if (column.empty()) return nullptr;
  storage.assign(column.begin(), column.end());
  return thrust::raw_pointer_cast(storage.data());
}

}  // namespace

CustomerFeatureRows customer_features_cuda(const TransactionColumns& lines, const FeatureLayout& layout,
                                           const FeatureKernelParams& params) {
  thrust::device_vector<int64_t> customer, timestamp, order;
  thrust::device_vector<double> amount, discount;
  thrust::device_vector<int32_t> quantity, category, channel;
  const LineColumns device{static_cast<int64_t>(lines.size()), on_device(lines.customer_id, customer),
                           on_device(lines.timestamp, timestamp), on_device(lines.amount, amount),
                           on_device(lines.order_id, order), on_device(lines.quantity, quantity),
                           on_device(lines.category, category), on_device(lines.channel, channel),
                           on_device(lines.discount, discount)};
  return detail::compute_customer_features(device, layout, params);
}

}  // namespace kseg
