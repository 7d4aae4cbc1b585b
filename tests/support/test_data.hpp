#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "cluster/data_summary.hpp"
#include "cluster/fit_context.hpp"
#include "cluster/init.hpp"
#include "common/communicator.hpp"
#include "kernels/backend.hpp"

namespace kseg::testing {

inline std::vector<float> random_matrix(int64_t n, int d, uint32_t seed, float spread = 10.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> value(-spread, spread);
  std::vector<float> x(static_cast<std::size_t>(n) * d);
  for (float& v : x) v = value(rng);
  return x;
}

/// random_matrix with every third value scaled by 1e-9 (off its column's grid) and the middle
/// value set to `outlier`.
inline std::vector<float> off_grid_matrix(int64_t n, int d, uint32_t seed, float outlier) {
  std::vector<float> x = random_matrix(n, d, seed);
  for (std::size_t i = 0; i < x.size(); i += 3) x[i] *= 1e-9f;
  x[x.size() / 2] = outlier;
  return x;
}

inline std::vector<int64_t> sequential_ids(int64_t n, int64_t first = 1000) {
  std::vector<int64_t> ids(n);
  std::iota(ids.begin(), ids.end(), first);
  return ids;
}

/// A point of the size tables of parameterised kernel tests.
struct Size {
  int64_t n;
  int d;
  int k;
};

inline std::string size_name(const ::testing::TestParamInfo<Size>& info) {
  return "n" + std::to_string(info.param.n) + "_d" + std::to_string(info.param.d) + "_k" + std::to_string(info.param.k);
}

/// Data and ids of one rank on the CPU backend, set up as a job sets up its shard (ShardOnDevice).
struct LocalFit {
  std::vector<float> x;
  std::vector<int64_t> ids;
  ShardView view;
  Communicator comm;
  ShardOnDevice device;
  const DataSummary& summary;
  Backend* backend;

  LocalFit(std::vector<float> x_, std::vector<int64_t> ids_, int d, MPI_Comm mpi = MPI_COMM_SELF,
           std::unique_ptr<Backend> on = make_cpu_backend())
      : x(std::move(x_)),
        ids(std::move(ids_)),
        view{x.data(), static_cast<int64_t>(ids.size()), d},
        comm(mpi),
        device(view, ids.data(), std::move(on), comm),
        summary(device.summary()),
        backend(&device.context().backend) {}
  FitContext context() const { return device.context(); }
};

}  // namespace kseg::testing
