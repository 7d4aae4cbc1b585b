#pragma once

#include <cstdint>
#include <vector>

#include <optional>

#include "customers/segment_fit.hpp"

#include "cluster/predict.hpp"
#include "customers/customer_rfm.hpp"
#include "customers/quarter_comparison.hpp"
#include "pipeline/fit_stage.hpp"

namespace kseg {

/// The model's segments in increasing stable id: last quarter's ids where matched (with
/// --previous), else 0..k−1.
struct SegmentOrder {
  std::vector<int> source_row;  ///< new row → the fit's row
  std::vector<int32_t> ids;     ///< new row → stable id
  SegmentMatch match;           ///< with --previous, in the new row order

  static SegmentOrder identity(int k);
  /// The fit's k × d rows in this order.
  std::vector<float> rows_of(const std::vector<float>& centroids, int d) const;
};

/// Every customer of this rank in its segment: what the describe and write stages read.
struct SegmentedCustomers {
  SegmentOrder order;
  Assignment assignment;           ///< rows of the ordered model
  std::vector<int32_t> segment;    ///< per customer: the stable id
  std::vector<float> distance;     ///< per customer: Euclidean distance to the segment's centroid
  std::vector<float> monetary;     ///< per customer, when profiled: next quarter's migration revenue
  std::optional<CustomerRfm> rfm;  ///< per customer, when the input has recency_days, frequency and monetary
  std::vector<double> envelope;    ///< per centroid row: the fit-time distance envelope (customers/segment_fit.hpp)
  SegmentFit fit;                  ///< per customer: margin and out-of-envelope flag
};

/// Collective: every customer's RFM scores and class, on the loaded table's original units; none
/// when it lacks recency_days, frequency or monetary.
std::optional<CustomerRfm> customer_rfm_of(const ModelInputs& inputs, const Communicator& comm);

/// Collective: the assign stage. Orders the fitted segments (matched to last quarter's when
/// there is one; the fit's centroids are reordered in place), assigns every customer with
/// predict, and scores every customer's RFM class.
SegmentedCustomers assign_stage(const FitContext& ctx, FitOutcome& fitted, const ModelInputs& inputs,
                                const ComparisonParams& comparison);

}  // namespace kseg
