#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "customers/customer_join.hpp"
#include "common/communicator.hpp"

namespace kseg {

/// What one customer attribute looks like in each segment.
struct AttributeSummary {
  std::string name;
  std::vector<std::string> labels;         ///< categorical: the categories; empty for a quantity
  std::vector<int64_t> known;              ///< per segment: customers with a known value
  std::vector<double> mean;                ///< per segment, quantities: mean of the known values
  std::vector<std::vector<double>> share;  ///< per segment, categorical: share of the known customers per label
};

/// Net Promoter Score per segment from an `nps` column (answers 0–10 to "how likely are you to
/// recommend us"): the percentage of promoters (9–10) minus that of detractors (0–6), −100…100,
/// over the segment's customers who answered; NaN where nobody did.
struct NetPromoterScores {
  std::vector<int64_t> respondents, promoters, detractors;
  std::vector<double> score;
};

/// The column whose answers give the Net Promoter Score.
inline constexpr const char* kNpsColumn = "nps";

/// The attribute table against the segments.
struct AttributeProfiles {
  std::vector<AttributeSummary> attributes;
  int64_t matched_customers = 0;  ///< segmented customers found in the attribute table
  /// Per segment: Σ CLV / Σ acquisition cost over the customers with both (NaN without costs).
  std::vector<double> clv_per_cac;
  std::vector<double> mean_acquisition_cost;  ///< per segment (NaN without costs)
  std::optional<NetPromoterScores> nps;       ///< when the table has a quantity column `nps`
};

/// The attribute table's columns, as `rows` holds them (one payload value per column).
struct AttributeColumns {
  KeyedRows rows;
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> labels;  ///< per column; empty: a quantity (NaN unknown), else codes (−1 unknown)
};

/// Collective: joins the segmented customers (id, segment, CLV or null) with the attribute table
/// by customer id (distributed), then sums per segment exactly (fixed point and counts, allreduced),
/// so the result is the same for any number of ranks. An `acquisition_cost` column gives CLV/CAC,
/// an `nps` column the Net Promoter Score (an answer that is not a whole number 0–10 is refused,
/// on every rank, naming the table and the customer).
AttributeProfiles profile_attributes(const AttributeColumns& table, const int64_t* customer_id, const int32_t* segment,
                                     const float* clv, int64_t n, int k, const Communicator& comm);

}  // namespace kseg
