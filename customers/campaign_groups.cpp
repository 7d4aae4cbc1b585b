#include "customers/campaign_groups.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <tuple>

#include "common/errors.hpp"
#include "kernels/philox.hpp"

namespace kseg {
namespace {

// The Philox stream of control draws: apart from every stream the fit and the generator use.
constexpr uint32_t kControlStream = 0x43414d50;  // "CAMP"

// One row in the order the selection reads it: by segment, then (draw, id).
struct Ranked {
  int32_t segment;  // index into segment_ids
  uint64_t draw;
  int64_t id;
  std::size_t row;
};

bool ranked_less(const Ranked& a, const Ranked& b) {
  return std::tie(a.segment, a.draw, a.id) < std::tie(b.segment, b.draw, b.id);
}

// The id at place `order` of 0..2^64-1 in increasing id order (the sign bit flipped), so that
// ids are bisected as unsigned numbers.
int64_t id_of_order(uint64_t order) { return static_cast<int64_t>(order ^ (uint64_t{1} << 63)); }

class SegmentRanks {
 public:
  SegmentRanks(const std::vector<int64_t>& id, const std::vector<int32_t>& segment,
               const std::vector<int32_t>& segment_ids, uint64_t key)
      : begin_(segment_ids.size() + 1, 0) {
    rows_.reserve(id.size());
    for (std::size_t i = 0; i < id.size(); ++i) {
      const auto at = std::lower_bound(segment_ids.begin(), segment_ids.end(), segment[i]);
      rows_.push_back({static_cast<int32_t>(at - segment_ids.begin()), control_draw(key, id[i]), id[i], i});
    }
    std::sort(rows_.begin(), rows_.end(), ranked_less);
    for (const Ranked& r : rows_) ++begin_[static_cast<std::size_t>(r.segment) + 1];
    for (std::size_t s = 1; s < begin_.size(); ++s) begin_[s] += begin_[s - 1];
  }

  std::size_t segments() const { return begin_.size() - 1; }
  int64_t size(std::size_t s) const { return static_cast<int64_t>(begin_[s + 1] - begin_[s]); }
  const std::vector<Ranked>& rows() const { return rows_; }

  // This rank's customers of segment s at or below (draw, id).
  int64_t at_or_below(std::size_t s, uint64_t draw, int64_t id) const {
    const Ranked bound{static_cast<int32_t>(s), draw, id, 0};
    const auto first = rows_.begin() + static_cast<std::ptrdiff_t>(begin_[s]);
    const auto last = rows_.begin() + static_cast<std::ptrdiff_t>(begin_[s + 1]);
    return std::upper_bound(first, last, bound, ranked_less) - first;
  }

 private:
  std::vector<Ranked> rows_;
  std::vector<std::size_t> begin_;  // segment s's rows are [begin_[s], begin_[s + 1])
};

// Per segment, the smallest b in 0..2^64-1 whose global count(s, b) reaches wanted[s] (segments
// wanting none are left at 0). Every rank runs the same rounds: they depend on global counts only.
template <typename Count>
std::vector<uint64_t> smallest_reaching(const std::vector<int64_t>& wanted, Count count, const Communicator& comm) {
  const std::size_t n = wanted.size();
  std::vector<uint64_t> lo(n, 0), hi(n, UINT64_MAX);
  for (std::size_t s = 0; s < n; ++s)
    if (wanted[s] == 0) hi[s] = 0;
  std::vector<int64_t> counts(n);
  while (lo != hi) {
    std::vector<uint64_t> mid(n);
    for (std::size_t s = 0; s < n; ++s) {
      mid[s] = lo[s] + (hi[s] - lo[s]) / 2;
      counts[s] = lo[s] == hi[s] ? 0 : count(s, mid[s]);
    }
    comm.sum(counts.data(), n);
    for (std::size_t s = 0; s < n; ++s) {
      if (lo[s] == hi[s]) continue;
      if (counts[s] >= wanted[s]) hi[s] = mid[s];
      else lo[s] = mid[s] + 1;
    }
  }
  return lo;
}

}  // namespace

uint64_t campaign_key(const std::string& name) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : name) hash = (hash ^ c) * 0x100000001b3ull;
  return hash;
}

uint64_t control_draw(uint64_t key, int64_t customer_id) { return Philox::bits(key, customer_id, kControlStream, 0); }

std::vector<int32_t> all_segment_ids(const std::vector<int32_t>& segment, const Communicator& comm) {
  std::vector<int32_t> local(segment);
  std::sort(local.begin(), local.end());
  local.erase(std::unique(local.begin(), local.end()), local.end());
  std::vector<int32_t> all = comm.all_gather_values(local);
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

CampaignGroups choose_control_groups(const std::vector<int64_t>& customer_id, const std::vector<int32_t>& segment,
                                     const std::string& name, double share, const Communicator& comm) {
  CampaignGroups g;
  g.segment_ids = all_segment_ids(segment, comm);
  const SegmentRanks ranks(customer_id, segment, g.segment_ids, campaign_key(name));
  const std::size_t segments = ranks.segments();
  g.customers.resize(segments);
  for (std::size_t s = 0; s < segments; ++s) g.customers[s] = ranks.size(s);
  comm.sum(g.customers.data(), segments);
  g.control.resize(segments);
  for (std::size_t s = 0; s < segments; ++s) g.control[s] = std::llround(share * static_cast<double>(g.customers[s]));

  // The threshold draw: the smallest draw with enough customers at or below it ...
  const std::vector<uint64_t> draw = smallest_reaching(
      g.control, [&](std::size_t s, uint64_t d) { return ranks.at_or_below(s, d, INT64_MAX); }, comm);
  // ... and, among the customers of that very draw, the largest id to take (draws rarely tie).
  std::vector<int64_t> below_local(segments), below(segments), wanted_at_draw(segments);
  for (std::size_t s = 0; s < segments; ++s)
    below_local[s] = draw[s] == 0 ? 0 : ranks.at_or_below(s, draw[s] - 1, INT64_MAX);
  below = below_local;
  comm.sum(below.data(), segments);
  for (std::size_t s = 0; s < segments; ++s) wanted_at_draw[s] = g.control[s] == 0 ? 0 : g.control[s] - below[s];
  const std::vector<uint64_t> last_id = smallest_reaching(
      wanted_at_draw,
      [&](std::size_t s, uint64_t order) { return ranks.at_or_below(s, draw[s], id_of_order(order)) - below_local[s]; },
      comm);

  g.group.assign(customer_id.size(), CampaignGroups::kTreated);
  std::vector<int64_t> chosen(segments, 0);
  for (const Ranked& r : ranks.rows()) {
    const std::size_t s = static_cast<std::size_t>(r.segment);
    const bool control =
        g.control[s] > 0 && std::make_tuple(r.draw, r.id) <= std::make_tuple(draw[s], id_of_order(last_id[s]));
    if (control) g.group[r.row] = CampaignGroups::kControl, ++chosen[s];
  }
  comm.sum(chosen.data(), segments);
  for (std::size_t s = 0; s < segments; ++s)
    if (chosen[s] != g.control[s])  // only a customer id listed twice ties on (draw, id)
      refuse("segment " + std::to_string(g.segment_ids[s]) + " lists a customer id twice: " +
             std::to_string(chosen[s]) + " customers tie for its " + std::to_string(g.control[s]) + " control places");
  return g;
}

}  // namespace kseg
