#pragma once

// CPU inner loops of the fused pass, with AVX-512, AVX2+FMA and portable paths. Each performs,
// for every point, exactly the operations of squared_distance() and GridSum::lands_on_grid(), so their
// results are bit-identical to each other and to the CUDA backend.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#define KSEG_CPU_AVX512 1
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define KSEG_CPU_AVX2 1
#endif

#include "kernels/detail/group_bounds.hpp"
#include "kernels/fixed_point.hpp"

namespace kseg::detail {

/// Points handled together, one per SIMD lane (one AVX-512 or two AVX2 registers).
inline constexpr int kLanes = 16;

/// kLanes points stored feature-major so that the innermost loop runs across points, while each
/// point's distance still sums its features in index order.
class Tile {
 public:
  std::vector<float> features;  // d × kLanes
  int count = 0;

  // A whole tile of few features is transposed in registers (below); others by plain loads and
  // stores, not an AVX-512 gather per feature: measured on an AMD EPYC (Zen 4),
  // the gathers made a full pass slower (10M x 6, K = 8: 63.6 against 49.2 ms; 1M x 16, K = 16:
  // 9.0 against 8.1), and Intel's microcode against Gather Data Sampling slows them further.
  void load(const float* x, int d, int64_t first, int count_) {
    count = count_;
    features.resize(static_cast<std::size_t>(d) * kLanes);
#if KSEG_CPU_AVX512
    if (count == kLanes && d <= kMostPermutedFeatures) return transpose(x + first * d, d);
#endif
    for (int lane = 0; lane < kLanes; ++lane) {
      const float* row = x + (first + (lane < count ? lane : count - 1)) * static_cast<int64_t>(d);
      for (int j = 0; j < d; ++j) features[static_cast<std::size_t>(j) * kLanes + lane] = row[j];
    }
  }

  /// The rows rows[0..count) (count ≤ kLanes), wherever they lie.
  void load_rows(const float* x, int d, const int64_t* rows, int count_) {
    count = count_;
    features.resize(static_cast<std::size_t>(d) * kLanes);
    for (int lane = 0; lane < kLanes; ++lane) {
      const float* row = x + rows[lane < count ? lane : count - 1] * static_cast<int64_t>(d);
      for (int j = 0; j < d; ++j) features[static_cast<std::size_t>(j) * kLanes + lane] = row[j];
    }
  }

#if KSEG_CPU_AVX512
 private:
  // Tiles of at most this many features are transposed in registers: 16 consecutive rows are
  // d registers, and feature j of lane l is their element l·d + j. A permute per register and
  // feature, where the element-wise copy took a load and a store per value (on an AMD EPYC, a
  // full pass of 10M x 6, K = 8: 41.0-43.0 against 45.5-49.2 ms; 4M x 3, K = 8: 14.8-15.1
  // against 17.2-20.0; no change at 8 features; at 16, d² permutes cost more than the copy).
  // Rows gathered from anywhere (load_rows) gained nothing from it, whether stored side by side
  // first or loaded two to a register.
  static constexpr int kMostPermutedFeatures = 8;

  void transpose(const float* rows, int d) {
    if (d != planned_d_) plan(d);
    __m512 source[kMostPermutedFeatures];
    for (int m = 0; m < d; ++m) source[m] = _mm512_loadu_ps(rows + kLanes * m);
    for (int j = 0; j < d; ++j) {
      __m512 feature = _mm512_setzero_ps();
      for (int m = 0; m < d; ++m) feature = _mm512_mask_permutexvar_ps(feature, from_[j][m], position_[j], source[m]);
      _mm512_storeu_ps(features.data() + j * kLanes, feature);
    }
  }

  // For feature j: where in its register each lane's element lies, and which lanes register m holds.
  void plan(int d) {
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (int j = 0; j < d; ++j) {
      const __m512i element = _mm512_add_epi32(_mm512_mullo_epi32(lane, _mm512_set1_epi32(d)), _mm512_set1_epi32(j));
      position_[j] = _mm512_and_si512(element, _mm512_set1_epi32(kLanes - 1));
      for (int m = 0; m < d; ++m)
        from_[j][m] = _mm512_cmpeq_epi32_mask(_mm512_srli_epi32(element, 4), _mm512_set1_epi32(m));
    }
    planned_d_ = d;
  }

  int planned_d_ = 0;
  __m512i position_[kMostPermutedFeatures];
  __mmask16 from_[kMostPermutedFeatures][kMostPermutedFeatures];
#endif
};

// sums[j] += row[j]·scale[j] for j in [first, d) where that is an integer; false if any was not.
inline bool add_tail_on_grid(const float* row, int first, int d, const double* scale, int64_t* sums) {
  bool all_on_grid = true;
  for (int j = first; j < d; ++j) {
    int64_t q = 0;
    if (GridSum::lands_on_grid(row[j], scale[j], &q)) sums[j] += q;
    else all_on_grid = false;
  }
  return all_on_grid;
}

#if KSEG_CPU_AVX512

template <bool kRunnerUp>
inline void keep_nearer(__m512& best, __m512i& best_index, __m512& second, __m512 acc, int centroid) {
  const __mmask16 nearer = _mm512_cmp_ps_mask(acc, best, _CMP_LT_OQ);  // strict: ties keep the smaller index
  if (kRunnerUp) second = _mm512_mask_blend_ps(nearer, _mm512_min_ps(second, acc), best);
  best = _mm512_mask_blend_ps(nearer, best, acc);
  best_index = _mm512_mask_blend_epi32(nearer, best_index, _mm512_set1_epi32(centroid));
}

// Eight centroids at a time: each feature row of the tile is loaded once for all eight. With
// kRunnerUp, second_out receives each point's second smallest squared distance.
template <bool kRunnerUp = false>
inline void nearest_in_tile(const Tile& tile, int d, const float* centroids, int k, float* best_out,
                            int32_t* index_out, float* second_out = nullptr) {
  constexpr int kBlock = 8;
  __m512 best = _mm512_set1_ps(INFINITY), second = best;
  __m512i best_index = _mm512_setzero_si512();
  const float* t = tile.features.data();
  int c = 0;
  for (; c + kBlock <= k; c += kBlock) {
    __m512 acc[kBlock];
    for (__m512& a : acc) a = _mm512_setzero_ps();
    const float* row = centroids + static_cast<std::size_t>(c) * d;
    for (int j = 0; j < d; ++j) {
      const __m512 x = _mm512_loadu_ps(t + j * kLanes);
      for (int q = 0; q < kBlock; ++q) {
        const __m512 diff = _mm512_sub_ps(x, _mm512_set1_ps(row[q * d + j]));
        acc[q] = _mm512_fmadd_ps(diff, diff, acc[q]);
      }
    }
    for (int q = 0; q < kBlock; ++q) keep_nearer<kRunnerUp>(best, best_index, second, acc[q], c + q);
  }
  for (; c < k; ++c) {
    __m512 acc = _mm512_setzero_ps();
    const float* row = centroids + static_cast<std::size_t>(c) * d;
    for (int j = 0; j < d; ++j) {
      const __m512 diff = _mm512_sub_ps(_mm512_loadu_ps(t + j * kLanes), _mm512_set1_ps(row[j]));
      acc = _mm512_fmadd_ps(diff, diff, acc);
    }
    keep_nearer<kRunnerUp>(best, best_index, second, acc, c);
  }
  _mm512_storeu_ps(best_out, best);
  _mm512_storeu_si512(index_out, best_index);
  if (kRunnerUp) _mm512_storeu_ps(second_out, second);
}

// out[q][lane]: each lane's canonical squared distance to row q of a group's block of
// kCentroidsPerGroup centroid rows (the grouped pass, group_bounds.hpp).
inline void block_distances(const Tile& tile, int d, const float* block, float (*out)[kLanes]) {
  __m512 acc[kCentroidsPerGroup];
  for (__m512& a : acc) a = _mm512_setzero_ps();
  for (int j = 0; j < d; ++j) {
    const __m512 x = _mm512_loadu_ps(tile.features.data() + j * kLanes);
    for (int q = 0; q < kCentroidsPerGroup; ++q) {
      const __m512 diff = _mm512_sub_ps(x, _mm512_set1_ps(block[q * d + j]));
      acc[q] = _mm512_fmadd_ps(diff, diff, acc[q]);
    }
  }
  for (int q = 0; q < kCentroidsPerGroup; ++q) _mm512_storeu_ps(out[q], acc[q]);
}

// sums[j] += row[j]·scale[j] for every value on its grid; false when any value was not (the caller
// adds those exactly). Adding 1.5·2^52 rounds a double of magnitude below 2^51 to the nearest
// integer, and subtracting it again shows whether that changed the value; the feature grid keeps
// values below 2^kFeatureBits, far inside that range.
[[gnu::always_inline]] inline bool add_row_on_grid(const float* row, int d, const double* scale, int64_t* sums) {
  static_assert(FixedPoint::kFeatureBits < 51, "the rounding trick needs |value| < 2^51");
  const __m512d magic = _mm512_set1_pd(0x1.8p52);
  const __m512i magic_bits = _mm512_castpd_si512(magic);
  __mmask8 all_on_grid = 0xff;
  int j = 0;
  for (; j + 8 <= d; j += 8) {
    const __m512d scaled = _mm512_mul_pd(_mm512_cvtps_pd(_mm256_loadu_ps(row + j)), _mm512_loadu_pd(scale + j));
    const __m512d rounded = _mm512_add_pd(scaled, magic);
    const __mmask8 on_grid = _mm512_cmp_pd_mask(_mm512_sub_pd(rounded, magic), scaled, _CMP_EQ_OQ);
    const __m512i q = _mm512_maskz_sub_epi64(on_grid, _mm512_castpd_si512(rounded), magic_bits);
    _mm512_storeu_si512(sums + j, _mm512_add_epi64(_mm512_loadu_si512(sums + j), q));
    all_on_grid &= on_grid;
  }
  if (j < d) {  // the last d % 8 values, masked (scalar, they were most of a pass at d = 6)
    const __mmask8 tail = static_cast<__mmask8>((1u << (d - j)) - 1);
    const __m256 values = _mm512_castps512_ps256(_mm512_maskz_loadu_ps(static_cast<__mmask16>(tail), row + j));
    const __m512d scaled = _mm512_mul_pd(_mm512_cvtps_pd(values), _mm512_maskz_loadu_pd(tail, scale + j));
    const __m512d rounded = _mm512_add_pd(scaled, magic);
    const __mmask8 on_grid = _mm512_mask_cmp_pd_mask(tail, _mm512_sub_pd(rounded, magic), scaled, _CMP_EQ_OQ);
    const __m512i q = _mm512_maskz_sub_epi64(on_grid, _mm512_castpd_si512(rounded), magic_bits);
    _mm512_mask_storeu_epi64(sums + j, tail, _mm512_add_epi64(_mm512_maskz_loadu_epi64(tail, sums + j), q));
    all_on_grid &= static_cast<__mmask8>(on_grid | ~tail);
  }
  return all_on_grid == 0xff;
}

#elif KSEG_CPU_AVX2

struct LaneBest {
  __m256 distance[2];
  __m256i index[2];
  __m256 second[2];
};

template <bool kRunnerUp>
inline void keep_nearer(LaneBest& best, const __m256 (&acc)[2], int centroid) {
  const __m256i index = _mm256_set1_epi32(centroid);
  for (int h = 0; h < 2; ++h) {
    const __m256 nearer = _mm256_cmp_ps(acc[h], best.distance[h], _CMP_LT_OQ);  // strict: ties keep the smaller index
    if (kRunnerUp) best.second[h] = _mm256_blendv_ps(_mm256_min_ps(best.second[h], acc[h]), best.distance[h], nearer);
    best.distance[h] = _mm256_blendv_ps(best.distance[h], acc[h], nearer);
    best.index[h] = _mm256_blendv_epi8(best.index[h], index, _mm256_castps_si256(nearer));
  }
}

// Four centroids at a time: each feature row of the tile is loaded once for all four. With
// kRunnerUp, second_out receives each point's second smallest squared distance.
template <bool kRunnerUp = false>
inline void nearest_in_tile(const Tile& tile, int d, const float* centroids, int k, float* best_out,
                            int32_t* index_out, float* second_out = nullptr) {
  const __m256 infinity = _mm256_set1_ps(INFINITY);
  LaneBest best{{infinity, infinity}, {_mm256_setzero_si256(), _mm256_setzero_si256()}, {infinity, infinity}};
  const float* t = tile.features.data();
  int c = 0;
  for (; c + 4 <= k; c += 4) {
    __m256 acc[4][2];
    for (auto& a : acc) a[0] = a[1] = _mm256_setzero_ps();
    const float* row = centroids + static_cast<std::size_t>(c) * d;
    for (int j = 0; j < d; ++j) {
      const __m256 x0 = _mm256_loadu_ps(t + j * kLanes), x1 = _mm256_loadu_ps(t + j * kLanes + 8);
      for (int q = 0; q < 4; ++q) {
        const __m256 cj = _mm256_broadcast_ss(row + q * d + j);
        const __m256 d0 = _mm256_sub_ps(x0, cj), d1 = _mm256_sub_ps(x1, cj);
        acc[q][0] = _mm256_fmadd_ps(d0, d0, acc[q][0]);
        acc[q][1] = _mm256_fmadd_ps(d1, d1, acc[q][1]);
      }
    }
    for (int q = 0; q < 4; ++q) keep_nearer<kRunnerUp>(best, acc[q], c + q);
  }
  for (; c < k; ++c) {
    __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    const float* row = centroids + static_cast<std::size_t>(c) * d;
    for (int j = 0; j < d; ++j) {
      const __m256 cj = _mm256_broadcast_ss(row + j);
      for (int h = 0; h < 2; ++h) {
        const __m256 diff = _mm256_sub_ps(_mm256_loadu_ps(t + j * kLanes + 8 * h), cj);
        acc[h] = _mm256_fmadd_ps(diff, diff, acc[h]);
      }
    }
    keep_nearer<kRunnerUp>(best, acc, c);
  }
  for (int h = 0; h < 2; ++h) {
    _mm256_storeu_ps(best_out + 8 * h, best.distance[h]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(index_out + 8 * h), best.index[h]);
    if (kRunnerUp) _mm256_storeu_ps(second_out + 8 * h, best.second[h]);
  }
}

// As the AVX-512 version, four centroids at a time.
inline void block_distances(const Tile& tile, int d, const float* block, float (*out)[kLanes]) {
  for (int first = 0; first < kCentroidsPerGroup; first += 4) {
    __m256 acc[4][2];
    for (auto& a : acc) a[0] = a[1] = _mm256_setzero_ps();
    for (int j = 0; j < d; ++j) {
      const __m256 x0 = _mm256_loadu_ps(tile.features.data() + j * kLanes);
      const __m256 x1 = _mm256_loadu_ps(tile.features.data() + j * kLanes + 8);
      for (int q = 0; q < 4; ++q) {
        const __m256 cj = _mm256_broadcast_ss(block + (first + q) * d + j);
        const __m256 d0 = _mm256_sub_ps(x0, cj), d1 = _mm256_sub_ps(x1, cj);
        acc[q][0] = _mm256_fmadd_ps(d0, d0, acc[q][0]);
        acc[q][1] = _mm256_fmadd_ps(d1, d1, acc[q][1]);
      }
    }
    for (int q = 0; q < 4; ++q) {
      _mm256_storeu_ps(out[first + q], acc[q][0]);
      _mm256_storeu_ps(out[first + q] + 8, acc[q][1]);
    }
  }
}

// As the AVX-512 version, four values at a time.
[[gnu::always_inline]] inline bool add_row_on_grid(const float* row, int d, const double* scale, int64_t* sums) {
  static_assert(FixedPoint::kFeatureBits < 51, "the rounding trick needs |value| < 2^51");
  const __m256d magic = _mm256_set1_pd(0x1.8p52);
  const __m256i magic_bits = _mm256_castpd_si256(magic);
  __m256d all_on_grid = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
  int j = 0;
  for (; j + 4 <= d; j += 4) {
    const __m256d scaled = _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(row + j)), _mm256_loadu_pd(scale + j));
    const __m256d rounded = _mm256_add_pd(scaled, magic);
    const __m256d on_grid = _mm256_cmp_pd(_mm256_sub_pd(rounded, magic), scaled, _CMP_EQ_OQ);
    const __m256i q = _mm256_and_si256(_mm256_sub_epi64(_mm256_castpd_si256(rounded), magic_bits),
                                       _mm256_castpd_si256(on_grid));
    auto* out = reinterpret_cast<__m256i*>(sums + j);
    _mm256_storeu_si256(out, _mm256_add_epi64(_mm256_loadu_si256(out), q));
    all_on_grid = _mm256_and_pd(all_on_grid, on_grid);
  }
  return add_tail_on_grid(row, j, d, scale, sums) && _mm256_movemask_pd(all_on_grid) == 0xf;
}

#else

template <bool kRunnerUp = false>
inline void nearest_in_tile(const Tile& tile, int d, const float* centroids, int k, float* best, int32_t* best_index,
                            float* second = nullptr) {
  for (int lane = 0; lane < kLanes; ++lane) {
    best[lane] = INFINITY;
    best_index[lane] = 0;
    if (kRunnerUp) second[lane] = INFINITY;
  }
  for (int c = 0; c < k; ++c) {
    float acc[kLanes] = {};
    const float* centroid = centroids + static_cast<std::size_t>(c) * d;
    for (int j = 0; j < d; ++j) {
      const float* lanes = tile.features.data() + static_cast<std::size_t>(j) * kLanes;
      for (int lane = 0; lane < kLanes; ++lane) {
        const float diff = lanes[lane] - centroid[j];
        acc[lane] = std::fmaf(diff, diff, acc[lane]);
      }
    }
    for (int lane = 0; lane < kLanes; ++lane) {
      if (acc[lane] < best[lane]) {
        if (kRunnerUp) second[lane] = best[lane];
        best[lane] = acc[lane], best_index[lane] = c;
      } else if (kRunnerUp && acc[lane] < second[lane]) {
        second[lane] = acc[lane];
      }
    }
  }
}

inline void block_distances(const Tile& tile, int d, const float* block, float (*out)[kLanes]) {
  for (int q = 0; q < kCentroidsPerGroup; ++q) {
    float acc[kLanes] = {};
    for (int j = 0; j < d; ++j) {
      const float* lanes = tile.features.data() + static_cast<std::size_t>(j) * kLanes;
      for (int lane = 0; lane < kLanes; ++lane) {
        const float diff = lanes[lane] - block[q * d + j];
        acc[lane] = std::fmaf(diff, diff, acc[lane]);
      }
    }
    std::copy_n(acc, kLanes, out[q]);
  }
}

[[gnu::always_inline]] inline bool add_row_on_grid(const float* row, int d, const double* scale, int64_t* sums) {
  return add_tail_on_grid(row, 0, d, scale, sums);
}

#endif

}  // namespace kseg::detail
