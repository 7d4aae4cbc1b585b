#include "customers/attribute_profiles.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>

#include "common/errors.hpp"
#include "kernels/fixed_point.hpp"

namespace kseg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Per-segment tallies on this rank: exact sums of quantities, counts of codes.
struct Tallies {
  int k = 0, columns = 0;
  std::vector<GridSum> sums;           // k × (columns + 2): per column, then CLV and cost
  std::vector<int64_t> known;          // k × (columns + 1): the last counts customers with a cost
  std::vector<std::vector<int64_t>> codes;  // per column: k × labels
  std::vector<int64_t> nps;            // k × 3: respondents, promoters, detractors
  int64_t bad_nps_id = INT64_MAX;      // the smallest customer id with an answer outside 0–10

  GridSum& sum(int s, int c) { return sums[static_cast<std::size_t>(s) * (columns + 2) + c]; }
  int64_t& count(int s, int c) { return known[static_cast<std::size_t>(s) * (columns + 1) + c]; }
  const GridSum& sum(int s, int c) const { return sums[static_cast<std::size_t>(s) * (columns + 2) + c]; }
  int64_t count(int s, int c) const { return known[static_cast<std::size_t>(s) * (columns + 1) + c]; }
};

std::vector<double> fixed_point_scales(const AttributeColumns& t, const float* clv, int64_t n, const Communicator& comm) {
  const int w = t.rows.width;
  std::vector<double> bound(w + 2, 0.0);
  for (std::size_t i = 0; i < t.rows.id.size(); ++i)
    for (int c = 0; c < w; ++c) {
      const double v = t.rows.values[i * w + c];
      if (t.labels[c].empty() && std::isfinite(v)) bound[c] = std::max(bound[c], std::fabs(v));
    }
  for (int64_t i = 0; clv && i < n; ++i) bound[w] = std::max(bound[w], std::fabs(static_cast<double>(clv[i])));
  comm.max(bound.data(), bound.size());
  for (int c = 0; c < w; ++c)
    if (t.names[c] == "acquisition_cost") bound[w + 1] = bound[c];
  std::vector<double> scale;
  for (double b : bound) scale.push_back(FixedPoint::scale_for_bound(b, FixedPoint::kFeatureBits));
  return scale;
}

// The quantity column called `name`, or −1.
int quantity_column(const AttributeColumns& t, const std::string& name) {
  for (int c = 0; c < t.rows.width; ++c)
    if (t.names[c] == name && t.labels[c].empty()) return c;
  return -1;
}

void add_nps_answer(Tallies& tally, int s, int64_t id, double answer) {
  if (!std::isfinite(answer)) return;
  if (answer != std::floor(answer) || answer < 0 || answer > 10) {
    tally.bad_nps_id = std::min(tally.bad_nps_id, id);
    return;
  }
  int64_t* row = &tally.nps[static_cast<std::size_t>(s) * 3];
  row[0] += 1, row[1] += answer >= 9, row[2] += answer <= 6;
}

Tallies empty_tallies(const AttributeColumns& t, const float* clv, int64_t n, int k, const Communicator& comm) {
  const int w = t.rows.width;
  Tallies tally{k, w, {}, {}, {}};
  const std::vector<double> scale = fixed_point_scales(t, clv, n, comm);
  for (int s = 0; s < k; ++s)
    for (double column_scale : scale) tally.sums.emplace_back(column_scale);
  tally.known.assign(static_cast<std::size_t>(k) * (w + 1), 0);
  for (int c = 0; c < w; ++c) tally.codes.emplace_back(static_cast<std::size_t>(k) * t.labels[c].size(), 0);
  tally.nps.assign(static_cast<std::size_t>(k) * 3, 0);
  return tally;
}

// One customer found in both tables: `left` is their segment and CLV, `right` their attribute row.
void add_customer(Tallies& tally, const AttributeColumns& t, int cost, int nps, int64_t id, const double* left,
                  const double* right) {
  const int w = tally.columns, s = static_cast<int>(left[0]);
  for (int c = 0; c < w; ++c) {
    const double v = right[c];
    if (!t.labels[c].empty() && v >= 0) {
      tally.codes[c][static_cast<std::size_t>(s) * t.labels[c].size() + static_cast<std::size_t>(v)] += 1;
      tally.count(s, c) += 1;
    } else if (t.labels[c].empty() && std::isfinite(v)) {
      tally.sum(s, c).add(v);
      tally.count(s, c) += 1;
    }
  }
  if (nps >= 0) add_nps_answer(tally, s, id, right[nps]);
  if (cost >= 0 && std::isfinite(right[cost])) {
    tally.sum(s, w).add(left[1]);
    tally.sum(s, w + 1).add(right[cost]);
    tally.count(s, w) += 1;
  }
}

// Collective: joins the segmented customers to the attribute rows and sums the tallies over the
// ranks. Returns how many customers this rank matched.
int64_t tally_customers(Tallies& tally, const AttributeColumns& t, const int64_t* customer_id, const int32_t* segment,
                        const float* clv, int64_t n, const Communicator& comm) {
  const int cost = quantity_column(t, "acquisition_cost"), nps = quantity_column(t, kNpsColumn);
  KeyedRows segmented{"the segmented customers", 2, {customer_id, customer_id + n}, {}};
  for (int64_t i = 0; i < n; ++i)
    segmented.values.insert(segmented.values.end(), {double(segment[i]), clv && std::isfinite(clv[i]) ? clv[i] : 0.0});
  int64_t matched = 0;
  join_by_customer(segmented, t.rows, comm, [&](int64_t id, const double* left, const double* right) {
    if (!left || !right) return;
    ++matched;
    add_customer(tally, t, cost, nps, id, left, right);
  });
  if (const int64_t bad = comm.min(tally.bad_nps_id); bad != INT64_MAX)
    refuse(t.rows.name + "/" + kNpsColumn + ": customer_id " + std::to_string(bad) +
           " has an answer that is not a whole number from 0 to 10");
  comm.sum(tally.nps.data(), tally.nps.size());
  comm.sum(tally.sums.data(), tally.sums.size());
  comm.sum(tally.known.data(), tally.known.size());
  for (std::vector<int64_t>& codes : tally.codes) comm.sum(codes.data(), codes.size());
  return matched;
}

// Column c per segment: the mean of a quantity, or the shares of a categorical's labels.
AttributeSummary summary(const Tallies& tally, const AttributeColumns& t, int c) {
  AttributeSummary a{t.names[c], t.labels[c], {}, {}, {}};
  for (int s = 0; s < tally.k; ++s) {
    const int64_t known = tally.count(s, c);
    a.known.push_back(known);
    if (a.labels.empty()) {
      a.mean.push_back(known ? tally.sum(s, c).value() / known : kNaN);
      continue;
    }
    std::vector<double> share;
    for (std::size_t l = 0; l < a.labels.size(); ++l)
      share.push_back(known ? double(tally.codes[c][static_cast<std::size_t>(s) * a.labels.size() + l]) / known : 0);
    a.share.push_back(share);
  }
  return a;
}

NetPromoterScores net_promoter_scores(const Tallies& tally) {
  NetPromoterScores out;
  for (int s = 0; s < tally.k; ++s) {
    const int64_t* row = &tally.nps[static_cast<std::size_t>(s) * 3];
    out.respondents.push_back(row[0]), out.promoters.push_back(row[1]), out.detractors.push_back(row[2]);
    out.score.push_back(row[0] ? 100.0 * static_cast<double>(row[1] - row[2]) / static_cast<double>(row[0]) : kNaN);
  }
  return out;
}

void add_acquisition_costs(const Tallies& tally, bool has_clv, AttributeProfiles& out) {
  const int w = tally.columns;
  for (int s = 0; s < tally.k; ++s) {
    const int64_t with_cost = tally.count(s, w);
    const double total_clv = tally.sum(s, w).value();
    const double total_cost = tally.sum(s, w + 1).value();
    out.mean_acquisition_cost.push_back(with_cost ? total_cost / with_cost : kNaN);
    out.clv_per_cac.push_back(with_cost && has_clv && total_cost > 0 ? total_clv / total_cost : kNaN);
  }
}

}  // namespace

AttributeProfiles profile_attributes(const AttributeColumns& t, const int64_t* customer_id, const int32_t* segment,
                                     const float* clv, int64_t n, int k, const Communicator& comm) {
  Tallies tally = empty_tallies(t, clv, n, k, comm);
  const int64_t matched = tally_customers(tally, t, customer_id, segment, clv, n, comm);
  AttributeProfiles out;
  out.matched_customers = comm.sum(matched);
  for (int c = 0; c < t.rows.width; ++c) out.attributes.push_back(summary(tally, t, c));
  add_acquisition_costs(tally, clv != nullptr, out);
  if (quantity_column(t, kNpsColumn) >= 0) out.nps = net_promoter_scores(tally);
  return out;
}

}  // namespace kseg
