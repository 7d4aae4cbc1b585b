// The feature kernels on the GPU: the same source as the CPU build, compiled by nvcc. The lines
// are copied to device memory and grouped there by a comparison sort in detail::LineOrder (the
// order the CPU's counting sort reaches), then a reduce by key finds each customer's run.
#include <thrust/device_vector.h>
#include <thrust/functional.h>
#include <thrust/inner_product.h>
#include <thrust/iterator/constant_iterator.h>
#include <thrust/iterator/transform_iterator.h>
#include <thrust/reduce.h>
#include <thrust/scan.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>

#include "kernels/detail/customer_features.inl"

namespace kseg {
namespace {

template <typename T>
const T* on_device(const std::vector<T>& column, thrust::device_vector<T>& storage) {
  if (column.empty()) return nullptr;
  storage.assign(column.begin(), column.end());
  return thrust::raw_pointer_cast(storage.data());
}

struct CustomerOf {
  const int64_t* customer;
  const int64_t* sorted;
  __host__ __device__ int64_t operator()(int64_t k) const { return customer[sorted[k]]; }
};

// The runs on the device: sorted positions, then each run's customer and start.
struct DeviceRuns {
  thrust::device_vector<int64_t> order, customer, start;
  detail::CustomerRunsView view() const {
    return {thrust::raw_pointer_cast(order.data()), thrust::raw_pointer_cast(customer.data()),
            thrust::raw_pointer_cast(start.data()), static_cast<int64_t>(customer.size())};
  }
};

DeviceRuns group_by_customer_cuda(const LineColumns& lines) {
  const int64_t n = lines.n;
  DeviceRuns runs;
  runs.order.resize(n);
  thrust::sequence(thrust::device, runs.order.begin(), runs.order.end());
  thrust::sort(thrust::device, runs.order.begin(), runs.order.end(),
               detail::LineOrder{lines.customer_id, lines.timestamp, lines.order_id});
  const auto customer_at = thrust::make_transform_iterator(
      thrust::counting_iterator<int64_t>(0), CustomerOf{lines.customer_id, thrust::raw_pointer_cast(runs.order.data())});
  const int64_t count = n == 0 ? 0
                               : thrust::inner_product(thrust::device, customer_at + 1, customer_at + n, customer_at,
                                                       int64_t{1}, thrust::plus<int64_t>(),
                                                       thrust::not_equal_to<int64_t>());
  runs.customer.resize(count);
  runs.start.assign(count + 1, 0);
  thrust::reduce_by_key(thrust::device, customer_at, customer_at + n, thrust::constant_iterator<int64_t>(1),
                        runs.customer.begin(), runs.start.begin() + 1);
  thrust::inclusive_scan(thrust::device, runs.start.begin() + 1, runs.start.end(), runs.start.begin() + 1);
  return runs;
}

}  // namespace

CustomerFeatureRows customer_features_cuda(const TransactionColumns& lines, const FeatureLayout& layout,
                                           const FeatureKernelParams& params) {
  thrust::device_vector<int64_t> customer, timestamp, order;
  thrust::device_vector<double> amount, discount;
  thrust::device_vector<int32_t> quantity, category, channel, category_column;
  const LineColumns device{static_cast<int64_t>(lines.size()), on_device(lines.customer_id, customer),
                           on_device(lines.timestamp, timestamp), on_device(lines.amount, amount),
                           on_device(lines.order_id, order), on_device(lines.quantity, quantity),
                           on_device(lines.category, category), on_device(lines.channel, channel),
                           on_device(lines.discount, discount)};
  const DeviceRuns runs = group_by_customer_cuda(device);
  thrust::device_vector<double> values(runs.customer.size() * layout.columns);
  detail::features_of_runs(device, runs.view(), layout, params, on_device(params.category_column, category_column),
                           thrust::raw_pointer_cast(values.data()));
  CustomerFeatureRows result;
  result.customer_id.resize(runs.customer.size());
  thrust::copy(runs.customer.begin(), runs.customer.end(), result.customer_id.begin());
  result.values.resize(values.size());
  thrust::copy(values.begin(), values.end(), result.values.begin());
  return result;
}

}  // namespace kseg
