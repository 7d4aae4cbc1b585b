#pragma once

#include "io/import_options.hpp"

namespace kseg {

/// Serial (one process): streams `options.input` record by record and appends the rows it keeps
/// to `options.output` in chunks, so memory does not grow with the file. The layout is
/// /transactions of docs/DESIGN.md, optional columns present only when mapped:
///  - amount = the amount field, or quantity × unit price;
///  - a return (negative quantity or amount, or an order id of the return prefix then digits) is
///    kept with a negative amount and quantity;
///  - order ids are the digits after any leading non-digits (C536379 → 536379); an id with other
///    characters becomes a stable 63-bit hash of its text (FNV-1a), an empty one 0;
///  - customer ids are non-negative integers (leading zeros and a trailing ".0" accepted);
///  - category and channel texts get codes 0, 1, ... in order of first appearance.
/// Throws InputError naming the file (and line) for a mapping that is incomplete or does not fit
/// the file, a file with no row to keep, and under `strict` the first row that would be skipped.
ImportSummary import_transactions(const ImportOptions& options, const ImportProgress& progress = {});

}  // namespace kseg
