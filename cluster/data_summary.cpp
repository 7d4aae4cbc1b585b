#include "cluster/data_summary.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>
#include <utility>

#include "common/errors.hpp"
#include "common/number_text.hpp"
#include "common/stop_request.hpp"
#include "common/thread_runs.hpp"

#include "kernels/fixed_point.hpp"

namespace kseg {
namespace {

// Rows hashed side by side: a row's FNV-1a hash is a chain of multiplies, and four independent
// chains keep the multiplier busy (one row at a time, the data summary of 1M × 32 spent most of
// its time waiting on them).
constexpr int64_t kHashedSideBySide = 4;

// FNV-1a over each customer's id and feature bytes, summed (mod 2^64) over group `group` of
// kHashedSideBySide rows (the last group may be short).
uint64_t group_hash_sum(const ShardView& shard, const int64_t* ids, int64_t group) {
  constexpr uint64_t kOffset = 1469598103934665603ull, kPrime = 1099511628211ull;
  const std::size_t feature_bytes = sizeof(float) * static_cast<std::size_t>(shard.d);
  const int64_t first = group * kHashedSideBySide;
  const int rows = static_cast<int>(std::min<int64_t>(kHashedSideBySide, shard.n - first));
  uint64_t h[kHashedSideBySide];
  const unsigned char* id_bytes[kHashedSideBySide];
  const unsigned char* features[kHashedSideBySide];
  for (int r = 0; r < kHashedSideBySide; ++r) {
    const int64_t row = first + std::min(r, rows - 1);  // a short group repeats its last row, not summed
    h[r] = kOffset;
    id_bytes[r] = reinterpret_cast<const unsigned char*>(&ids[row]);
    features[r] = reinterpret_cast<const unsigned char*>(shard.x + row * shard.d);
  }
  for (std::size_t b = 0; b < sizeof(int64_t); ++b)
    for (int r = 0; r < kHashedSideBySide; ++r) h[r] = (h[r] ^ id_bytes[r][b]) * kPrime;
  for (std::size_t b = 0; b < feature_bytes; ++b)
    for (int r = 0; r < kHashedSideBySide; ++r) h[r] = (h[r] ^ features[r][b]) * kPrime;
  uint64_t sum = 0;
  for (int r = 0; r < rows; ++r) sum += h[r];
  return sum;
}

// A sum of row hashes (mod 2^64): independent of row order and of the split over threads and ranks.
uint64_t global_checksum(const ShardView& shard, const int64_t* ids, const Communicator& comm) {
  const int64_t groups = (shard.n + kHashedSideBySide - 1) / kHashedSideBySide;
  const uint64_t mine = fold_over_threads(
      groups, uint64_t{0}, [&](uint64_t& sum, int64_t g) { sum += group_hash_sum(shard, ids, g); },
      [](uint64_t& total, uint64_t part) { total += part; });
  return static_cast<uint64_t>(comm.sum(static_cast<int128>(mine)));
}

// Per feature: the lowest and the highest value.
struct Ranges {
  std::vector<double> low, high;
};

void global_ranges(const ShardView& shard, const Communicator& comm, DataSummary& s) {
  const int d = shard.d;
  Ranges ranges = fold_over_threads(
      shard.n, Ranges{std::vector<double>(d, INFINITY), std::vector<double>(d, -INFINITY)},
      [&](Ranges& r, int64_t i) {
        for (int j = 0; j < d; ++j) {
          const double v = shard.x[i * d + j];
          r.low[j] = std::min(r.low[j], v);
          r.high[j] = std::max(r.high[j], v);
        }
      },
      [d](Ranges& total, const Ranges& part) {
        for (int j = 0; j < d; ++j)
          total.low[j] = std::min(total.low[j], part.low[j]), total.high[j] = std::max(total.high[j], part.high[j]);
      });
  s.min = std::move(ranges.low);
  s.max = std::move(ranges.high);
  comm.min(s.min.data(), s.min.size());
  comm.max(s.max.data(), s.max.size());
}

void global_moments(const ShardView& shard, const Communicator& comm, DataSummary& s) {
  const int d = shard.d;
  std::vector<GridSum> sums;  // Σx then Σx²
  for (int j = 0; j < d; ++j) sums.emplace_back(s.quantization.feature_scale[j]);
  for (int j = 0; j < d; ++j) {
    const double bound = std::max(std::fabs(s.min[j]), std::fabs(s.max[j]));
    sums.emplace_back(FixedPoint::scale_for_bound(bound * bound, FixedPoint::kDistanceBits));
  }
  sums = fold_over_threads(
      shard.n, sums,
      [&](std::vector<GridSum>& mine, int64_t i) {
        for (int j = 0; j < d; ++j) {
          const double v = shard.x[i * d + j];
          mine[j].add(v);
          mine[d + j].add(v * v);  // exact: a float's square fits a double
        }
      },
      [](std::vector<GridSum>& total, const std::vector<GridSum>& part) {
        for (std::size_t at = 0; at < total.size(); ++at) total[at].merge(part[at]);
      });
  comm.sum(sums.data(), sums.size());
  s.mean.resize(d);
  s.variance.resize(d);
  double variance_total = 0;
  for (int j = 0; j < d; ++j) {
    const double n = static_cast<double>(s.total_points);
    s.mean[j] = sums[j].value() / n;
    const double mean_square = sums[d + j].value() / n;
    s.variance[j] = std::max(0.0, mean_square - s.mean[j] * s.mean[j]);
    variance_total += s.variance[j];
  }
  s.mean_variance = d > 0 ? variance_total / d : 0;
}

}  // namespace

DataSummary summarize(const ShardView& shard, const int64_t* ids, const Communicator& comm, const std::string& during) {
  DataSummary s;
  s.d = shard.d;
  s.total_points = comm.sum(shard.n);
  global_ranges(shard, comm, s);
  stop_if_requested(comm, during);

  s.quantization.feature_scale.resize(shard.d);
  for (int j = 0; j < shard.d; ++j) {
    const double bound = std::max(std::fabs(s.min[j]), std::fabs(s.max[j]));
    s.quantization.feature_scale[j] = FixedPoint::scale_for_bound(bound, FixedPoint::kFeatureBits);
  }
  // Centroids stay inside the bounding box, so no squared distance exceeds its diagonal².
  s.quantization.distance_scale = FixedPoint::scale_for_bound(s.box_diagonal_sq(), FixedPoint::kDistanceBits);

  global_moments(shard, comm, s);

  s.checksum = global_checksum(shard, ids, comm);
  stop_if_requested(comm, during);
  return s;
}

void refuse_unless_float_distances(const DataSummary& s) {
  if (s.box_diagonal_sq() <= FLT_MAX) return;
  int widest = 0;
  for (int j = 1; j < s.d; ++j)
    if (s.max[j] - s.min[j] > s.max[widest] - s.min[widest]) widest = j;
  refuse("feature column " + std::to_string(widest + 1) + " runs from " + value_text(s.min[widest]) + " to " +
         value_text(s.max[widest]) + ": squared distances between customers would pass float32's largest value "
         "(3.4e38); rescale that feature or transform it (--transform NAME=log1p,standardize)");
}

}  // namespace kseg
