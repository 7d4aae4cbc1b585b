#pragma once

#include <string>
#include <vector>

#include "cluster/lloyd.hpp"
#include "common/communicator.hpp"
#include "common/logger.hpp"
#include "customers/segment_profiles.hpp"
#include "io/json.hpp"
#include "pipeline/checkpointing.hpp"
#include "pipeline/device_choice.hpp"
#include "pipeline/previous_quarter.hpp"
#include "pipeline/transform_stage.hpp"

namespace kseg {

/// Where a run's segments come from: k-means, or each customer's RFM class.
enum class SegmentSource { kmeans, rfm };
std::string to_string(SegmentSource source);

/// Everything `kseg run` (and `kseg demo`) does, in the pipeline's terms.
struct RunParams {
  std::string input;
  std::string output;
  bool force = false;  ///< replace an existing output
  ModelInputOptions model;
  DeviceOptions device;
  CheckpointOptions checkpoint;
  KMeansParams kmeans;
  SegmentSource segments_from = SegmentSource::kmeans;
  int threads = 0;       ///< OpenMP threads per rank; 0 = the OpenMP default
  bool k_given = false;  ///< kmeans.k was the user's; else last quarter's k or the sweep's choice is used
  PreviousOptions previous;
  std::vector<int> select_k;   ///< ks to sweep first (the report shows the curves); empty: no sweep
  int select_k_sample = 2000;  ///< silhouette sample of that sweep
  int stability_resamples = 0;  ///< --stability B: refits on resampled customers; 0: none
  std::vector<std::string> segment_names;  ///< I=NAME overrides
  std::string currency;                    ///< shown on money in the reports (e.g. EUR); empty: none
  std::string effective_config;            ///< TOML text of every option's value, stored in the result
};

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

/// Collective, the whole job: load → features → transform → fit → assign → describe → write
/// (atomically). Throws kseg errors.
JobSummary run_job(const RunParams& params, const Communicator& comm, const Logger& log);

JsonObject to_json(const JobSummary& summary);

}  // namespace kseg
