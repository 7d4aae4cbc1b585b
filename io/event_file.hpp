#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "customers/engagement_features.hpp"
#include "io/input_file.hpp"
#include "io/row_partition.hpp"

namespace kseg {

/// HDF5 group of the optional engagement events: /events/{customer_id int64, timestamp int64
/// (Unix seconds, UTC), type int32 codes with a `labels` attribute naming each code's event type,
/// one of event_type_labels()}; other columns (campaign, channel) may be present and are not read.
inline constexpr const char* kEvents = "/events";

/// Whether the file has /events with a customer_id dataset.
bool has_events(const InputFile& input);

/// Collective: this rank's row block of /events, types mapped by label onto EventType. Refuses
/// (InputError, every rank) columns of different lengths, a label that is no event type, and a
/// code outside the labels (naming the first such row).
EventRows read_event_rows(const InputFile& input);

/// Collective: adds /events to an existing file whose other writers have closed it, each rank's
/// rows after those of lower ranks (codes in EventType order, labels event_type_labels()).
void write_event_rows(const std::string& path, const EventRows& mine, const Communicator& comm);

}  // namespace kseg
