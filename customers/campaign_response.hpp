#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "customers/campaign_lift.hpp"
#include "kernels/transaction_columns.hpp"

namespace kseg {

/// This rank's rows of a campaign plan (any block of them: rows are matched by customer id).
struct PlanRows {
  std::string name;  ///< names the table in error messages, e.g. "plan.h5:/plan"
  std::vector<int64_t> customer_id;
  std::vector<int32_t> segment;
  std::vector<int8_t> group;  ///< CampaignGroups::kTreated or kControl
};

/// What the plan's customers did in a window, per segment and group, summed over all ranks.
struct CampaignResponse {
  std::vector<int32_t> segment_ids;                 ///< every segment of the plan, increasing
  std::vector<GroupResponse> treated, control;      ///< per segment
  GroupResponse all_treated, all_control;           ///< every segment together
  int64_t lines_in_window = 0;                      ///< transaction lines dated in the window
  int64_t buyers_outside_plan = 0;                  ///< customers with lines in the window but not in the plan
};

/// Collective. A customer converted when they bought (a line of positive amount) in [begin, end)
/// (Unix seconds); their revenue is the exact sum of their lines' amounts there (returns
/// included), their orders the distinct order ids of their purchases there (without order ids:
/// the distinct days they bought on). The window's lines travel to rank rank_of_customer(id)
/// and are summed per customer there; then the plan is joined by id (join_by_customer) and the
/// groups summed exactly: integers and exact sums, so every figure is the same for any number of
/// ranks. A customer of the plan without lines in the window counts as not converted, revenue 0.
CampaignResponse measure_campaign_response(const PlanRows& plan, const TransactionColumns& lines, bool has_order_id,
                                           int64_t begin, int64_t end, const std::string& lines_name,
                                           const Communicator& comm);

}  // namespace kseg
