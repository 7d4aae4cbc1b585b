#include <omp.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>

#include "bench/roofline.hpp"
#include "cluster/data_summary.hpp"
#include "cluster/kmeans.hpp"
#include "common/errors.hpp"
#include "host/cli_checks.hpp"
#include "host/commands.hpp"
#include "host/device_setup.hpp"
#include "common/json.hpp"
#include "host/logger.hpp"
#include "io/feature_file.hpp"
#include "io/hdf5.hpp"
#include "io/synthetic_blobs.hpp"
#include "kernels/fixed_point.hpp"

namespace kseg {
namespace {

struct BenchOptions {
  std::string input;
  std::string init_centroids;
  int64_t customers = 1'000'000;
  int features = 16;
  std::vector<int> k = {16};
  int iterations = 20;
  DeviceOptions device;
  int threads = 0;
  uint64_t seed = 42;
  bool json = false;
};

FeatureShard in_memory_shard(const BenchOptions& o, const Communicator& comm) {
  FeatureShard shard;
  shard.total_rows = o.customers;
  shard.d = o.features;
  shard.block = row_block(o.customers, comm.size(), comm.rank());
  shard.customer_id.resize(shard.block.count);
  shard.matrix.resize(static_cast<std::size_t>(shard.block.count) * shard.d);
  std::vector<int32_t> truth(shard.block.count);
  generate_rows(make_blob_model(o.k.front(), o.features, o.seed, 4.0), shard.block.first, shard.block.count,
                shard.customer_id.data(), shard.matrix.data(), truth.data());
  return shard;
}

// `/centroids` [k, d] float32 from a small HDF5 file, read by every rank.
std::vector<float> read_centroids(const std::string& path, int k, int d) {
  h5::Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, path + ": cannot open");
  h5::Id dataset = h5::open_dataset(file, "/centroids", path);
  const std::vector<hsize_t> dims = h5::dataset_dims(dataset);
  if (dims.size() != 2 || dims[0] != static_cast<hsize_t>(k) || dims[1] != static_cast<hsize_t>(d))
    throw InputError(path + ":/centroids must be [" + std::to_string(k) + ", " + std::to_string(d) + "]",
                     ErrorScope::all_ranks);
  std::vector<float> centroids(static_cast<std::size_t>(k) * d);
  h5::check(H5Dread(dataset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, centroids.data()),
            path + ": cannot read /centroids");
  return centroids;
}

struct Floor {
  double ms = 0;
  std::string basis;
};

// CPU: the slower of reading n·d·4 bytes and doing 2·n·k·d flops at the measured rates. CUDA:
// the HBM floor, n·d·4 bytes at the measured device read bandwidth.
Floor lloyd_floor(bool cuda, double n, int d, int k, const Communicator& comm) {
  std::ostringstream basis;
  if (cuda) {
    const double bandwidth = comm.is_root() ? measure_device_read_bandwidth() : 0;
    basis << "device read " << bandwidth / 1e9 << " GB/s";
    return {1e3 * n * d * 4.0 / bandwidth, basis.str()};
  }
  const Roofline roof = measure_roofline();
  basis << "read " << roof.read_bytes_per_second / 1e9 << " GB/s, " << roof.flops_per_second / 1e9 << " GFLOP/s";
  return {1e3 * lloyd_floor_seconds(roof, n, d, k), basis.str()};
}

// Median and minimum ms of `iterations` Lloyd iterations (after one to warm up), slowest rank.
std::vector<double> time_lloyd(const FitContext& ctx, std::vector<float> centroids, int k, int iterations,
                               LloydSums& sums) {
  std::vector<double> ms;
  for (int i = 0; i <= iterations; ++i) {
    ctx.comm.barrier();
    Stopwatch clock;  // the backend returns after the device's sums reached the host
    sums = global_lloyd_sums(ctx, centroids, k);
    centroids = centroids_from_sums(sums, ctx.summary.quantization, centroids);
    if (i > 0) ms.push_back(clock.milliseconds());
  }
  ctx.comm.max(ms.data(), ms.size());
  std::sort(ms.begin(), ms.end());
  return ms;
}

void run_bench(const BenchOptions& o, const Communicator& comm) {
  if (o.threads > 0) omp_set_num_threads(o.threads);
  const Logger log(comm.is_root() && !o.json);
  if (!o.init_centroids.empty() && o.k.size() != 1)
    throw InputError("--init-centroids needs exactly one --k", ErrorScope::all_ranks);
  const bool cuda = use_cuda(o.device, comm, log);
  const FeatureShard shard = o.input.empty() ? in_memory_shard(o, comm) : read_feature_shard(o.input, comm);
  const ShardView view = shard.view();
  const DataSummary data = summarize(view, shard.customer_id.data(), comm);
  std::unique_ptr<Backend> backend = make_backend(cuda, o.device);
  backend->load_shard(view);
  const FitContext ctx{*backend, view, shard.customer_id.data(), data, comm};

  for (int k : o.k) {
    KMeansParams params;
    params.k = k;
    params.seed = o.seed;
    params.init = InitMethod::random;
    validate(params, data.total_points);
    const std::vector<float> start =
        o.init_centroids.empty() ? initial_centroids(ctx, params, 0) : read_centroids(o.init_centroids, k, shard.d);
    log.line("bench     ", with_thousands(data.total_points), " x ", shard.d, ", k=", k, ", ", comm.size(),
             " rank(s), ", backend->name(), cuda ? "" : " x " + std::to_string(omp_get_max_threads()) + " thread(s)",
             ", ", o.iterations, " iterations");
    LloydSums sums;
    const std::vector<double> ms = time_lloyd(ctx, start, k, o.iterations, sums);
    const double median = ms[ms.size() / 2];
    const Floor floor = lloyd_floor(cuda, static_cast<double>(data.total_points), shard.d, k, comm);
    if (!comm.is_root()) continue;
    JsonObject out;
    out.add("customers", data.total_points).add("features", shard.d).add("k", k).add("ranks", comm.size())
        .add("backend", backend->name()).add("threads_per_rank", omp_get_max_threads())
        .add("iterations", o.iterations).add("ms_per_iteration_median", median)
        .add("ms_per_iteration_min", ms.front()).add("floor_ms", floor.ms).add("floor_basis", floor.basis)
        .add("inertia", FixedPoint::to_double(sums.inertia, data.quantization.distance_scale));
    if (o.json) {
      std::cout << out.str() << std::endl;
      continue;
    }
    std::cout << "k=" << k << ": kseg Lloyd iteration " << median << " ms (median of " << o.iterations << ", min "
              << ms.front() << "); floor " << floor.ms << " ms (" << floor.basis << "); ratio " << median / floor.ms
              << "x\n";
  }
}

}  // namespace

Command add_bench_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Time Lloyd iterations (ms per iteration, slowest rank) and compare with this machine's floor "
      "(measured read bandwidth and FMA rate, or the GPU's HBM bandwidth). bench/lloyd_vs_sklearn.py adds "
      "scikit-learn on the same data.");
  cmd->add_option("--input", o->input, "Features file to time on (default: generated in memory)");
  cmd->add_option("--init-centroids", o->init_centroids, "HDF5 file with /centroids [k, d] to start from");
  cmd->add_option("--customers", o->customers, "Customers when generating in memory")->capture_default_str()->check(at_least(1));
  cmd->add_option("--features", o->features, "Features when generating in memory")->capture_default_str()->check(at_least(1));
  cmd->add_option("--k", o->k, "Segments; several (16,64,256) time each in turn")
      ->delimiter(',')->capture_default_str()->check(at_least(1));
  cmd->add_option("--iters", o->iterations, "Timed iterations")->capture_default_str()->check(at_least(1));
  cmd->add_option("--threads", o->threads, "OpenMP threads per rank (0: default)")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the data and the initial centroids")->capture_default_str();
  cmd->add_flag("--json", o->json, "One JSON line per k on stdout instead of text");
  add_device_options(*cmd, o->device);
  cmd->footer("With --device cuda the defaults become the GPU benchmark: --customers 100000000 --features 32 "
                "--k 16,64,256, the floor the HBM read of the data.");
  return {cmd, [o, cmd, &comm] {
    if (o->device.device == "cuda") {  // the GPU benchmark's sizes, unless given
      if (cmd->count("--customers") == 0) o->customers = 100'000'000;
      if (cmd->count("--features") == 0) o->features = 32;
      if (cmd->count("--k") == 0) o->k = {16, 64, 256};
    }
    run_bench(*o, comm);
  }};
}

}  // namespace kseg
