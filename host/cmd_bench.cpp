#include <omp.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "bench/roofline.hpp"
#include "cluster/data_summary.hpp"
#include "cluster/kmeans.hpp"
#include "common/errors.hpp"
#include "host/cli_checks.hpp"
#include "host/commands.hpp"
#include "host/json.hpp"
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
  int k = 16;
  int iterations = 20;
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
  generate_rows(make_blob_model(o.k, o.features, o.seed, 4.0), shard.block.first, shard.block.count,
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

void run_bench(const BenchOptions& o, const Communicator& comm) {
  if (o.threads > 0) omp_set_num_threads(o.threads);
  const Logger log(comm.is_root() && !o.json);
  const FeatureShard shard = o.input.empty() ? in_memory_shard(o, comm) : read_feature_shard(o.input, comm);
  const ShardView view = shard.view();
  const DataSummary data = summarize(view, shard.customer_id.data(), comm);
  std::unique_ptr<Backend> backend = make_cpu_backend();
  backend->load_shard(view);
  const FitContext ctx{*backend, view, shard.customer_id.data(), data, comm};

  KMeansParams params;
  params.k = o.k;
  params.seed = o.seed;
  params.init = InitMethod::random;
  validate(params, data.total_points);
  std::vector<float> centroids =
      o.init_centroids.empty() ? initial_centroids(ctx, params, 0) : read_centroids(o.init_centroids, o.k, shard.d);

  log.line("bench     ", with_thousands(data.total_points), " x ", shard.d, ", k=", o.k, ", ", comm.size(),
           " rank(s) x ", omp_get_max_threads(), " thread(s), ", o.iterations, " iterations");
  std::vector<double> ms;
  LloydSums sums;
  for (int i = 0; i <= o.iterations; ++i) {  // iteration 0 warms caches and page tables
    comm.barrier();
    Stopwatch clock;
    sums = global_lloyd_sums(ctx, centroids, o.k);
    centroids = centroids_from_sums(sums, data.quantization, centroids);
    if (i > 0) ms.push_back(clock.milliseconds());
  }
  comm.max(ms.data(), ms.size());  // an iteration lasts as long as its slowest rank
  std::sort(ms.begin(), ms.end());
  const double median = ms[ms.size() / 2];

  const Roofline roof = measure_roofline();
  const double floor_ms = 1e3 * lloyd_floor_seconds(roof, static_cast<double>(data.total_points), shard.d, o.k);
  if (!comm.is_root()) return;
  JsonObject out;
  out.add("customers", data.total_points).add("features", shard.d).add("k", o.k).add("ranks", comm.size())
      .add("threads_per_rank", omp_get_max_threads()).add("iterations", o.iterations)
      .add("ms_per_iteration_median", median).add("ms_per_iteration_min", ms.front())
      .add("read_gb_per_s", roof.read_bytes_per_second / 1e9).add("gflop_per_s", roof.flops_per_second / 1e9)
      .add("floor_ms", floor_ms)
      .add("inertia", FixedPoint::to_double(sums.inertia, data.quantization.distance_scale));
  if (o.json) {
    std::cout << out.str() << std::endl;
    return;
  }
  std::cout << "kseg Lloyd iteration: " << median << " ms (median of " << o.iterations << ", min " << ms.front()
            << ")\nfloor: " << floor_ms << " ms (read " << roof.read_bytes_per_second / 1e9 << " GB/s, "
            << roof.flops_per_second / 1e9 << " GFLOP/s measured)\nratio to floor: " << median / floor_ms << "x\n";
}

}  // namespace

Command add_bench_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Time Lloyd iterations (ms per iteration, slowest rank) and compare with this machine's floor "
      "(measured read bandwidth and FMA rate). bench/lloyd_vs_sklearn.py adds scikit-learn on the same data.");
  cmd->add_option("--input", o->input, "Features file to time on (default: generated in memory)");
  cmd->add_option("--init-centroids", o->init_centroids, "HDF5 file with /centroids [k, d] to start from");
  cmd->add_option("--customers", o->customers, "Customers when generating in memory")->capture_default_str()->check(at_least(1));
  cmd->add_option("--features", o->features, "Features when generating in memory")->capture_default_str()->check(at_least(1));
  cmd->add_option("--k", o->k, "Segments")->capture_default_str()->check(at_least(1));
  cmd->add_option("--iters", o->iterations, "Timed iterations")->capture_default_str()->check(at_least(1));
  cmd->add_option("--threads", o->threads, "OpenMP threads per rank (0: default)")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the data and the initial centroids")->capture_default_str();
  cmd->add_flag("--json", o->json, "One JSON line on stdout instead of text");
  return {cmd, [o, &comm] { run_bench(*o, comm); }};
}

}  // namespace kseg
