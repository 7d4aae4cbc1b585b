#pragma once

#include <string>

namespace kseg::h5::detail {

/// Ends the process with exit 2 and one error line if the HDF5 library has not returned from a
/// small metadata read within the stall limit. libhdf5 1.10 loops forever on some corrupt global
/// heaps (where variable-length strings live); a job must stop with an error, not hang until
/// Slurm's time limit. The limit is KSEG_HDF5_STALL_SECONDS (default 60): a few strings take
/// milliseconds even on a busy parallel file system.
/// Guards do not nest.
class StallGuard {
 public:
  explicit StallGuard(const std::string& what);
  ~StallGuard();
  StallGuard(const StallGuard&) = delete;
  StallGuard& operator=(const StallGuard&) = delete;
};

}  // namespace kseg::h5::detail
