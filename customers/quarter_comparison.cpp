#include "customers/quarter_comparison.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "common/errors.hpp"
#include "common/number_text.hpp"
#include "kernels/fixed_point.hpp"

namespace kseg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Segment id → its row or column of the matrix; `other` (new or gone customers) is the last.
std::map<int32_t, std::size_t> index_of(const std::vector<int32_t>& ids) {
  std::map<int32_t, std::size_t> index;
  for (std::size_t i = 0; i < ids.size(); ++i) index[ids[i]] = i;
  return index;
}

std::size_t cell_of(const std::map<int32_t, std::size_t>& index, double id, const std::string& table) {
  const auto at = index.find(static_cast<int32_t>(id));
  if (at == index.end())
    throw InputError(table + ": segment " + std::to_string(static_cast<int64_t>(id)) + " is not in its model",
                     ErrorScope::this_rank);
  return at->second;
}

}  // namespace

MigrationMatrix migration_matrix(const KeyedRows& previous, const KeyedRows& current,
                                 const std::vector<int32_t>& previous_ids, const std::vector<int32_t>& current_ids,
                                 const Communicator& comm) {
  MigrationMatrix m;
  m.from = previous_ids;
  m.from.push_back(-1);
  m.to = current_ids;
  m.to.push_back(-1);
  const std::size_t rows = m.from.size(), columns = m.to.size();
  const auto from_index = index_of(previous_ids), to_index = index_of(current_ids);

  double bound = 0;
  for (const KeyedRows* table : {&previous, &current})
    for (std::size_t i = 0; i < table->id.size(); ++i) bound = std::max(bound, std::fabs(table->values[i * 2 + 1]));
  comm.max(&bound, 1);
  const double scale = FixedPoint::scale_for_bound(bound, FixedPoint::kFeatureBits);

  std::vector<int64_t> customers(rows * columns, 0);
  std::vector<GridSum> revenue(rows * columns, GridSum(scale));
  join_by_customer(previous, current, comm, [&](int64_t, const double* before, const double* now) {
    const std::size_t row = before ? cell_of(from_index, before[0], previous.name) : rows - 1;
    const std::size_t column = now ? cell_of(to_index, now[0], current.name) : columns - 1;
    customers[row * columns + column] += 1;
    revenue[row * columns + column].add(now ? now[1] : before[1]);
  });
  comm.sum(customers.data(), customers.size());
  comm.sum(revenue.data(), revenue.size());
  m.customers = std::move(customers);
  for (const GridSum& r : revenue) m.revenue.push_back(r.value());
  return m;
}

Drift measure_drift(const SegmentMatch& match, const std::vector<int64_t>& previous_sizes,
                    const std::vector<int64_t>& current_sizes, const MigrationMatrix& migration,
                    const ComparisonParams& params) {
  std::map<int32_t, std::pair<double, double>> shares;  // id → (previous, current)
  double previous_total = 0, current_total = 0;
  for (int64_t n : previous_sizes) previous_total += n;
  for (int64_t n : current_sizes) current_total += n;
  for (std::size_t j = 0; j < previous_sizes.size(); ++j)
    shares[match.previous_ids[j]].first = previous_sizes[j] / std::max(1.0, previous_total);
  for (std::size_t i = 0; i < current_sizes.size(); ++i)
    shares[match.ids[i]].second = current_sizes[i] / std::max(1.0, current_total);

  Drift drift;
  for (const auto& [id, share] : shares) {
    const double p = std::max(share.first, 1e-4), q = std::max(share.second, 1e-4);
    drift.psi += (q - p) * std::log(q / p);
  }
  const std::size_t columns = migration.to.size();
  int64_t returning = 0, changed = 0;
  for (std::size_t r = 0; r + 1 < migration.from.size(); ++r)
    for (std::size_t c = 0; c + 1 < columns; ++c) {
      returning += migration.customers[r * columns + c];
      if (migration.from[r] != migration.to[c]) changed += migration.customers[r * columns + c];
    }
  drift.changed_share = returning ? double(changed) / returning : 0;
  for (std::size_t i = 0; i < match.ids.size(); ++i)
    drift.centroid_shift.push_back(match.previous_row[i] >= 0 ? match.distance[i] : kNaN);

  const auto warn = [&](const std::string& line) { drift.warnings.push_back(line); };
  const auto decimals = [](double v) { return fixed_decimals(v, 3); };
  if (drift.psi > params.psi_warning)
    warn("segment shares drifted: PSI " + decimals(drift.psi) + " > " + decimals(params.psi_warning));
  if (drift.changed_share > params.changed_share_warning)
    warn(fixed_decimals(100 * drift.changed_share, 1) + "% of returning customers changed segment (> " +
         fixed_decimals(100 * params.changed_share_warning, 1) + "%)");
  for (std::size_t i = 0; i < match.ids.size(); ++i) {
    const std::string segment = "segment " + std::to_string(match.ids[i]);
    const int pair = match.paired_row[i];
    if (pair < 0)
      warn(segment + " is new: last quarter had fewer segments");
    else if (match.previous_row[i] < 0)
      warn(segment + " is new: its closest counterpart, last quarter's " + std::to_string(match.previous_ids[pair]) +
           " (" + match.previous_names[pair] + "), is " + decimals(match.distance[i]) + " away (> the match threshold " +
           decimals(params.match_threshold) + ")");
    else if (match.distance[i] > params.shift_warning)
      warn(segment + " moved " + decimals(match.distance[i]) + " (> " + decimals(params.shift_warning) + ")");
  }
  for (int32_t id : match.vanished) warn("segment " + std::to_string(id) + " of last quarter has no match this quarter (vanished)");
  return drift;
}

}  // namespace kseg
