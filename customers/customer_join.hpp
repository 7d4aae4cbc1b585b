#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/communicator.hpp"

namespace kseg {

/// Rows of one table keyed by customer id: `width` payload values per row.
struct KeyedRows {
  std::string name;  ///< names the table in error messages (e.g. "q2.h5:/segments")
  int width = 0;
  std::vector<int64_t> id;
  std::vector<double> values;  ///< id.size() × width
};

/// Collective: every row of `table` on rank rank_of_customer(id, ranks), sorted by id there (rows
/// of one id in no particular order); the table may hold an id many times.
KeyedRows rows_at_owners(const KeyedRows& table, const Communicator& comm);

/// Called once per customer id found in either table: the matching rows' payloads, nullptr for
/// the table without the id.
using JoinVisitor = std::function<void(int64_t id, const double* left, const double* right)>;

/// Collective: a distributed full outer join by customer id. Both tables' rows travel to rank
/// rank_of_customer(id, ranks) (an all-to-all; nothing is gathered on one rank), where they are sorted and
/// merged; `visit` runs there, in increasing id order. A customer id twice in one table is an
/// InputError on every rank naming the table and the id.
void join_by_customer(const KeyedRows& left, const KeyedRows& right, const Communicator& comm,
                      const JoinVisitor& visit);

}  // namespace kseg
