#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "pipeline/run_job.hpp"

namespace kseg {

/// `kseg run`'s command line: the pipeline's RunParams plus what only the command line has.
struct RunCommandOptions {
  RunParams run;
  std::string init = "k-means||";  ///< --init, parsed into run.kmeans.init
  std::string select_k;            ///< --select-k LOW..HIGH, parsed into run.select_k
  std::string config_file;         ///< --config: TOML defaults for any option
  std::string clv_model = "bgnbd";  ///< --clv-model, parsed into run.model.clv.model (auto: none)
  std::string segments_from = "kmeans";  ///< --segments-from, parsed into run.segments_from
  bool quiet = false;
  bool json = false;
};

/// The run's parameters with --init and --select-k parsed (InputError naming the option).
RunParams run_params(const RunCommandOptions& options);

/// The most values of k one sweep fits.
inline constexpr int kMaxSweptKs = 64;

/// "2..15" → {2, 3, …, 15}; InputError naming `option` otherwise, or for more than kMaxSweptKs values.
std::vector<int> parse_k_range(const std::string& text, const std::string& option);
/// "12m" → 12, "39w" → 39·7/30.4375, "365d" → 365/30.4375 months; InputError otherwise.
double parse_horizon_months(const std::string& text);
/// --init's value as a method; InputError naming the accepted ones otherwise.
InitMethod parse_init(const std::string& text);

// The command-line spellings of the pipeline's options, for every subcommand that takes them.
/// --k, --seed, --n-init, --max-iter, --tol, --init, the device options and --threads.
void add_kmeans_options(CLI::App& command, RunCommandOptions& options);
/// --quiet and --json.
void add_output_style_options(CLI::App& command, bool& quiet, bool& json);
/// --device and --chunk-points.
void add_device_options(CLI::App& command, DeviceOptions& options);
/// --as-of, --time-unit, --top-categories, --period-days.
void add_feature_step_options(CLI::App& command, FeatureStepOptions& options, bool as_of_required);
/// The step's options, --features, --transform, --clv-horizon-months, --discount-rate, --winsorize-quantiles.
void add_model_input_options(CLI::App& command, ModelInputOptions& options);
/// --checkpoint, --checkpoint-every, --resume.
void add_checkpoint_options(CLI::App& command, CheckpointOptions& options);
/// --previous, --warm-start, --match-threshold and the drift warnings.
void add_previous_options(CLI::App& command, PreviousOptions& options);

}  // namespace kseg
