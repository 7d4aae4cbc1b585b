#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "common/logger.hpp"
#include "io/campaign_files.hpp"

namespace kseg {

/// `kseg campaign plan`: a segmentation → who gets a campaign and who is held out.
struct PlanCampaignParams {
  std::string result;         ///< a kseg result file (/segments, /model)
  std::string name;           ///< the campaign: with the customer id, the key of the control draw
  double control_share = 0.1; ///< per segment, round(share × customers) go to control; in (0, 1)
  std::string output;         ///< PLAN.h5; PLAN.csv is written next to it
  bool force = false;         ///< replace existing outputs
};

struct PlanCampaignSummary {
  int64_t customers = 0, control = 0;
  double seconds = 0;
};

/// Collective: read the result's segments, draw the stratified control group
/// (customers/campaign_groups.hpp), write the plan and its CSV, each atomically.
PlanCampaignSummary plan_campaign_job(const PlanCampaignParams& params, const Communicator& comm, const Logger& log);

/// `kseg campaign measure`: what treated and control customers of a plan did in a window.
struct MeasureCampaignParams {
  std::string plan, transactions;
  std::string from, to;  ///< YYYY-MM-DD (UTC), both included
  std::string output;    ///< M.h5; M.json, M.csv and M.html next to it
  bool force = false;
};

/// Collective: read the plan and the transactions, measure per segment (customers/campaign_response.hpp,
/// customers/campaign_lift.hpp), rank 0 writes the four outputs, each atomically.
CampaignReport measure_campaign_job(const MeasureCampaignParams& params, const Communicator& comm, const Logger& log);

/// Unix seconds of `date` (YYYY-MM-DD, UTC, midnight); InputError naming `option` otherwise.
int64_t day_start_option(const std::string& option, const std::string& date);

}  // namespace kseg
