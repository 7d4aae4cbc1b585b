#include "synth/synthetic_blobs.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/philox.hpp"

namespace kseg {
namespace {

enum Stream : uint32_t { kShare = 1, kSpread, kCenter, kMembership, kNoise };

double uniform(const BlobModel& m, int64_t key, Stream stream, uint32_t counter) {
  return Philox::uniform(m.seed, key, stream, counter);
}

double standard_normal(const BlobModel& m, int64_t id, uint32_t j) {  // Box–Muller, one value per draw pair
  const double u1 = uniform(m, id, kNoise, 2 * j), u2 = uniform(m, id, kNoise, 2 * j + 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

double mean_spread(const BlobModel& m, int blob) {
  double s = 0;
  for (int j = 0; j < m.d; ++j) s += m.spreads[static_cast<std::size_t>(blob) * m.d + j];
  return s / m.d;
}

double center_distance(const BlobModel& m, int a, const std::vector<float>& candidate) {
  double sq = 0;
  for (int j = 0; j < m.d; ++j) {
    const double diff = m.centers[static_cast<std::size_t>(a) * m.d + j] - candidate[j];
    sq += diff * diff;
  }
  return std::sqrt(sq);
}

// Rejection sampling in a box that grows with k; after many failed tries the last candidate is
// kept, so a crowded request still yields a (more overlapping) model.
void place_centers(BlobModel& m, double separation) {
  const double side = separation * 1.5 * std::pow(static_cast<double>(m.k), 1.0 / m.d) + separation;
  std::vector<float> candidate(m.d);
  for (int blob = 0; blob < m.k; ++blob) {
    for (uint32_t attempt = 0; attempt < 1000; ++attempt) {
      for (int j = 0; j < m.d; ++j)
        candidate[j] = static_cast<float>(side * (uniform(m, blob, kCenter, attempt * m.d + j) - 0.5));
      bool apart = true;
      for (int other = 0; other < blob && apart; ++other)
        apart = center_distance(m, other, candidate) >= separation * 0.5 * (mean_spread(m, blob) + mean_spread(m, other));
      if (apart) break;
    }
    std::copy(candidate.begin(), candidate.end(), m.centers.begin() + static_cast<std::size_t>(blob) * m.d);
  }
}

}  // namespace

BlobModel make_blob_model(int k, int d, uint64_t seed, double separation) {
  BlobModel m;
  m.k = k;
  m.d = d;
  m.seed = seed;
  std::vector<double> share(k);
  for (int blob = 0; blob < k; ++blob) share[blob] = 0.5 + 2.5 * uniform(m, blob, kShare, 0);
  double total = 0;
  for (int blob = 0; blob < k; ++blob) m.cumulative_share.push_back(total += share[blob]);
  for (double& c : m.cumulative_share) c /= total;
  m.spreads.resize(static_cast<std::size_t>(k) * d);
  for (int blob = 0; blob < k; ++blob) {
    const double base = 0.5 + uniform(m, blob, kSpread, 0);
    for (int j = 0; j < d; ++j)
      m.spreads[static_cast<std::size_t>(blob) * d + j] = static_cast<float>(base * (0.75 + 0.5 * uniform(m, blob, kSpread, j + 1)));
  }
  m.centers.resize(static_cast<std::size_t>(k) * d);
  place_centers(m, separation);
  return m;
}

void generate_rows(const BlobModel& m, int64_t first, int64_t count, int64_t* ids, float* x, int32_t* truth) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < count; ++r) {
    const int64_t id = kFirstCustomerId + first + r;
    const double u = uniform(m, id, kMembership, 0);
    const int blob = static_cast<int>(std::upper_bound(m.cumulative_share.begin(), m.cumulative_share.end() - 1, u) -
                                      m.cumulative_share.begin());
    ids[r] = id;
    truth[r] = blob;
    for (int j = 0; j < m.d; ++j) {
      const std::size_t at = static_cast<std::size_t>(blob) * m.d + j;
      x[r * m.d + j] = static_cast<float>(m.centers[at] + m.spreads[at] * standard_normal(m, id, j));
    }
  }
}

}  // namespace kseg
