#include "kernels/customer_runs_cpu.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>

#include "common/errors.hpp"
#include "common/huge_pages.hpp"
#include "common/spread.hpp"

namespace kseg {
namespace {

using Key = uint32_t;
constexpr Key kNoKey = std::numeric_limits<Key>::max();

// Each line's customer as a key 0..count-1 that increases with the id, and the id of each key.
// Keys without lines are allowed (ids absent from a dense range); they make empty runs.
struct CustomerKeys {
  std::vector<Key> of_line;
  int64_t count = 0;
  int64_t first_id = 0;              // dense: key k is id first_id + k
  std::vector<int64_t> id_of_key;    // hashed: key k is id_of_key[k]
  int64_t id(int64_t key) const { return id_of_key.empty() ? first_id + key : id_of_key[key]; }
};

// Open addressing on the id's spread, slots from its high bits: the shuffle sent this rank the
// ids whose spread has the same residue, so the low bits are alike.
class IdTable {
 public:
  IdTable() { resize(10); }

  // The id's key in order of first appearance, a new one for an id not seen before.
  Key key_of(int64_t id) {
    std::size_t s = slot_of(id);
    while (key_[s] != kNoKey && id_[s] != id) s = (s + 1) & mask_;
    if (key_[s] != kNoKey) return key_[s];
    key_[s] = static_cast<Key>(appearance_.size());
    id_[s] = id;
    appearance_.push_back(id);
    if (2 * appearance_.size() > key_.size()) resize(bits_ + 1);
    return static_cast<Key>(appearance_.size() - 1);
  }
  const std::vector<int64_t>& ids_by_appearance() const { return appearance_; }

 private:
  std::size_t slot_of(int64_t id) const { return static_cast<std::size_t>(spread(id) >> (64 - bits_)); }
  void resize(int bits) {
    bits_ = bits;
    mask_ = (std::size_t{1} << bits) - 1;
    id_.assign(mask_ + 1, 0);
    key_.assign(mask_ + 1, kNoKey);
    for (std::size_t k = 0; k < appearance_.size(); ++k) {
      std::size_t s = slot_of(appearance_[k]);
      while (key_[s] != kNoKey) s = (s + 1) & mask_;
      key_[s] = static_cast<Key>(k), id_[s] = appearance_[k];
    }
  }
  int bits_ = 0;
  std::size_t mask_ = 0;
  std::vector<int64_t> id_;
  std::vector<Key> key_;
  std::vector<int64_t> appearance_;
};

CustomerKeys dense_keys(const int64_t* ids, int64_t n, int64_t low, int64_t range) {
  CustomerKeys keys;
  resize_on_huge_pages(keys.of_line, n);
  keys.count = range + 1;
  keys.first_id = low;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) keys.of_line[i] = static_cast<Key>(ids[i] - low);
  return keys;
}

// Keys by first appearance, then renumbered so that they increase with the id.
CustomerKeys hashed_keys(const int64_t* ids, int64_t n) {
  CustomerKeys keys;
  resize_on_huge_pages(keys.of_line, n);
  IdTable table;
  for (int64_t i = 0; i < n; ++i) keys.of_line[i] = table.key_of(ids[i]);
  const std::vector<int64_t>& seen = table.ids_by_appearance();
  std::vector<Key> by_id(seen.size());
  std::iota(by_id.begin(), by_id.end(), Key{0});
  std::sort(by_id.begin(), by_id.end(), [&](Key a, Key b) { return seen[a] < seen[b]; });
  std::vector<Key> renumbered(seen.size());
  keys.id_of_key.resize(seen.size());
  for (std::size_t rank = 0; rank < by_id.size(); ++rank)
    renumbered[by_id[rank]] = static_cast<Key>(rank), keys.id_of_key[rank] = seen[by_id[rank]];
  keys.count = static_cast<int64_t>(seen.size());
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) keys.of_line[i] = renumbered[keys.of_line[i]];
  return keys;
}

// Dense keys when the ids span at most one key per line (a count array no longer than the lines).
CustomerKeys customer_keys(const int64_t* ids, int64_t n) {
  if (static_cast<uint64_t>(n) >= kNoKey)
    refuse(std::to_string(n) + " transaction lines on one rank are more than kseg groups at once (" +
           std::to_string(kNoKey - 1) + "); run on more ranks");
  int64_t low = ids[0], high = ids[0];
#pragma omp parallel for schedule(static) reduction(min : low) reduction(max : high)
  for (int64_t i = 0; i < n; ++i) low = std::min(low, ids[i]), high = std::max(high, ids[i]);
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  return range < static_cast<uint64_t>(n) ? dense_keys(ids, n, low, static_cast<int64_t>(range))
                                          : hashed_keys(ids, n);
}

// Stable counting sort of the positions on their keys; the runs of non-empty keys.
CustomerRuns counting_sort(const CustomerKeys& keys) {
  const int64_t n = static_cast<int64_t>(keys.of_line.size());
  std::vector<int64_t> next;
  resize_on_huge_pages(next, keys.count + 1);
  for (Key k : keys.of_line) ++next[k + 1];
  CustomerRuns runs;
  runs.start.push_back(0);
  for (int64_t k = 0; k < keys.count; ++k) {
    if (next[k + 1] == 0) continue;
    runs.customer.push_back(keys.id(k));
    runs.start.push_back(runs.start.back() + next[k + 1]);
  }
  std::partial_sum(next.begin(), next.end(), next.begin());
  resize_on_huge_pages(runs.order, n);
  for (int64_t i = 0; i < n; ++i) runs.order[next[keys.of_line[i]]++] = i;
  return runs;
}

// A customer's lines, often already in time order (a log is written as it happens): checked
// first; a few by insertion sort.
void sort_run(int64_t* begin, int64_t* end, const detail::LineOrder& less) {
  constexpr std::ptrdiff_t kInsertionSortLimit = 32;
  if (std::is_sorted(begin, end, less)) return;
  if (end - begin > kInsertionSortLimit) return std::sort(begin, end, less);
  for (int64_t* i = begin + 1; i < end; ++i) {
    const int64_t line = *i;
    int64_t* j = i;
    for (; j > begin && less(line, *(j - 1)); --j) *j = *(j - 1);
    *j = line;
  }
}

}  // namespace

CustomerRuns group_by_customer_cpu(const LineColumns& lines) {
  if (lines.n == 0) return CustomerRuns{{}, {}, {0}};
  CustomerRuns runs = counting_sort(customer_keys(lines.customer_id, lines.n));
  const detail::LineOrder less{lines.customer_id, lines.timestamp, lines.order_id};
  const int64_t count = static_cast<int64_t>(runs.customer.size());
#pragma omp parallel for schedule(dynamic, 4096)
  for (int64_t c = 0; c < count; ++c) sort_run(&runs.order[runs.start[c]], &runs.order[runs.start[c + 1]], less);
  return runs;
}

}  // namespace kseg
