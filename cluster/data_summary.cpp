#include "cluster/data_summary.hpp"

#include <omp.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>
#include <utility>

#include "common/errors.hpp"
#include "common/number_text.hpp"
#include "common/stop_request.hpp"

#include "kernels/fixed_point.hpp"

namespace kseg {
namespace {

// FNV-1a over each customer's id and feature bytes, summed (mod 2^64) over the rows
// [begin, end). A row's hash is a chain of multiplies; four rows are hashed side by side so that
// four chains keep the multiplier busy (one row at a time, the data summary of 1M × 32 spent most
// of its time waiting on them).
uint64_t row_hash_sum(const ShardView& shard, const int64_t* ids, int64_t begin, int64_t end) {
  constexpr uint64_t kOffset = 1469598103934665603ull, kPrime = 1099511628211ull;
  constexpr int kSideBySide = 4;
  const std::size_t feature_bytes = sizeof(float) * static_cast<std::size_t>(shard.d);
  uint64_t sum = 0;
  for (int64_t first = begin; first < end; first += kSideBySide) {
    const int rows = static_cast<int>(std::min<int64_t>(kSideBySide, end - first));
    uint64_t h[kSideBySide];
    const unsigned char* id_bytes[kSideBySide];
    const unsigned char* features[kSideBySide];
    for (int r = 0; r < kSideBySide; ++r) {
      const int64_t row = first + std::min(r, rows - 1);  // a short last group repeats its last row, not summed
      h[r] = kOffset;
      id_bytes[r] = reinterpret_cast<const unsigned char*>(&ids[row]);
      features[r] = reinterpret_cast<const unsigned char*>(shard.x + row * shard.d);
    }
    for (std::size_t b = 0; b < sizeof(int64_t); ++b)
      for (int r = 0; r < kSideBySide; ++r) h[r] = (h[r] ^ id_bytes[r][b]) * kPrime;
    for (std::size_t b = 0; b < feature_bytes; ++b)
      for (int r = 0; r < kSideBySide; ++r) h[r] = (h[r] ^ features[r][b]) * kPrime;
    for (int r = 0; r < rows; ++r) sum += h[r];
  }
  return sum;
}

// This thread's share of n rows: [begin, end).
std::pair<int64_t, int64_t> rows_of_thread(int64_t n) {
  const int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
  return {n * thread / threads, n * (thread + 1) / threads};
}

void global_ranges(const ShardView& shard, const Communicator& comm, DataSummary& s) {
  s.min.assign(shard.d, INFINITY);
  s.max.assign(shard.d, -INFINITY);
#pragma omp parallel
  {
    std::vector<double> low(shard.d, INFINITY), high(shard.d, -INFINITY);
    const auto [begin, end] = rows_of_thread(shard.n);
    for (int64_t i = begin; i < end; ++i)
      for (int j = 0; j < shard.d; ++j) {
        const double v = shard.x[i * shard.d + j];
        low[j] = std::min(low[j], v);
        high[j] = std::max(high[j], v);
      }
#pragma omp critical
    for (int j = 0; j < shard.d; ++j) s.min[j] = std::min(s.min[j], low[j]), s.max[j] = std::max(s.max[j], high[j]);
  }
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
  const std::vector<GridSum> empty = sums;  // each thread's sums start from these, not from `sums` being merged into
#pragma omp parallel
  {
    std::vector<GridSum> mine = empty;  // exact sums: the merge order does not matter
    const auto [begin, end] = rows_of_thread(shard.n);
    for (int64_t i = begin; i < end; ++i)
      for (int j = 0; j < d; ++j) {
        const double v = shard.x[i * d + j];
        mine[j].add(v);
        mine[d + j].add(v * v);  // exact: a float's square fits a double
      }
#pragma omp critical
    for (std::size_t at = 0; at < sums.size(); ++at) sums[at].merge(mine[at]);
  }
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

  // A sum of row hashes (mod 2^64): independent of row order and of the split over ranks.
  uint64_t checksum = 0;
#pragma omp parallel reduction(+ : checksum)
  {
    const auto [begin, end] = rows_of_thread(shard.n);
    checksum += row_hash_sum(shard, ids, begin, end);
  }
  s.checksum = static_cast<uint64_t>(comm.sum(static_cast<int128>(checksum)));
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
