#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cluster/segment_matching.hpp"
#include "customers/customer_join.hpp"
#include "common/communicator.hpp"

namespace kseg {

/// Options of `kseg run --previous`: matching of segments across quarters and drift warnings.
struct ComparisonParams {
  /// A current segment whose matched previous centroid is further than this (Euclidean, in this
  /// quarter's model units: standard deviations for standardized features) is a new segment.
  double match_threshold = 1.0;
  double psi_warning = 0.25;          ///< warn when the PSI of segment shares exceeds it (0.1–0.25: moderate)
  double changed_share_warning = 0.3;  ///< warn when more of the returning customers changed segment
  double shift_warning = 0.5;          ///< warn when a matched centroid moved further (model units)
};

/// Customers from last quarter's segment (rows) to this quarter's (columns). The last row holds
/// the new customers (not in last quarter's result), the last column the gone ones.
struct MigrationMatrix {
  std::vector<int32_t> from;       ///< previous ids, then −1 (new customers)
  std::vector<int32_t> to;         ///< current ids, then −1 (gone customers)
  std::vector<int64_t> customers;  ///< from.size() × to.size()
  std::vector<double> revenue;     ///< the same cells: this quarter's monetary (last quarter's for gone customers)
};

/// How much the segmentation moved.
struct Drift {
  double psi = 0;            ///< population stability index of the segment shares (matched ids; new and vanished count)
  double changed_share = 0;  ///< of the customers in both quarters, the share whose segment id changed
  std::vector<double> centroid_shift;  ///< per current segment: distance moved since last quarter (NaN: a new segment)
  std::vector<std::string> warnings;   ///< one line per threshold passed
};

struct QuarterComparison {
  std::string previous_path;
  SegmentMatch match;
  MigrationMatrix migration;
  Drift drift;
};

/// Collective: joins last quarter's customers (payload: segment id, monetary) with this quarter's
/// (the same) by customer id, distributed, and counts every (from, to) cell exactly; revenue
/// sums are fixed point, so the matrix is the same for any number of ranks.
MigrationMatrix migration_matrix(const KeyedRows& previous, const KeyedRows& current,
                                 const std::vector<int32_t>& previous_ids, const std::vector<int32_t>& current_ids,
                                 const Communicator& comm);

/// Shares' PSI (each share floored at 1e-4, the usual guard for empty bins), the returning
/// customers who changed segment, centroid shifts, and a warning for each threshold passed.
Drift measure_drift(const SegmentMatch& match, const std::vector<int64_t>& previous_sizes,
                    const std::vector<int64_t>& current_sizes, const MigrationMatrix& migration,
                    const ComparisonParams& params);

}  // namespace kseg
