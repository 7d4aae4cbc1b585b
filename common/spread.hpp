#pragma once

#include <cstdint>

namespace kseg {

/// splitmix64's finaliser: consecutive customer ids land on unrelated ranks when a shuffle sends
/// id to rank_of_customer(id, ranks).
inline uint64_t spread(int64_t id) {
  uint64_t x = static_cast<uint64_t>(id) + 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// The rank a shuffle sends customer `id` to: spread(id) scaled to 0..ranks-1 by a multiply
/// (a 64-bit modulo per line measured as much as the rest of a shuffle's bookkeeping).
inline int rank_of_customer(int64_t id, int ranks) {
  return static_cast<int>((static_cast<unsigned __int128>(spread(id)) * static_cast<unsigned>(ranks)) >> 64);
}

}  // namespace kseg
