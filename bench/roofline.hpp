#pragma once

namespace kseg {

/// What this machine can do at best, measured with all OpenMP threads of the process: the
/// ceiling a Lloyd iteration is judged against.
struct Roofline {
  double read_bytes_per_second = 0;  ///< streaming read of a buffer much larger than the caches
  double flops_per_second = 0;       ///< float32 fused multiply-adds, 2 flops each
};

Roofline measure_roofline();

/// A Lloyd iteration must read n·d·4 bytes and do 2·n·k·d flops; the floor is the slower of the two.
double lloyd_floor_seconds(const Roofline& roof, double n, double d, double k);

}  // namespace kseg
