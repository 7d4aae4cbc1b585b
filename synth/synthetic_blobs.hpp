#pragma once

#include <cstdint>
#include <vector>

namespace kseg {

/// Ground truth of a synthetic customer population: Gaussian blobs of unequal sizes and
/// spreads (each blob is elliptical: its spread differs per feature), centres placed at random
/// but at least `separation` average spreads apart, so neighbouring blobs overlap a little.
struct BlobModel {
  int k = 0;
  int d = 0;
  uint64_t seed = 0;
  std::vector<double> cumulative_share;  ///< k, increasing to 1: blob sizes
  std::vector<float> centers;            ///< k × d
  std::vector<float> spreads;            ///< k × d standard deviations
};

/// Customer ids of generated rows: kFirstCustomerId + row.
inline constexpr int64_t kFirstCustomerId = 100001;

BlobModel make_blob_model(int k, int d, uint64_t seed, double separation);

/// Rows [first, first + count): customer ids, features (count × d) and true blob. Each row is a
/// pure function of (model, row), so any rank can produce any rows.
void generate_rows(const BlobModel& model, int64_t first, int64_t count, int64_t* ids, float* x, int32_t* truth);

}  // namespace kseg
