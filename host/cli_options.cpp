#include "host/cli_options.hpp"

#include "common/errors.hpp"
#include "host/cli_checks.hpp"

namespace kseg {

std::vector<int> parse_k_range(const std::string& text, const std::string& option) {
  const std::size_t dots = text.find("..");
  int low = 0, high = -1;
  try {
    if (dots != std::string::npos) low = std::stoi(text.substr(0, dots)), high = std::stoi(text.substr(dots + 2));
  } catch (const std::exception&) {
  }
  if (low < 1 || low > high) refuse(option + " '" + text + "' must look like 2..15");
  if (high - low >= kMaxSweptKs)
    refuse(option + " '" + text + "' sweeps " + std::to_string(high - low + 1) + " values of k; at most " +
           std::to_string(kMaxSweptKs) + " (each is a whole fit)");
  std::vector<int> ks;
  for (int k = low; k <= high; ++k) ks.push_back(k);
  return ks;
}

InitMethod parse_init(const std::string& text) {
  if (const std::optional<InitMethod> method = init_method_named(text)) return *method;
  refuse("--init '" + text + "' is not one of k-means||, k-means++, random");
}

double parse_horizon_months(const std::string& text) {
  constexpr double kDaysPerMonth = 30.4375;
  std::size_t used = 0;
  double value = -1;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
  }
  const std::string unit = used < text.size() ? text.substr(used) : "";
  if (value >= 0 && unit == "m") return value;
  if (value >= 0 && unit == "w") return value * 7 / kDaysPerMonth;
  if (value >= 0 && unit == "d") return value / kDaysPerMonth;
  refuse("--clv-horizon '" + text + "' must be a number and a unit: 12m (months), 39w (weeks) or 365d (days)");
}

RunParams run_params(const RunCommandOptions& o) {
  RunParams params = o.run;
  params.kmeans.init = parse_init(o.init);
  if (!o.select_k.empty()) params.select_k = parse_k_range(o.select_k, "--select-k");
  params.model.clv.model = o.clv_model == "auto" ? std::nullopt : purchase_model_named(o.clv_model);
  params.segments_from = o.segments_from == "rfm" ? SegmentSource::rfm : SegmentSource::kmeans;
  return params;
}

void add_previous_options(CLI::App& cmd, PreviousOptions& o) {
  cmd.add_option("--previous", o.path,
                 "Last quarter's result: segments are matched to its segments (Hungarian algorithm on centroid "
                 "distance) so ids and names carry over; adds the migration matrix and drift to the result and "
                 "report. --k defaults to its k")
      ->check(CLI::ExistingFile);
  cmd.add_flag("--warm-start", o.warm_start, "With --previous: restart 1 starts Lloyd from last quarter's centroids instead of an initialisation");
  cmd.add_option("--match-threshold", o.comparison.match_threshold,
                 "With --previous: a segment whose best match lies further (model units: standard deviations) is "
                 "a new segment")
      ->capture_default_str()->check(at_least(0));
  cmd.add_option("--drift-psi-warning", o.comparison.psi_warning, "Warn when the PSI of segment shares exceeds this")
      ->capture_default_str()->check(at_least(0));
  cmd.add_option("--drift-changed-warning", o.comparison.changed_share_warning,
                 "Warn when more than this share of returning customers changed segment")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  cmd.add_option("--drift-shift-warning", o.comparison.shift_warning,
                 "Warn when a matched centroid moved further than this (model units)")
      ->capture_default_str()->check(at_least(0));
}


void add_checkpoint_options(CLI::App& cmd, CheckpointOptions& o) {
  cmd.add_option("--checkpoint", o.path, "Checkpoint file (default: <out>.ckpt), written atomically");
  cmd.add_option("--checkpoint-every", o.every, "Also checkpoint every N Lloyd iterations (0: only on SIGUSR1/SIGTERM)")
      ->capture_default_str()->check(at_least(0));
  cmd.add_option("--resume", o.resume,
                 "Continue the run that wrote this checkpoint; the result is bit-identical to an uninterrupted run");
}


void add_kmeans_options(CLI::App& cmd, RunCommandOptions& c) {
  RunParams& o = c.run;
  cmd.add_option("--k", o.kmeans.k, "Number of segments")->capture_default_str()->check(at_least(1));
  cmd.add_option("--seed", o.kmeans.seed, "Seed of every random choice (same seed, same result)")->capture_default_str()->check(seed_range());
  cmd.add_option("--n-init", o.kmeans.n_init, "Restarts; the lowest inertia wins")->capture_default_str()->check(at_least(1));
  cmd.add_option("--init-trials", o.kmeans.init_trials,
                 "Initialisations tried per restart, each run by Lloyd to convergence on at most --init-sample "
                 "customers; the lowest inertia there starts Lloyd on all customers: avoids the poorer local "
                 "minima one start lands in on data without clear clusters; up to 128 segments; 1 = one "
                 "initialisation")
      ->capture_default_str()
      ->check(at_least(1));
  cmd.add_option("--init-sample", o.kmeans.init_sample,
                 "Run the initialisation trials on all customers where there are at most this many, on about "
                 "this many (drawn by customer id, the same for any rank count) where there are at least 4 times "
                 "as many, and not at all between (one initialisation); 0 = always all customers")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--swap-patience", o.kmeans.swap_patience,
                 "After the restarts, swap centroids (the one cheapest to lose moves into the most spread-out "
                 "or the heaviest-tailed segment, one Lloyd step, kept if the inertia falls) until this many swaps "
                 "in a row fail: finds clusters Lloyd leaves merged; each swap costs 2 passes; 0 = plain Lloyd")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--swap-sample", o.kmeans.swap_sample,
                 "Try the swaps on about this many customers (drawn by customer id, the same for any rank count) "
                 "where there are more than twice as many, then Lloyd on all: each swap then costs 2 passes over "
                 "the sample; 0 = always all customers")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd.add_option_function<std::string>(
         "--acceleration", [&o](const std::string& name) { o.kmeans.acceleration = *acceleration_named(name); },
         "How Lloyd iterations skip the distances that bounds prove unneeded; the result is bit-identical "
         "either way. hamerly: one bound for all other segments (10 bytes of memory per customer on the CPU); yinyang: and one "
         "per group of 8 segments for the customers that bound leaves open (1 + K/8 words more; slower than hamerly "
         "on the CPUs measured, see the README); none: every distance every iteration")
      ->default_str(to_string(o.kmeans.acceleration))
      ->check(CLI::IsMember({"hamerly", "yinyang", "none"}));
  cmd.add_option("--max-iter", o.kmeans.max_iter, "Lloyd iterations per restart, at most")->capture_default_str()->check(at_least(1));
  cmd.add_option("--tol", o.kmeans.tol,
                 "Stop when the largest squared centroid move is below tol x the mean feature variance")
      ->capture_default_str()->check(at_least(0));
  cmd.add_option("--init", c.init, "Initialisation: k-means|| (scalable), k-means++ or random")
      ->capture_default_str()->check(CLI::IsMember({"k-means||", "k-means++", "random"}));
  add_device_options(cmd, o.device);
  cmd.add_option("--threads", o.threads, "OpenMP threads per rank (0: OpenMP's default, at most the node's cores shared among its ranks)")->capture_default_str()->check(at_least(0));
}


void add_output_style_options(CLI::App& cmd, bool& quiet, bool& json) {
  cmd.add_flag("--quiet,-q", quiet, "No progress lines on stderr");
  cmd.add_flag("--json", json, "Print a machine-readable summary on stdout when done");
}

void add_model_input_options(CLI::App& cmd, ModelInputOptions& o) {
  add_feature_step_options(cmd, o.step, /*as_of_required=*/false);
  cmd.add_option("--features", o.features,
                 "Comma-separated features to cluster on (default: all of a features file; for transactions "
                 "recency_days,frequency,monetary,aov,tenure_days,return_rate); may name /customers columns: a "
                 "quantity (e.g. age; standardized, unknown = mean) or a categorical column (e.g. region: one "
                 "indicator per label, the block scaled to weigh like one standardized feature)")
      ->delimiter(',');
  cmd.add_option("--weight", o.weights,
                 "FEATURE=W: multiply the feature's part of the squared distance by W (a categorical column: its "
                 "whole block), e.g. --weight monetary=2 --weight region=0.5; default 1")
      ->delimiter(',');
  cmd.add_option("--transform", o.transforms,
                 "NAME=steps, steps from log1p, winsorize, standardize joined by '+', or none; NAME '*' for "
                 "every feature not named (default: none for a features file, RFM defaults for transactions)");
  cmd.add_option("--clv-horizon-months", o.clv.horizon_months, "Transactions input: months of future purchases in CLV")
      ->capture_default_str()->check(at_least(0));
  cmd.add_option_function<std::string>(
      "--clv-horizon", [&o](const std::string& text) { o.clv.horizon_months = parse_horizon_months(text); },
      "Transactions input: the CLV horizon with its unit, e.g. 12m, 39w or 365d (a month is 30.4375 days)");
  cmd.add_option("--discount-rate", o.clv.monthly_discount, "Transactions input: monthly discount rate of CLV")
      ->capture_default_str()->check(at_least(0));
  cmd.add_option("--winsorize-quantiles", o.winsor_quantiles, "Lower and upper clipping quantiles")
      ->expected(2)->delimiter(',')->capture_default_str()->check(CLI::Range(0.0, 1.0));
}
void add_feature_step_options(CLI::App& cmd, FeatureStepOptions& o, bool as_of_required) {
  CLI::Option* as_of = cmd.add_option("--as-of", o.as_of,
                                      "Date the features are measured at (YYYY-MM-DD); later transactions are "
                                      "left out and counted (a CLV holdout)");
  if (as_of_required) as_of->required();
  cmd.add_option("--time-unit", o.time_unit, "Unit of the BG/NBD inputs x, t_x, T, zbar's periods")
      ->capture_default_str()->check(CLI::IsMember({"days", "weeks"}));
  cmd.add_option("--top-categories", o.top_categories,
                 "Category shares for the C most bought categories (plus 'other')")
      ->capture_default_str()->check(at_least(0));
  cmd.add_option("--holdout-end", o.holdout_end,
                 "Last day (YYYY-MM-DD) of the holdout: transactions after --as-of up to it are what customers did "
                 "next, and every prediction is checked against them (default: the last transaction's day)");
  cmd.add_option("--period-days", o.period_days,
                 "Retention and churn period: bought_current_period is a purchase in the last P days up to --as-of, "
                 "bought_previous_period one in the P days before; retention = share with both; churn risk = "
                 "P(no purchase in the P days after --as-of)")
      ->capture_default_str()->check(at_least(1));
}
void add_device_options(CLI::App& cmd, DeviceOptions& o) {
  cmd.add_option("--device", o.device,
                 "Where k-means and the feature kernels run: auto (a GPU per rank when every rank has one, "
                 "else the CPU), cpu, or cuda (fail without a GPU)")
      ->capture_default_str()->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  cmd.add_option("--chunk-points", o.chunk_points,
                 "CUDA: stream the shard through the GPU in chunks of this many customers (0: keep it resident "
                 "when it fits in 80% of free device memory)")
      ->capture_default_str()->check(at_least(0));
}

}  // namespace kseg
