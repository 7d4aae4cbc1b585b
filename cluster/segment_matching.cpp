#include "cluster/segment_matching.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "cluster/assignment_problem.hpp"

namespace kseg {
namespace {

double centroid_distance(const float* a, const float* b, int d) {
  double sum = 0;
  for (int j = 0; j < d; ++j) sum += (double(a[j]) - b[j]) * (double(a[j]) - b[j]);
  return std::sqrt(sum);
}

}  // namespace

SegmentMatch match_segments(const std::vector<float>& previous, const std::vector<int32_t>& previous_ids,
                            const std::vector<std::string>& previous_names, const std::vector<float>& current, int d,
                            double match_threshold) {
  const int rows = static_cast<int>(current.size() / d), columns = static_cast<int>(previous.size() / d);
  std::vector<double> cost(static_cast<std::size_t>(rows) * columns);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < columns; ++j) cost[i * columns + j] = centroid_distance(&current[i * d], &previous[j * d], d);
  const std::vector<int> pairs = min_cost_assignment(cost, rows, columns);

  SegmentMatch match{previous_ids, previous_names, {}, {}, {}, {}, {}};
  int32_t next_id = previous_ids.empty() ? 0 : *std::max_element(previous_ids.begin(), previous_ids.end()) + 1;
  std::vector<bool> taken(columns, false);
  for (int i = 0; i < rows; ++i) {
    const int j = pairs[i];
    const bool good = j >= 0 && cost[i * columns + j] <= match_threshold;
    match.previous_row.push_back(good ? j : -1);
    match.paired_row.push_back(j);
    match.distance.push_back(j >= 0 ? cost[i * columns + j] : std::numeric_limits<double>::quiet_NaN());
    match.ids.push_back(good ? previous_ids[j] : next_id++);
    if (good) taken[j] = true;
  }
  for (int j = 0; j < columns; ++j)
    if (!taken[j]) match.vanished.push_back(previous_ids[j]);
  return match;
}

}  // namespace kseg
