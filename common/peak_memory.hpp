#pragma once

#include <sys/resource.h>

#include <cstdint>

namespace kseg {

/// This process's peak resident memory so far, in bytes (Linux reports ru_maxrss in KiB).
inline int64_t peak_resident_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;
}

}  // namespace kseg
