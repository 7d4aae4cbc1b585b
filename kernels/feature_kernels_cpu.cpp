// The feature kernels on the CPU: Thrust's OpenMP device system (set for this file in CMake),
// the lines grouped by a counting sort (customer_runs_cpu).
#include "kernels/detail/customer_features.inl"

#include "common/huge_pages.hpp"
#include "kernels/customer_runs_cpu.hpp"

namespace kseg {

CustomerFeatureRows customer_features_cpu(const TransactionColumns& lines, const FeatureLayout& layout,
                                          const FeatureKernelParams& params) {
  const LineColumns columns = line_columns(lines);  // host memory is the device's
  CustomerRuns runs = group_by_customer_cpu(columns);
  std::vector<double> values;
  resize_on_huge_pages(values, runs.customer.size() * layout.columns);
  detail::features_of_runs(columns, runs.view(), layout, params,
                           params.category_column.empty() ? nullptr : params.category_column.data(), values.data());
  CustomerFeatureRows rows{std::move(runs.customer), {}};
  resize_on_huge_pages(rows.values, values.size());
  std::copy(values.begin(), values.end(), rows.values.begin());
  return rows;
}

}  // namespace kseg
