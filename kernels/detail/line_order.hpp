#pragma once

#include <cstdint>

#include "common/hd.hpp"

namespace kseg::detail {

/// Strict total order on line positions: customer, time, order, then the position itself, so
/// equal keys keep their input order (which is the file's order whatever the number of ranks).
/// Every backend groups the lines in this one order, however it gets there.
struct LineOrder {
  const int64_t* customer;
  const int64_t* timestamp;
  const int64_t* order;  // null without order ids
  KSEG_HD bool operator()(int64_t a, int64_t b) const {
    if (customer[a] != customer[b]) return customer[a] < customer[b];
    if (timestamp[a] != timestamp[b]) return timestamp[a] < timestamp[b];
    if (order && order[a] != order[b]) return order[a] < order[b];
    return a < b;
  }
};

/// A view of lines grouped by customer: line positions in LineOrder, and for each of `count`
/// customers (in increasing id order) its id and where its run of lines starts; run c is
/// order[start[c] .. start[c + 1]).
struct CustomerRunsView {
  const int64_t* order;
  const int64_t* customer;
  const int64_t* start;  // count + 1 offsets
  int64_t count;
};

}  // namespace kseg::detail
