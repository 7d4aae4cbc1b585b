#include <iomanip>
#include <iostream>
#include <memory>

#include "host/cli_checks.hpp"
#include "host/cli_options.hpp"
#include "host/commands.hpp"
#include "io/report_files.hpp"
#include "pipeline/k_sweep.hpp"

namespace kseg {
namespace {

struct SelectKCommandOptions {
  SelectKParams select;
  std::string k_range = "2..15";
  std::string init = "k-means||";
  bool quiet = false, json = false;
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

void run_select_k(const SelectKCommandOptions& o, const Communicator& comm) {
  SelectKParams params = o.select;
  params.ks = parse_k_range(o.k_range, "--k");
  params.kmeans.init = parse_init(o.init);
  const KSweep result = select_k_job(params, comm, Logger(comm.is_root() && !o.quiet));
  if (!comm.is_root()) return;
  if (!o.json) return print_table(result.sweep, result.recommended_k);
  JsonObject out;
  out.add("input", params.input).add("recommended_k", result.recommended_k).add("rule", kRecommendedKRule)
      .add("sweep", sweep_json(result.sweep));
  std::cout << out.str() << std::endl;
}

}  // namespace

Command add_select_k_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<SelectKCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "select-k",
      "Fit k-means for each k of a range on data loaded once, and report inertia, Calinski-Harabasz and "
      "Davies-Bouldin (exact, over all customers), the silhouette on a deterministic sample (with its standard "
      "error), and a recommended k. Example: kseg select-k --input features.h5 --k 2..15");
  cmd->add_option("--input", o->select.input, "Features or transactions file (as for kseg run)")->required();
  cmd->add_option("--k", o->k_range, "Range of k, LOW..HIGH")->capture_default_str();
  cmd->add_option("--sample", o->select.sample, "Customers in the silhouette sample")->capture_default_str()->check(at_least(2));
  add_model_input_options(*cmd, o->select.model);
  cmd->add_option("--seed", o->select.kmeans.seed, "Seed of the fits and of the silhouette sample")->capture_default_str()->check(seed_range());
  cmd->add_option("--n-init", o->select.kmeans.n_init, "Restarts per k")->capture_default_str()->check(at_least(1));
  cmd->add_option("--tol", o->select.kmeans.tol, "Convergence tolerance of each fit (as for kseg run)")
      ->capture_default_str()->check(at_least(0));
  cmd->add_option("--init", o->init, "Initialisation")->capture_default_str()
      ->check(CLI::IsMember({"k-means||", "k-means++", "random"}));
  add_device_options(*cmd, o->select.device);
  add_output_style_options(*cmd, o->quiet, o->json);
  return {cmd, [o, &comm] { run_select_k(*o, comm); }};
}

}  // namespace kseg
