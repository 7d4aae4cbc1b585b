#pragma once

#include <vector>

#include "common/communicator.hpp"
#include "customers/segment_profiles.hpp"

namespace kseg {

/// A customer is a serial returner from this return rate (returned value / purchase value) on.
inline constexpr double kSerialReturnRate = 0.5;

/// Collective: names each profile (row s of the fit) from the customers inside, counted exactly
/// over all ranks. First match wins: "Serial Returners" when more than half of its customers are
/// serial returners; "New" when more than half first bought less than a period before the as-of
/// date; "One-Time Buyers" when more than half bought once; else the plurality of its customers'
/// RFM classes (ties: the earlier class). Also sets each profile's customers per RFM class and its
/// R, F, M scores (its customers' median scores). Equal names get the phrase of their most
/// distinctive feature ("Champions — big baskets") that no other segment has taken, never that of
/// the feature the name is read from; the segment id settles what phrases cannot. Without RFM and
/// behaviour columns: "Segment s".
void name_segments(const ProfileInputs& in, std::vector<SegmentProfile>& profiles, const Communicator& comm);

}  // namespace kseg
