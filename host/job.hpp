#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cluster/kmeans.hpp"
#include "cluster/segment_profiles.hpp"
#include "common/communicator.hpp"
#include "common/json.hpp"
#include "host/checkpointing.hpp"
#include "host/device_setup.hpp"
#include "host/logger.hpp"
#include "host/model_inputs.hpp"
#include "host/previous_quarter.hpp"

namespace kseg {

/// Options of the clustering job, shared by `kseg run` and `kseg demo`.
struct RunOptions {
  std::string input;
  std::string output;
  bool force = false;
  ModelInputOptions model;
  DeviceOptions device;
  CheckpointOptions checkpoint;
  KMeansParams kmeans;
  std::string init = "k-means||";
  int threads = 0;  ///< OpenMP threads per rank; 0 = the OpenMP default
  bool quiet = false;
  bool json = false;
  bool k_given = false;  ///< --k was set (command line or config); else --previous or --select-k may choose it
  PreviousOptions previous;
  std::string select_k;        ///< --select-k LOW..HIGH: sweep k first; the report shows the curves
  int select_k_sample = 2000;  ///< silhouette sample of that sweep
  std::vector<std::string> segment_names;  ///< --segment-name I=NAME overrides
  std::string config_file;       ///< --config: TOML defaults for any option
  std::string effective_config;  ///< TOML text of every option's value, stored in the result
};

/// The algorithm options (--k, --seed, --n-init, --max-iter, --tol, --init, --threads).
void add_kmeans_options(CLI::App& command, RunOptions& options);
/// --quiet and --json.
void add_output_style_options(CLI::App& command, bool& quiet, bool& json);

/// What a finished job reports.
struct JobSummary {
  std::string input, output, backend;
  int ranks = 1;
  int64_t customers = 0;
  int d = 0;
  std::vector<std::string> feature_names;
  KMeansResult fit;
  std::vector<SegmentProfile> profiles;  ///< per segment (row order of the model), as in the reports
  double read_seconds = 0, summarize_seconds = 0, write_seconds = 0, total_seconds = 0;
};

/// RESULT.h5 → RESULT: the reports are RESULT.report.json, RESULT.csv and RESULT.report.html.
std::string result_stem(const std::string& output);

/// Collective: read → summarize → k-means → assign → write (atomically). Throws kseg errors.
JobSummary run_job(const RunOptions& options, const Communicator& comm, const Logger& log);

JsonObject to_json(const JobSummary& summary);

}  // namespace kseg
