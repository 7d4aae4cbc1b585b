#include <omp.h>

#include <iomanip>
#include <iostream>
#include <memory>

#include "cluster/data_summary.hpp"
#include "cluster/model_selection.hpp"
#include "common/errors.hpp"
#include "host/cli_checks.hpp"
#include "host/commands.hpp"
#include "host/job.hpp"
#include "host/k_sweep.hpp"
#include "io/report_files.hpp"

namespace kseg {
namespace {

struct SelectKOptions {
  RunOptions run;             ///< input, model inputs, device, k-means settings (its k unused)
  std::string k_range = "2..15";
  int sample = 2000;
};

void print_table(const std::vector<FitQuality>& sweep, int best) {
  std::cout << std::setw(4) << "k" << std::setw(16) << "inertia" << std::setw(20) << "calinski_harabasz"
            << std::setw(16) << "davies_bouldin" << std::setw(22) << "silhouette (±se)" << '\n';
  for (const FitQuality& q : sweep)
    std::cout << std::setw(4) << q.k << std::setw(16) << std::setprecision(6) << q.inertia << std::setw(20)
              << q.calinski_harabasz << std::setw(16) << q.davies_bouldin << std::setw(13) << std::setprecision(4)
              << q.silhouette << " ±" << std::setprecision(2) << q.silhouette_stderr << (q.k == best ? "  <- recommended" : "")
              << '\n';
  std::cout << "recommended k = " << best << ": " << kRecommendedKRule << ", silhouette on "
            << sweep.front().silhouette_sample << " sampled customers\n";
}

void run_select_k(SelectKOptions& o, const Communicator& comm) {
  const Logger log(comm.is_root() && !o.run.quiet);
  if (o.run.threads > 0) omp_set_num_threads(o.run.threads);
  o.run.kmeans.init = parse_init_method(o.run.init);
  const std::vector<int> ks = parse_k_range(o.k_range, "--k");
  const bool cuda = use_cuda(o.run.device, comm, log);
  o.run.model.step.use_cuda = cuda;
  const ModelInputs inputs = load_model_inputs(o.run.input, o.run.model, comm, log);  // loaded once for the sweep
  const ShardView view = inputs.shard.view();
  const DataSummary data = summarize(view, inputs.shard.customer_id.data(), comm);
  std::unique_ptr<Backend> backend = make_backend(cuda, o.run.device);
  backend->load_shard(view);
  const FitContext ctx{*backend, view, inputs.shard.customer_id.data(), data, comm};

  const KSweep result = sweep_k(ctx, o.run.kmeans, ks, o.sample, log);
  const std::vector<FitQuality>& sweep = result.sweep;
  const int best = result.recommended_k;
  if (!comm.is_root()) return;
  if (!o.run.json) return print_table(sweep, best);
  JsonObject out;
  out.add("input", o.run.input).add("recommended_k", best).add("rule", kRecommendedKRule).add("sweep", sweep_json(sweep));
  std::cout << out.str() << std::endl;
}

}  // namespace

Command add_select_k_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<SelectKOptions>();
  CLI::App* cmd = app.add_subcommand(
      "select-k",
      "Fit k-means for each k of a range on data loaded once, and report inertia, Calinski-Harabasz and "
      "Davies-Bouldin (exact, over all customers), the silhouette on a deterministic sample (with its standard "
      "error), and a recommended k. Example: kseg select-k --input features.h5 --k 2..15");
  cmd->add_option("--input", o->run.input, "Features or transactions file (as for kseg run)")->required();
  cmd->add_option("--k", o->k_range, "Range of k, LOW..HIGH")->capture_default_str();
  cmd->add_option("--sample", o->sample, "Customers in the silhouette sample")->capture_default_str()->check(at_least(2));
  add_model_input_options(*cmd, o->run.model);
  cmd->add_option("--seed", o->run.kmeans.seed, "Seed of the fits and of the silhouette sample")->capture_default_str();
  cmd->add_option("--n-init", o->run.kmeans.n_init, "Restarts per k")->capture_default_str()->check(at_least(1));
  cmd->add_option("--tol", o->run.kmeans.tol, "Convergence tolerance of each fit (as for kseg run)")
      ->capture_default_str()->check(at_least(0));
  cmd->add_option("--init", o->run.init, "Initialisation")->capture_default_str()
      ->check(CLI::IsMember({"k-means||", "k-means++", "random"}));
  add_device_options(*cmd, o->run.device);
  add_output_style_options(*cmd, o->run.quiet, o->run.json);
  return {cmd, [o, &comm] { run_select_k(*o, comm); }};
}

}  // namespace kseg
