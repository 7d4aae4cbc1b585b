#include "pipeline/assign_stage.hpp"

#include <algorithm>

#include "common/named_columns.hpp"

namespace kseg {
namespace {

SegmentOrder order_by_match(const SegmentMatch& match) {
  SegmentOrder order = SegmentOrder::identity(static_cast<int>(match.ids.size()));
  std::sort(order.source_row.begin(), order.source_row.end(), [&](int a, int b) { return match.ids[a] < match.ids[b]; });
  order.match = match;
  order.match.previous_row.clear(), order.match.paired_row.clear(), order.match.distance.clear(), order.match.ids.clear();
  for (int row : order.source_row) {
    order.match.previous_row.push_back(match.previous_row[row]);
    order.match.paired_row.push_back(match.paired_row[row]);
    order.match.distance.push_back(match.distance[row]);
    order.match.ids.push_back(match.ids[row]);
  }
  order.ids = order.match.ids;
  return order;
}

}  // namespace

std::optional<CustomerRfm> customer_rfm_of(const ModelInputs& inputs, const Communicator& comm) {
  const FeatureShard& table = inputs.profiled_table();
  const std::vector<std::string>& names = table.feature_names;
  const std::optional<std::size_t> r = find_column(names, "recency_days"), f = find_column(names, "frequency"),
                                   m = find_column(names, "monetary");
  if (!r || !f || !m) return std::nullopt;
  return customer_rfm({table.matrix.data(), table.d, *r, *f, *m, table.block.count}, comm);
}

SegmentOrder SegmentOrder::identity(int k) {
  SegmentOrder order;
  for (int i = 0; i < k; ++i) order.source_row.push_back(i), order.ids.push_back(i);
  return order;
}

std::vector<float> SegmentOrder::rows_of(const std::vector<float>& centroids, int d) const {
  std::vector<float> rows;
  for (int row : source_row) rows.insert(rows.end(), &centroids[row * d], &centroids[(row + 1) * d]);
  return rows;
}

SegmentedCustomers assign_stage(const FitContext& ctx, FitOutcome& fitted, const ModelInputs& inputs,
                                const ComparisonParams& comparison) {
  KMeansResult& fit = fitted.fit;
  const PreviousQuarter* previous = fitted.previous ? &*fitted.previous : nullptr;
  SegmentedCustomers s;
  s.order = previous ? order_by_match(match_segments(previous->centroids, previous->model.segment_ids,
                                                     previous->model.segment_names, fit.centroids, fit.d,
                                                     comparison.match_threshold))
                     : SegmentOrder::identity(fit.k);
  fit.centroids = s.order.rows_of(fit.centroids, fit.d);
  s.assignment = predict(ctx, fit.centroids, fit.k);
  fit.sizes = s.assignment.sizes;
  s.segment = s.assignment.segment_ids(s.order.ids);
  s.distance = s.assignment.distances();
  s.envelope = distance_envelope(s.assignment, s.distance, fit.k, ctx.comm);
  s.fit = segment_fit(s.assignment, s.distance, s.envelope, ctx.comm);
  s.monetary = inputs.profiled_column("monetary");
  s.rfm = customer_rfm_of(inputs, ctx.comm);
  return s;
}

}  // namespace kseg
