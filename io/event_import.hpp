#pragma once

#include "io/import_options.hpp"

namespace kseg {

/// Serial (one process): `options.output` becomes a copy of the transactions file `options.base`
/// with the events of the text export `options.input` as /events (README, "Engagement events";
/// existing /events are dropped when `options.replace_events`). Streams the export record by
/// record and appends the rows it keeps in chunks, so memory does not grow with the file:
///  - customer ids and timestamps are read as for order lines;
///  - a type is one of event_type_labels() (any case) or an export's name for one given in
///    `options.type_names` (view → product_view); a row of any other type is skipped and counted;
///  - campaign and channel texts get codes 0, 1, ... in order of first appearance (`labels`).
/// Throws InputError naming the file for a base without /transactions, one that has /events
/// unless replaced, a mapping that is incomplete or does not fit the export, a type name that
/// is no event type, a file with no row to keep, and under `strict` the first row that would be
/// skipped.
ImportSummary import_events(const ImportOptions& options, const ImportProgress& progress = {});

}  // namespace kseg
