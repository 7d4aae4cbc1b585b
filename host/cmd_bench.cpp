#include <iostream>
#include <memory>

#include "host/cli_checks.hpp"
#include "host/cli_options.hpp"
#include "host/commands.hpp"
#include "io/json.hpp"
#include "pipeline/lloyd_benchmark.hpp"

namespace kseg {
namespace {

void print_timing(const LloydTiming& t, bool json) {
  if (json) {
    JsonObject out;
    out.add("customers", t.customers).add("features", t.features).add("k", t.k).add("ranks", t.ranks)
        .add("backend", t.backend).add("threads_per_rank", t.threads_per_rank).add("iterations", t.iterations)
        .add("acceleration", t.acceleration).add("ms_per_iteration_median", t.ms_median)
        .add("ms_per_iteration_min", t.ms_min).add("ms_per_iteration_after_5", t.ms_after_5).add("ms_total", t.ms_total).add("floor_ms", t.floor_ms)
        .add("floor_basis", t.floor_basis).add("inertia", t.inertia);
    std::cout << out.str() << std::endl;
    return;
  }
  std::cout << "k=" << t.k << ", " << t.acceleration << ": kseg Lloyd iteration " << t.ms_median << " ms (median of "
            << t.iterations << ", min " << t.ms_min << ", mean after iteration 5 " << t.ms_after_5 << "); floor "
            << t.floor_ms << " ms (" << t.floor_basis << "); ratio " << t.ms_median / t.floor_ms << "x\n";
}

struct BenchCommandOptions {
  BenchParams bench;
  bool json = false;
};

}  // namespace

Command add_bench_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<BenchCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Time Lloyd iterations (ms per iteration, slowest rank) and compare with this machine's floor "
      "(measured read bandwidth and FMA rate, or the GPU's HBM bandwidth). bench/lloyd_vs_sklearn.py adds "
      "scikit-learn on the same data.");
  cmd->add_option("--input", o->bench.input, "Features file to time on (default: generated in memory)");
  cmd->add_option("--init-centroids", o->bench.init_centroids, "HDF5 file with /centroids [k, d] to start from");
  cmd->add_option("--customers", o->bench.customers, "Customers when generating in memory")->capture_default_str()->check(at_least(1));
  cmd->add_option("--features", o->bench.features, "Features when generating in memory")->capture_default_str()->check(at_least(1));
  cmd->add_option("--k", o->bench.k, "Segments; several (16,64,256) time each in turn")
      ->delimiter(',')->capture_default_str()->check(at_least(1));
  cmd->add_option("--iters", o->bench.iterations, "Timed iterations")->capture_default_str()->check(at_least(1));
  cmd->add_option("--threads", o->bench.threads, "OpenMP threads per rank (0: default)")->capture_default_str();
  cmd->add_option("--seed", o->bench.seed, "Seed of the data and the initial centroids")->capture_default_str()->check(seed_range());
  cmd->add_option_function<std::string>(
         "--acceleration", [o](const std::string& name) { o->bench.acceleration = *acceleration_named(name); },
         "none: full passes (the floor applies); hamerly, yinyang: the bounded iterations of a fit "
         "(kseg run --acceleration), which skip most distances once few customers move (see the mean after "
         "iteration 5)")
      ->default_str("none")
      ->check(CLI::IsMember({"hamerly", "yinyang", "none"}));
  cmd->add_flag("--json", o->json, "One JSON line per k on stdout instead of text");
  add_device_options(*cmd, o->bench.device);
  cmd->footer("With --device cuda the defaults become the GPU benchmark: --customers 100000000 --features 32 "
                "--k 16,64,256, the floor the HBM read of the data.");
  return {cmd, [o, cmd, &comm] {
    if (o->bench.device.device == "cuda") {  // the GPU benchmark's sizes, unless given
      if (cmd->count("--customers") == 0) o->bench.customers = 100'000'000;
      if (cmd->count("--features") == 0) o->bench.features = 32;
      if (cmd->count("--k") == 0) o->bench.k = {16, 64, 256};
    }
    for (const LloydTiming& t : lloyd_benchmark(o->bench, comm, Logger(comm.is_root() && !o->json)))
      if (comm.is_root()) print_timing(t, o->json);
  }};
}

}  // namespace kseg
