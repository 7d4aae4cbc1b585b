#include "customers/customer_join.hpp"

#include <algorithm>
#include <climits>
#include <numeric>

#include "common/errors.hpp"
#include "common/spread.hpp"

namespace kseg {
namespace {

// The smallest repeated id of any rank, so that every rank reports the same one.
void refuse_duplicates(const KeyedRows& table, const Communicator& comm) {
  const int64_t none = INT64_MAX;
  const auto twice = std::adjacent_find(table.id.begin(), table.id.end());
  const int64_t repeated = comm.min(twice == table.id.end() ? none : *twice);
  if (repeated != none)
    throw InputError(table.name + ": customer_id " + std::to_string(repeated) + " appears twice", ErrorScope::all_ranks);
}

}  // namespace

// The rows this rank owns, sorted by id: ids and payloads packed as one vector of doubles per
// row would lose ids above 2^53, so they travel separately with the same counts.
KeyedRows rows_at_owners(const KeyedRows& table, const Communicator& comm) {
  const int ranks = comm.size();
  const std::size_t n = table.id.size(), w = static_cast<std::size_t>(table.width);
  std::vector<int> owner(n);
  std::vector<int64_t> counts(ranks, 0);
  for (std::size_t i = 0; i < n; ++i) counts[owner[i] = rank_of_customer(table.id[i], ranks)] += 1;
  std::vector<int64_t> start(ranks, 0);
  std::partial_sum(counts.begin(), counts.end() - 1, start.begin() + 1);
  std::vector<int64_t> ids(n);
  std::vector<double> values(n * w);
  for (std::size_t i = 0; i < n; ++i) {
    const int64_t at = start[owner[i]]++;
    ids[at] = table.id[i];
    std::copy_n(&table.values[i * w], w, &values[at * w]);
  }
  std::vector<int64_t> value_counts(counts);
  for (int64_t& c : value_counts) c *= table.width;

  KeyedRows mine{table.name, table.width, comm.all_to_all(ids, counts), {}};
  const std::vector<double> received = comm.all_to_all(values, value_counts);
  std::vector<std::size_t> order(mine.id.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return mine.id[a] < mine.id[b]; });
  std::vector<int64_t> sorted_ids(order.size());
  mine.values.resize(received.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    sorted_ids[i] = mine.id[order[i]];
    std::copy_n(&received[order[i] * w], w, &mine.values[i * w]);
  }
  mine.id = std::move(sorted_ids);
  return mine;
}

void join_by_customer(const KeyedRows& left, const KeyedRows& right, const Communicator& comm,
                      const JoinVisitor& visit) {
  const KeyedRows l = rows_at_owners(left, comm), r = rows_at_owners(right, comm);
  refuse_duplicates(l, comm);
  refuse_duplicates(r, comm);
  std::size_t i = 0, j = 0;
  const std::size_t lw = static_cast<std::size_t>(l.width), rw = static_cast<std::size_t>(r.width);
  while (i < l.id.size() || j < r.id.size()) {
    const bool take_left = i < l.id.size() && (j == r.id.size() || l.id[i] <= r.id[j]);
    const bool take_right = j < r.id.size() && (i == l.id.size() || r.id[j] <= l.id[i]);
    visit(take_left ? l.id[i] : r.id[j], take_left ? l.values.data() + i * lw : nullptr,
          take_right ? r.values.data() + j * rw : nullptr);
    i += take_left;
    j += take_right;
  }
}

}  // namespace kseg
