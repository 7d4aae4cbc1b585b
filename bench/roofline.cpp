#include "bench/roofline.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/timer.hpp"

namespace kseg {
namespace {

double measure_read_bandwidth() {
  const std::size_t count = std::size_t{1} << 27;  // 512 MiB of floats
  std::vector<float> buffer(count);
#pragma omp parallel for schedule(static)
  for (std::size_t i = 0; i < count; ++i) buffer[i] = static_cast<float>(i & 1023);
  double best = 0;
  volatile float sink = 0;
  for (int repeat = 0; repeat < 3; ++repeat) {
    Stopwatch clock;
    float total = 0;
#pragma omp parallel for schedule(static) reduction(+ : total)
    for (std::size_t i = 0; i < count; ++i) total += buffer[i];
    best = std::max(best, count * sizeof(float) / clock.seconds());
    sink = sink + total;
  }
  return best;
}

double measure_fma_rate() {
  constexpr int kChains = 64;  // enough independent accumulators to hide FMA latency
  constexpr long kRounds = 20'000'000;
  double best = 0;
  volatile float sink = 0;
  for (int repeat = 0; repeat < 2; ++repeat) {
    Stopwatch clock;
    int threads = 1;
    float grand_total = 0;
#pragma omp parallel
    {
#pragma omp single
      threads = omp_get_num_threads();
      float acc[kChains];
      for (int c = 0; c < kChains; ++c) acc[c] = static_cast<float>(c);
      for (long r = 0; r < kRounds; ++r)
        for (int c = 0; c < kChains; ++c) acc[c] = std::fmaf(acc[c], 0.999999f, 1e-6f);
      float total = 0;
      for (float a : acc) total += a;
#pragma omp atomic
      grand_total += total;
    }
    sink = sink + grand_total;
    best = std::max(best, 2.0 * kChains * kRounds * threads / clock.seconds());
  }
  return best;
}

}  // namespace

Roofline measure_roofline() { return {measure_read_bandwidth(), measure_fma_rate()}; }

double lloyd_floor_seconds(const Roofline& roof, double n, double d, double k) {
  return std::max(n * d * 4.0 / roof.read_bytes_per_second, 2.0 * n * k * d / roof.flops_per_second);
}

}  // namespace kseg
