#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cluster/kmeans_params.hpp"
#include "common/communicator.hpp"
#include "common/logger.hpp"
#include "pipeline/device_choice.hpp"

namespace kseg {

/// `kseg bench`: Lloyd iterations timed on a features file or on blobs generated in memory.
struct BenchParams {
  std::string input;           ///< features file; empty: generated in memory
  std::string init_centroids;  ///< HDF5 file with /centroids [k, d] to start from; empty: random init
  int64_t customers = 1'000'000;
  int features = 16;
  std::vector<int> k = {16};
  int iterations = 20;  ///< timed, after one to warm up
  DeviceOptions device;
  int threads = 0;
  uint64_t seed = 42;
  Acceleration acceleration = Acceleration::none;  ///< else the bounded iterations a fit runs with it
};

/// One k's timing: the slowest rank's ms per iteration against this machine's floor.
struct LloydTiming {
  int64_t customers = 0;
  int features = 0, k = 0, ranks = 0, threads_per_rank = 0, iterations = 0;
  std::string backend;
  std::string acceleration;
  double ms_median = 0, ms_min = 0;
  double ms_after_5 = 0;    ///< mean ms of iterations 6.. (the warm-up is iteration 1): bounds pay off late
  double ms_total = 0;      ///< all iterations, the warm-up included
  double floor_ms = 0;
  std::string floor_basis;  ///< the measured rates the floor comes from
  double inertia = 0;       ///< of the centroids after the last timed iteration
};

/// Collective: the data set up once (the run's device set-up), then each k in turn; the floor is
/// the slower of reading n·d·4 bytes and 2·n·k·d flops at measured rates (CPU) or the HBM read (CUDA).
std::vector<LloydTiming> lloyd_benchmark(const BenchParams& params, const Communicator& comm, const Logger& log);

}  // namespace kseg
