#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/communicator.hpp"

namespace kseg {

/// The Philox key of a campaign: FNV-1a (64 bits) of its name, so that a campaign's control group
/// depends on nothing but its name and its customers' ids.
uint64_t campaign_key(const std::string& name);

/// A customer's place in the draw of campaign `key`: the smallest (control_draw, id) go to control.
uint64_t control_draw(uint64_t key, int64_t customer_id);

/// Collective: every segment id any rank holds, increasing, on every rank.
std::vector<int32_t> all_segment_ids(const std::vector<int32_t>& segment, const Communicator& comm);

/// Who is held out of a campaign, for this rank's rows, and how many per segment (over all ranks).
struct CampaignGroups {
  static constexpr int8_t kTreated = 0, kControl = 1;
  std::vector<int8_t> group;         ///< per row of the input: kTreated or kControl
  std::vector<int32_t> segment_ids;  ///< every segment, increasing
  std::vector<int64_t> customers;    ///< per segment: its customers
  std::vector<int64_t> control;      ///< per segment: round(share × customers) of them in control
};

/// Collective: a stratified control group. In each segment s exactly round(share × n_s) customers
/// (half away from zero) go to control: those with the smallest (control_draw(key, id), id).
/// Each segment's threshold is found by bisection, first over the 64-bit draws and then, only
/// where draws tie at the threshold, over the ids, with the segments' counts summed over the
/// ranks each round (about 64 reductions of one count per segment; no rank gathers the draws).
/// The groups therefore depend only on (name, ids, segments), never on the number of ranks or
/// the order of the rows. `share` is in (0, 1); ids are unique (the caller's input checks that).
CampaignGroups choose_control_groups(const std::vector<int64_t>& customer_id, const std::vector<int32_t>& segment,
                                     const std::string& name, double share, const Communicator& comm);

}  // namespace kseg
