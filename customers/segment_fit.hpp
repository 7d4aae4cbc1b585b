#pragma once

#include <cstdint>
#include <vector>

#include "cluster/predict.hpp"
#include "common/communicator.hpp"

namespace kseg {

/// How firmly customers sit in their segments, for `kseg assign` to tell which new customers the
/// model does not describe.
struct SegmentFit {
  /// Per customer: Euclidean distance to the second-nearest centroid minus the distance to its
  /// own (canonical distances, model units): near 0 on a boundary; NaN with one segment.
  std::vector<float> margin;
  /// Per customer: 1 when farther from its centroid than its segment's envelope, else 0.
  std::vector<int8_t> out_of_envelope;
  int64_t outside = 0;  ///< customers out of envelope over all ranks
};

/// The quantile of a segment's fit-time distances beyond which a customer is out of envelope.
inline constexpr double kEnvelopeQuantile = 0.99;

/// Collective: per centroid row, kEnvelopeQuantile of its customers' Euclidean distances
/// (`distance`, a.distances()): the global histogram quantile of customers/transforms.hpp, the
/// same for any number of ranks; 0 for an empty segment.
std::vector<double> distance_envelope(const Assignment& a, const std::vector<float>& distance, int k,
                                      const Communicator& comm);

/// Collective: margins of the shard's customers from `a` (a predict() of the model's centroids)
/// and their flags against `envelope` (per centroid row; empty: an older result without one,
/// nobody flagged). `distance` is a.distances().
SegmentFit segment_fit(const Assignment& a, const std::vector<float>& distance, const std::vector<double>& envelope,
                       const Communicator& comm);

}  // namespace kseg
