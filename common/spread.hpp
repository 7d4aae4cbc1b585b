#pragma once

#include <cstdint>

namespace kseg {

/// splitmix64's finaliser: consecutive customer ids land on unrelated ranks when a shuffle sends
/// id to rank spread(id) % ranks.
inline uint64_t spread(int64_t id) {
  uint64_t x = static_cast<uint64_t>(id) + 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace kseg
