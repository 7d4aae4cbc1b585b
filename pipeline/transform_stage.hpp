#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "common/logger.hpp"
#include "customers/attribute_profiles.hpp"
#include "customers/customer_value.hpp"
#include "customers/holdout_validation.hpp"
#include "customers/transforms.hpp"
#include "io/feature_file.hpp"
#include "io/result_file.hpp"
#include "pipeline/load_stage.hpp"

namespace kseg {

/// What goes into the model: which input columns, their transforms, and CLV's settings.
struct ModelInputOptions {
  FeatureStepOptions step;              ///< used when the input holds transactions
  std::vector<std::string> features;    ///< empty: all of a features file, the RFM set for transactions
  std::vector<std::string> transforms;  ///< NAME=steps overrides ("*" for every other feature)
  std::vector<double> winsor_quantiles = {0.01, 0.99};  ///< clipping quantiles of winsorize
  std::vector<std::string> weights;     ///< FEATURE=W: W multiplies the feature's share of the squared distance
  ClvOptions clv;                       ///< transactions input: CLV horizon and discount
};

/// The customers' model inputs on this rank: the model matrix, what CLV and the profiles need.
struct ModelInputs {
  FeatureShard shard;  ///< the model matrix: the model's features, transformed
  Scaler scaler;
  bool from_transactions = false;
  std::optional<CustomerValue> value;  ///< transactions input: BG/NBD + Gamma-Gamma CLV per customer
  std::vector<float> retained;  ///< 1: bought in both retention periods; empty without those features
  std::optional<AttributeColumns> attributes;  ///< the input's /customers table (this rank's rows), if any
  std::optional<HoldoutActuals> holdout;       ///< what customers did after the as-of date, if the log goes on
  HoldoutPredictions holdout_predicted;        ///< with a holdout and CLV: the model's predictions for it
  std::optional<TransactionLog> log;           ///< transactions input: the window and lines it had
  std::string model_choice;                    ///< how --clv-model auto chose the purchase model; empty: the user's
  std::vector<std::string> model_warnings;     ///< why the fitted purchase model should not be trusted

  /// The table as loaded, in original units; its matrix is empty when the model matrix is that
  /// table unchanged (then `shard` serves).
  FeatureShard original;
  /// What the profiles describe, in original units: the model's features, then the channel mix
  /// (channel_share_*) when the input has it and the model does not cluster on it.
  std::vector<std::string> profiled_names;
  std::vector<std::size_t> profiled_columns;  ///< their columns in profiled_table()

  const FeatureShard& profiled_table() const { return original.matrix.empty() ? shard : original; }
  /// One profiled column on this rank; empty when there is none of that name.
  std::vector<float> profiled_column(const std::string& name) const;
};

/// Collective: the transform stage of a fit. Selects the model's columns (default: all of a
/// features file, the RFM set for transactions), fits and applies their transforms (default:
/// none for a features file, RFM's for transactions), and values customers (CLV) from
/// transactions.
ModelInputs prepare_model_inputs(LoadedCustomers loaded, const ModelInputOptions& options, const Communicator& comm,
                                 const Logger& log);

/// The same customers' inputs for scoring with a saved model: its features put through its saved
/// transforms (nothing is fitted: no quantiles, no scaler, no CLV model), so that a customer the
/// model was fitted on gets bit for bit the values it had then. Collective: attribute features
/// are joined from /customers (unseen labels are logged as warnings).
ModelInputs inputs_for_model(LoadedCustomers loaded, const SavedModel& model, const Communicator& comm,
                             const Logger& log);

/// The fitted transforms in the result file's terms, and back.
SavedScaler saved_scaler(const Scaler& scaler);
Scaler scaler_of(const SavedScaler& saved);

}  // namespace kseg
