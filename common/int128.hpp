#pragma once

namespace kseg {

/// Exact accumulator for fixed-point sums (GCC/Clang/NVCC extension).
using int128 = __int128;

}  // namespace kseg
