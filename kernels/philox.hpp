#pragma once

#include <cstdint>

#include "common/hd.hpp"

namespace kseg {

/// Counter-based random numbers (Philox4x32-10, Salmon et al. 2011). A draw is a pure function of
/// (seed, customer id, stream, counter), so a customer gets the same number on whichever rank,
/// thread or device holds it: random choices do not depend on how the data is partitioned.
struct Philox {
  KSEG_HD static void mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
    const uint64_t product = static_cast<uint64_t>(a) * b;
    hi = static_cast<uint32_t>(product >> 32);
    lo = static_cast<uint32_t>(product);
  }

  /// 128 random bits for one counter under one key.
  KSEG_HD static void generate(uint64_t seed, const uint32_t counter_in[4], uint32_t out[4]) {
    uint32_t ctr[4] = {counter_in[0], counter_in[1], counter_in[2], counter_in[3]};
    uint32_t key0 = static_cast<uint32_t>(seed), key1 = static_cast<uint32_t>(seed >> 32);
    for (int round = 0; round < 10; ++round) {
      uint32_t hi0, lo0, hi1, lo1;
      mulhilo(0xD2511F53u, ctr[0], hi0, lo0);
      mulhilo(0xCD9E8D57u, ctr[2], hi1, lo1);
      const uint32_t next[4] = {hi1 ^ ctr[1] ^ key0, lo1, hi0 ^ ctr[3] ^ key1, lo0};
      for (int i = 0; i < 4; ++i) ctr[i] = next[i];
      key0 += 0x9E3779B9u;
      key1 += 0xBB67AE85u;
    }
    for (int i = 0; i < 4; ++i) out[i] = ctr[i];
  }

  /// 64 random bits for (seed, id, stream, counter).
  KSEG_HD static uint64_t bits(uint64_t seed, int64_t id, uint32_t stream, uint32_t counter) {
    const uint64_t uid = static_cast<uint64_t>(id);
    const uint32_t ctr[4] = {static_cast<uint32_t>(uid), static_cast<uint32_t>(uid >> 32), stream, counter};
    uint32_t out[4];
    generate(seed, ctr, out);
    return (static_cast<uint64_t>(out[0]) << 32) | out[1];
  }

  /// Uniform double in the open interval (0, 1).
  KSEG_HD static double uniform(uint64_t seed, int64_t id, uint32_t stream, uint32_t counter) {
    return (static_cast<double>(bits(seed, id, stream, counter) >> 11) + 0.5) * 0x1.0p-53;
  }
};

}  // namespace kseg
