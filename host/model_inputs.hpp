#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cluster/attribute_profiles.hpp"
#include "cluster/clv_models.hpp"
#include "cluster/transforms.hpp"
#include "common/communicator.hpp"
#include "host/features_job.hpp"
#include "host/logger.hpp"
#include "io/feature_file.hpp"
#include "io/result_file.hpp"

namespace kseg {

/// What goes into the model: which input columns, and their transforms.
struct ModelInputOptions {
  FeatureStepOptions step;               ///< used when the input holds transactions
  std::vector<std::string> features;     ///< --features; empty: the default set
  std::vector<std::string> transforms;   ///< --transform NAME=steps ("*" for every other feature)
  std::vector<double> winsor_quantiles = {0.01, 0.99};
  ClvOptions clv;                        ///< transactions input: CLV horizon and discount
};

void add_model_input_options(CLI::App& command, ModelInputOptions& options);

/// The customers' model inputs on this rank, transformed, with the fitted scaler.
struct ModelInputs {
  FeatureShard shard;  ///< columns selected and transformed
  Scaler scaler;
  bool from_transactions = false;
  std::optional<CustomerValue> value;  ///< transactions input: BG/NBD + Gamma-Gamma CLV per customer
  std::vector<float> retained;  ///< 1: bought in both retention periods; empty without those features
  std::optional<AttributeColumns> attributes;  ///< the input's /customers table (this rank's rows), if any

  /// What the profiles describe, in original units: the model's features, then the channel mix
  /// (channel_share_*) when the input has it and the model does not cluster on it.
  std::vector<std::string> profiled_names;
  std::vector<float> profiled;  ///< n × profiled_names.size(); empty when it would equal shard.matrix
  const float* profiled_rows() const { return profiled.empty() ? shard.matrix.data() : profiled.data(); }
  /// One profiled column on this rank; empty when there is none of that name.
  std::vector<float> profiled_column(const std::string& name) const;
};

/// Collective: reads a features file, or computes features when the file holds transactions;
/// selects the columns (default: all of a features file; for transactions the RFM set
/// recency_days, frequency, monetary, aov, tenure_days, return_rate) and fits and applies the
/// transforms (default: none for a features file; for transactions log1p on the skewed ones,
/// winsorizing of spend, frequency and returns, standardizing of all).
ModelInputs load_model_inputs(const std::string& path, const ModelInputOptions& options, const Communicator& comm,
                              const Logger& log);

/// The fitted transforms in the result file's terms, and back.
SavedScaler saved_scaler(const Scaler& scaler);
Scaler scaler_of(const SavedScaler& saved);

/// Collective: the same customers' inputs for scoring with a saved model: the model's features,
/// put through its saved transforms (nothing is fitted: no quantiles, no scaler, no CLV model), so
/// that a customer the model was fitted on gets bit for bit the values it had then.
ModelInputs load_inputs_for_model(const std::string& path, const SavedModel& model, const FeatureStepOptions& step,
                                  const Communicator& comm, const Logger& log);

}  // namespace kseg
