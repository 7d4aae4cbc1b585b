#include "kernels/centroid_motion.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kseg {
namespace {

// The distance between two float rows in double: each square and sum rounds once (2^-53
// relative), so a factor (1 ± 2^-40) bounds it from either side for any d below 2^12.
double distance(const float* a, const float* b, int d) {
  double squared = 0;
  for (int j = 0; j < d; ++j) {
    const double diff = static_cast<double>(a[j]) - b[j];
    squared += diff * diff;
  }
  return std::sqrt(squared);
}

constexpr double kSlack = 0x1p-40;

}  // namespace

CentroidMotion measure_motion(const std::vector<float>& before, const std::vector<float>& after, int k, int d) {
  CentroidMotion m;
  m.moved.resize(k);
  m.half_gap.assign(k, std::numeric_limits<double>::infinity());
  m.group_moved.assign(detail::group_count(k), 0.0);
  for (int s = 0; s < k; ++s) {
    m.moved[s] = distance(&before[static_cast<std::size_t>(s) * d], &after[static_cast<std::size_t>(s) * d], d) * (1 + kSlack);
    double& group = m.group_moved[s / detail::kCentroidsPerGroup];
    group = std::max(group, m.moved[s]);
    if (m.moved[s] > m.most_moved) {
      m.second_most_moved = m.most_moved;
      m.most_moved = m.moved[s];
      m.farthest_mover = s;
    } else if (m.moved[s] > m.second_most_moved) {
      m.second_most_moved = m.moved[s];
    }
    for (int t = 0; t < s; ++t) {
      const double half = 0.5 * distance(&after[static_cast<std::size_t>(s) * d], &after[static_cast<std::size_t>(t) * d], d) *
                          (1 - kSlack);
      m.half_gap[s] = std::min(m.half_gap[s], half);
      m.half_gap[t] = std::min(m.half_gap[t], half);
    }
  }
  return m;
}

std::vector<int32_t> changed_centroids(const std::vector<float>& before, const std::vector<float>& after, int k, int d) {
  std::vector<int32_t> changed;
  for (int c = 0; c < k; ++c)
    if (!std::equal(&before[static_cast<std::size_t>(c) * d], &before[static_cast<std::size_t>(c + 1) * d],
                    &after[static_cast<std::size_t>(c) * d]))
      changed.push_back(c);
  return changed;
}

}  // namespace kseg
