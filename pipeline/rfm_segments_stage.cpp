#include "pipeline/rfm_segments_stage.hpp"

#include <algorithm>
#include <cmath>

#include "common/errors.hpp"
#include "kernels/fixed_point.hpp"

namespace kseg {
namespace {

// The classes that have customers, in code order, their customers over all ranks, and each
// class's row among them (−1: none).
struct PresentClasses {
  std::vector<int32_t> codes;
  std::vector<int64_t> customers;
  std::vector<int> row_of_code;
};

PresentClasses present_classes(const CustomerRfm& rfm, const Communicator& comm) {
  std::vector<int64_t> counts(kRfmClasses, 0);
  for (int32_t code : rfm.rfm_class) counts[code] += 1;
  comm.sum(counts.data(), counts.size());
  PresentClasses present{{}, {}, std::vector<int>(kRfmClasses, -1)};
  for (int32_t code = 0; code < kRfmClasses; ++code)
    if (counts[code] > 0) {
      present.row_of_code[code] = static_cast<int>(present.codes.size());
      present.codes.push_back(code), present.customers.push_back(counts[code]);
    }
  return present;
}

// The exact mean of each row's customers (fixed point, one scale per column for all ranks).
std::vector<float> row_means(const FeatureShard& shard, const std::vector<int32_t>& row, const std::vector<int64_t>& sizes,
                             const Communicator& comm) {
  const int d = shard.d, k = static_cast<int>(sizes.size());
  std::vector<double> bound(d, 0.0);
  for (int64_t i = 0; i < shard.block.count; ++i)
    for (int j = 0; j < d; ++j) bound[j] = std::max(bound[j], std::fabs(static_cast<double>(shard.matrix[i * d + j])));
  comm.max(bound.data(), bound.size());
  std::vector<GridSum> sums;
  for (int s = 0; s < k; ++s)
    for (int j = 0; j < d; ++j) sums.emplace_back(FixedPoint::scale_for_bound(bound[j], FixedPoint::kFeatureBits));
  for (int64_t i = 0; i < shard.block.count; ++i)
    for (int j = 0; j < d; ++j) sums[row[i] * d + j].add(shard.matrix[i * d + j]);
  comm.sum(sums.data(), sums.size());
  std::vector<float> means(sums.size());
  for (int s = 0; s < k; ++s)
    for (int j = 0; j < d; ++j) means[s * d + j] = static_cast<float>(sums[s * d + j].value() / sizes[s]);
  return means;
}

// Each customer in its class's row, and the customers per row.
Assignment class_assignment(const CustomerRfm& rfm, const PresentClasses& present) {
  Assignment a;
  a.sizes = present.customers;
  for (int32_t code : rfm.rfm_class) a.row.push_back(present.row_of_code[code]);
  return a;
}

// Each customer's squared distance to its row's centroid.
void add_distances(const FeatureShard& shard, const std::vector<float>& centroids, Assignment& a) {
  const int d = shard.d;
  for (int64_t i = 0; i < shard.block.count; ++i) {
    float sum = 0;
    for (int j = 0; j < d; ++j) {
      const float difference = shard.matrix[i * d + j] - centroids[a.row[i] * d + j];
      sum += difference * difference;
    }
    a.squared_distance.push_back(sum);
  }
}

// Σ squared distances, exact for any number of ranks.
double inertia_of(const Assignment& a, const Communicator& comm) {
  double bound = 0;
  for (float v : a.squared_distance) bound = std::max(bound, static_cast<double>(v));
  comm.max(&bound, 1);
  GridSum sum(FixedPoint::scale_for_bound(bound, FixedPoint::kFeatureBits));
  for (float v : a.squared_distance) sum.add(v);
  comm.sum(&sum, 1);
  return sum.value();
}

// Matched by id: a class keeps its id, so last quarter's segment with the same id is its match.
SegmentMatch match_by_id(const PreviousQuarter& previous, const std::vector<int32_t>& ids,
                         const std::vector<float>& centroids, int d) {
  const SavedModel& m = previous.model;
  SegmentMatch match{m.segment_ids, m.segment_names, {}, {}, {}, ids, {}};
  for (std::size_t s = 0; s < ids.size(); ++s) {
    const auto found = std::find(m.segment_ids.begin(), m.segment_ids.end(), ids[s]);
    const int row = found == m.segment_ids.end() ? -1 : static_cast<int>(found - m.segment_ids.begin());
    double squared = 0;
    for (int j = 0; row >= 0 && j < d; ++j) squared += std::pow(centroids[s * d + j] - previous.centroids[row * d + j], 2);
    match.previous_row.push_back(row), match.paired_row.push_back(row);
    match.distance.push_back(row >= 0 ? std::sqrt(squared) : NAN);
  }
  for (int32_t id : m.segment_ids)
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) match.vanished.push_back(id);
  return match;
}

}  // namespace

std::pair<FitOutcome, SegmentedCustomers> rfm_segments_stage(const RunParams& p, const ModelInputs& inputs,
                                                             const Communicator& comm, const Logger& log) {
  std::optional<CustomerRfm> rfm = customer_rfm_of(inputs, comm);
  if (!rfm)
    refuse("--segments-from rfm needs recency_days, frequency and monetary among the features of " + p.input);
  FitOutcome f;
  f.previous = previous_quarter(p, inputs, log);
  const PresentClasses present = present_classes(*rfm, comm);
  const FeatureShard& shard = inputs.shard;
  SegmentedCustomers s;
  s.assignment = class_assignment(*rfm, present);
  KMeansResult& fit = f.fit;
  fit.k = static_cast<int>(present.codes.size()), fit.d = shard.d, fit.converged = true;
  fit.sizes = s.assignment.sizes;
  fit.centroids = row_means(shard, s.assignment.row, fit.sizes, comm);
  add_distances(shard, fit.centroids, s.assignment);
  fit.inertia = inertia_of(s.assignment, comm);
  f.params = p.kmeans;
  f.params.k = fit.k;
  s.order.ids = present.codes;
  for (int row = 0; row < fit.k; ++row) s.order.source_row.push_back(row);
  if (f.previous) s.order.match = match_by_id(*f.previous, present.codes, fit.centroids, fit.d);
  s.segment = s.assignment.segment_ids(s.order.ids);
  s.distance = s.assignment.distances();
  s.monetary = inputs.profiled_column("monetary");
  s.rfm = std::move(rfm);
  log.line("segments  from the RFM classes: ", fit.k, " of ", int(kRfmClasses), " classes have customers");
  return {std::move(f), std::move(s)};
}

}  // namespace kseg
