#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "customers/campaign_lift.hpp"
#include "customers/campaign_response.hpp"
#include "io/row_partition.hpp"

namespace kseg {

/// A campaign plan (docs/DESIGN.md, HDF5 layout, Campaign plans): who gets the campaign and who
/// is held out as control.
struct CampaignPlanContent {
  std::string name;         ///< root attribute name: the campaign (its control draw's key)
  double control_share = 0; ///< root attribute control_share
  std::string result;       ///< root attribute result: the segmentation the plan was drawn from
  int64_t total_rows = 0;
  RowBlock block;                        ///< this rank's rows
  const int64_t* customer_id = nullptr;  ///< /plan/customer_id, block.count values
  const int32_t* segment = nullptr;      ///< /plan/segment
  const int8_t* group = nullptr;         ///< /plan/group: 0 treated, 1 control
  std::vector<int32_t> segment_ids;      ///< /plan_segments/segment
  std::vector<std::string> segment_names;        ///< /plan_segments/name ("" where the result has none)
  std::vector<int64_t> segment_customers, segment_control;  ///< /plan_segments/customers, control
};

/// Collective: /plan by every rank with collective I/O, then rank 0 adds /plan_segments and the
/// attributes. `path` is the partial file of an AtomicOutput.
void write_campaign_plan(const std::string& path, const CampaignPlanContent& plan, const Communicator& comm);

/// Collective: the plan as RFC 4180 CSV for a marketing tool, `customer_id,segment,group` with
/// group `treated` or `control`, rows in the plan's order; the ranks append their rows in turn.
void write_campaign_plan_csv(const std::string& path, const CampaignPlanContent& plan, const Communicator& comm);

/// This rank's row block of a plan, with its attributes and segment names.
struct CampaignPlan {
  std::string path, name, result;
  double control_share = 0;
  PlanRows rows;
  std::vector<int32_t> segment_ids;
  std::vector<std::string> segment_names;
};

/// Collective. Refuses (every rank, naming the file and dataset) a file that is not a kseg plan:
/// missing datasets, non-integer dtypes, unequal lengths, no rows, a group other than 0 or 1.
CampaignPlan read_campaign_plan(const std::string& path, const Communicator& comm);

/// One row of a campaign's measurement: a segment, or all of them.
struct CampaignFigures {
  int32_t segment = -1;  ///< −1: every segment together
  std::string name;
  CampaignLift lift;
};

/// What `kseg campaign measure` reports.
struct CampaignReport {
  std::string name, plan, transactions, from, to;  ///< from, to: YYYY-MM-DD, both included
  double control_share = 0;
  int64_t lines_in_window = 0, buyers_outside_plan = 0;
  std::vector<CampaignFigures> segments;
  CampaignFigures total;
  std::vector<std::string> warnings;  ///< every row's warnings, segments first
};

/// One process: /campaign/<figure>, one row per segment then the total row (segment −1).
void write_campaign_file(const std::string& path, const CampaignReport& report);
void write_campaign_json(const std::string& path, const CampaignReport& report);
/// One row per segment then the total, a column per figure (as in the HDF5 file).
void write_campaign_csv(const std::string& path, const CampaignReport& report);
/// One self-contained page (no scripts, nothing fetched): the figures, the warnings and the 95%
/// intervals of each segment's conversion lift and revenue difference drawn against zero.
void write_campaign_html(const std::string& path, const CampaignReport& report);

}  // namespace kseg
