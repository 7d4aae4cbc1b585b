#include "pipeline/transform_stage.hpp"

#include <algorithm>
#include <cmath>

#include "common/errors.hpp"
#include "common/named_columns.hpp"
#include "common/number_text.hpp"
#include "common/stop_request.hpp"
#include "customers/attribute_features.hpp"
#include "customers/engagement_features.hpp"
#include "customers/rfm_defaults.hpp"
#include "io/customer_attributes.hpp"

namespace kseg {
namespace {

// The model matrix: `wanted` columns of the loaded table, or the table itself when they are all
// of its columns in order (no copy).
void select_model_columns(ModelInputs& inputs, const std::vector<std::string>& wanted) {
  FeatureShard& table = inputs.original;
  if (wanted == table.feature_names) {
    inputs.shard = std::move(table);
    table = FeatureShard{inputs.shard.path, inputs.shard.total_rows, inputs.shard.block, inputs.shard.d, {}, {},
                         inputs.shard.feature_names, inputs.shard.defaults};
    return;
  }
  std::vector<std::size_t> columns;
  for (const std::string& name : wanted) columns.push_back(require_column(table.feature_names, name, table.path));
  FeatureShard& model = inputs.shard;
  model = FeatureShard{table.path, table.total_rows, table.block, static_cast<int>(wanted.size()), table.customer_id,
                       std::vector<float>(static_cast<std::size_t>(table.block.count) * columns.size()), wanted,
                       table.defaults};
  for (int64_t i = 0; i < table.block.count; ++i)
    for (std::size_t c = 0; c < columns.size(); ++c) model.matrix[i * columns.size() + c] = table.matrix[i * table.d + columns[c]];
}

// The profiles' columns, in original units: the model's features and, as a marketer wants each
// segment's channel mix and engagement even when the model does not cluster on them, the channel
// shares and the engagement features (its KPIs).
void choose_profiled_columns(ModelInputs& inputs, const std::vector<std::string>& model_features) {
  const std::vector<std::string>& all = inputs.original.feature_names;
  inputs.profiled_names = model_features;
  for (const std::string& name : all)
    if ((name.rfind("channel_share_", 0) == 0 || find_column(engagement_feature_names(), name)) &&
        !find_column(model_features, name))
      inputs.profiled_names.push_back(name);
  const FeatureShard& table = inputs.profiled_table();
  for (const std::string& name : inputs.profiled_names)
    inputs.profiled_columns.push_back(require_column(table.feature_names, name, table.path));
}

// The model matrix is the loaded table unchanged only when no transform touches it; otherwise the
// profiles need the loaded table's original units.
void keep_original_if_transformed(ModelInputs& inputs, const std::vector<FeatureTransform>& steps) {
  const bool transformed =
      std::any_of(steps.begin(), steps.end(), [](const FeatureTransform& t) { return to_string(t) != "none"; });
  if (transformed && inputs.original.matrix.empty()) inputs.original.matrix = inputs.shard.matrix;
}

ModelInputs model_matrix(LoadedCustomers loaded, const std::vector<std::string>& wanted,
                         const std::vector<FeatureTransform>& steps) {
  ModelInputs inputs;
  inputs.from_transactions = loaded.from_transactions;
  inputs.original = std::move(loaded.table);
  select_model_columns(inputs, wanted);
  keep_original_if_transformed(inputs, steps);
  choose_profiled_columns(inputs, wanted);
  return inputs;
}

// How far a model's calibration-against-holdout table is off: Σ over calibration frequencies of
// |predicted − actual| holdout purchases.
double holdout_error(const CustomerValue& value, const std::vector<RepeatSummary>& customers,
                     const LoadedCustomers& loaded, const ClvOptions& clv, int64_t period_days,
                     const Communicator& comm) {
  const std::vector<int32_t> one_segment(customers.size(), 0);
  const HoldoutValidation v = validate_on_holdout(
      {loaded.table.customer_id.data(), one_segment.data(), value.churn_risk.data(), loaded.table.block.count, 1},
      predict_holdout(value, customers, loaded.holdout->window.days() / clv.unit_days), *loaded.holdout, period_days,
      comm);
  double error = 0;
  for (const ValidationGroup& g : v.by_frequency) error += std::fabs(g.predicted_purchases - g.actual_purchases);
  return error;
}

// --clv-model auto: every purchase model fitted; the best holdout fit wins where there is a
// holdout, else the highest likelihood (all have four parameters, so it is also the best BIC).
CustomerValue choose_model(const std::vector<RepeatSummary>& customers, const LoadedCustomers& loaded, const ClvOptions& clv,
                           int64_t period_days, const Communicator& comm, std::string& choice, const Logger& log) {
  std::optional<CustomerValue> best;
  double best_score = INFINITY;
  std::string scores;
  const CustomerValuation valuation(customers, clv, comm);
  for (PurchaseModelKind kind : kPurchaseModels) {
    CustomerValue value = valuation.value(kind);
    const double score = loaded.holdout ? holdout_error(value, customers, loaded, clv, period_days, comm)
                                        : -value.purchases.log_likelihood;
    scores += (scores.empty() ? "" : ", ") + to_string(kind) + " " + fixed_decimals(loaded.holdout ? score : -score, 1);
    if (score < best_score) best_score = score, best = std::move(value);
  }
  choice = std::string("auto: ") +
           (loaded.holdout ? "the smallest holdout error, Σ |predicted − actual| purchases by frequency: "
                           : "the highest log-likelihood (4 parameters each, so the best BIC): ") +
           scores;
  log.line("clv       model ", to_string(best->purchases.model.kind), " (", choice, ")");
  return std::move(*best);
}

// What valuing the customers gives: their CLV, the holdout's predictions, how auto chose the
// purchase model (empty: the user chose) and why the fit should not be trusted.
struct Valuation {
  CustomerValue value;
  HoldoutPredictions holdout;
  std::string model_choice;
  std::vector<std::string> warnings;
};

// A purchase model (the user's or auto's) and Gamma-Gamma on the customers' repeat-purchase
// summaries, in the unit and period of the defaults the features were made with, then CLV per
// customer and, with a holdout, the predictions for it.
Valuation value_customers(const LoadedCustomers& loaded, const ModelDefaults& defaults, const ModelInputOptions& o,
                          const Communicator& comm, const Logger& log) {
  const FeatureShard& table = loaded.table;
  ClvOptions clv = o.clv;
  clv.unit_days = days_per_time_unit(defaults.time_unit);
  clv.churn_period_days = static_cast<double>(defaults.period_days);
  const std::vector<RepeatSummary> customers =
      repeat_summaries(table.matrix.data(), table.block.count, table.feature_names, table.path);
  Valuation v;
  v.value = clv.model ? customer_value(customers, clv, comm)
                      : choose_model(customers, loaded, clv, defaults.period_days, comm, v.model_choice, log);
  v.warnings = v.value.warnings;
  if (v.value.purchases.evaluations > 0) {
    const std::vector<std::string> fit = fit_warnings(v.value.purchases);
    v.warnings.insert(v.warnings.end(), fit.begin(), fit.end());
  }
  if (loaded.holdout) v.holdout = predict_holdout(v.value, customers, loaded.holdout->window.days() / clv.unit_days);
  const GammaGamma& g = v.value.gamma_gamma.model;
  log.line("clv       ", describe(v.value.purchases), "; Gamma-Gamma p=", g.p, " q=", g.q, " v=", g.v, "; horizon ",
           clv.horizon_months, " months");
  return v;
}

AttributeColumns attribute_columns(CustomerAttributes table) {
  AttributeColumns columns;
  columns.rows = {table.path + ":" + kCustomers, static_cast<int>(table.columns.size()), std::move(table.customer_id), {}};
  columns.rows.values.resize(columns.rows.id.size() * table.columns.size());
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    columns.names.push_back(table.columns[c].name);
    columns.labels.push_back(table.columns[c].labels);
    for (std::size_t i = 0; i < columns.rows.id.size(); ++i)
      columns.rows.values[i * table.columns.size() + c] = table.columns[c].values[i];
  }
  return columns;
}

// RFM's for transactions, what `kseg features` recorded for its file, none for other features files.
std::optional<ModelDefaults> model_defaults(const LoadedCustomers& loaded, const FeatureStepOptions& step) {
  return loaded.from_transactions ? rfm_model_defaults(step) : loaded.table.defaults;
}

std::vector<std::string> model_features(const ModelInputOptions& o, const LoadedCustomers& loaded,
                                        const std::optional<ModelDefaults>& defaults) {
  if (!o.features.empty()) return o.features;
  return defaults ? defaults->features : loaded.table.feature_names;
}

TransformDefaults default_transforms(const std::optional<ModelDefaults>& defaults) {
  TransformDefaults out;
  for (std::size_t i = 0; defaults && i < defaults->features.size(); ++i)
    out.emplace_back(defaults->features[i], defaults->transforms[i]);
  return out;
}


// Each model feature's steps: the defaults and the user's --transform; attribute quantities are
// standardized by default (they come in their own units: years, score points); indicators are
// never transformed, their block is scaled as a whole (feature_divisors).
std::vector<FeatureTransform> model_transforms(const std::vector<std::string>& wanted, const ModelInputOptions& o,
                                               const std::optional<ModelDefaults>& defaults, const FeatureShard& table,
                                               const AttributeColumns* attributes) {
  TransformDefaults chosen = default_transforms(defaults);
  for (const std::string& name : wanted)
    if (attributes && !find_column(table.feature_names, name) && find_column(attributes->names, name))
      chosen.emplace_back(name, "standardize");
  std::vector<FeatureTransform> steps = transforms_for(wanted, o.transforms, chosen);
  for (std::size_t j = 0; j < wanted.size(); ++j)
    if (!indicator_block(wanted[j], attributes).empty()) steps[j] = FeatureTransform{};
  return steps;
}

}  // namespace

std::vector<float> ModelInputs::profiled_column(const std::string& name) const {
  std::vector<float> column;
  const std::optional<std::size_t> at = find_column(profiled_names, name);
  if (!at) return column;
  const FeatureShard& table = profiled_table();
  const std::size_t j = profiled_columns[*at];
  for (int64_t i = 0; i < table.block.count; ++i) column.push_back(table.matrix[i * table.d + j]);
  return column;
}

SavedScaler saved_scaler(const Scaler& s) {
  SavedScaler saved{{}, s.clip_low, s.clip_high, s.center, s.scale, s.fill};
  for (const FeatureTransform& t : s.steps) saved.steps.push_back(to_string(t));
  return saved;
}

Scaler scaler_of(const SavedScaler& saved) {
  Scaler s{{}, saved.fill, saved.clip_low, saved.clip_high, saved.center, saved.scale};
  for (const std::string& steps : saved.steps) s.steps.push_back(parse_feature_transform(steps));
  return s;
}

ModelInputs inputs_for_model(LoadedCustomers loaded, const SavedModel& model, const Communicator& comm,
                             const Logger& log) {
  const Scaler scaler = scaler_of(model.scaler);
  if (loaded.attributes) {
    const AttributeColumns attributes = attribute_columns(std::move(*loaded.attributes));
    for (const std::string& warning : add_attribute_features(loaded.table, attributes, model.feature_names, comm))
      log.line("warning   ", warning);
  }
  ModelInputs inputs = model_matrix(std::move(loaded), model.feature_names, scaler.steps);
  inputs.scaler = scaler;
  inputs.scaler.apply(inputs.shard.matrix.data(), inputs.shard.block.count);
  return inputs;
}

ModelInputs prepare_model_inputs(LoadedCustomers loaded, const ModelInputOptions& o, const Communicator& comm,
                                 const Logger& log) {
  const TransformParams params{o.winsor_quantiles[0], o.winsor_quantiles[1], {}};
  const std::optional<ModelDefaults> defaults = model_defaults(loaded, o.step);
  std::optional<AttributeColumns> attributes;
  if (loaded.attributes) attributes = attribute_columns(std::move(*loaded.attributes));
  const AttributeColumns* attribute_table = attributes ? &*attributes : nullptr;
  const std::vector<std::string> wanted =
      expand_attribute_features(model_features(o, loaded, defaults), loaded.table.feature_names, attribute_table);
  const std::vector<FeatureTransform> steps = model_transforms(wanted, o, defaults, loaded.table, attribute_table);
  if (attributes) add_attribute_features(loaded.table, *attributes, wanted, comm);
  std::optional<Valuation> valued;
  if (defaults) valued = value_customers(loaded, *defaults, o, comm, log);
  stop_if_requested(comm, "valuing the customers");
  std::vector<float> retained =
      retained_customers(loaded.table.matrix.data(), loaded.table.block.count, loaded.table.feature_names);
  std::optional<HoldoutActuals> holdout = std::move(loaded.holdout);
  const std::optional<TransactionLog> log_facts = loaded.log;
  ModelInputs inputs = model_matrix(std::move(loaded), wanted, steps);
  if (valued) {
    inputs.value = std::move(valued->value);
    inputs.holdout = std::move(holdout);
    inputs.holdout_predicted = std::move(valued->holdout);
    inputs.model_choice = std::move(valued->model_choice);
    inputs.model_warnings = std::move(valued->warnings);
  }
  inputs.log = log_facts;
  inputs.retained = std::move(retained);
  if (!(params.winsor_low < params.winsor_high)) refuse("--winsorize-quantiles: the lower must be below the upper");
  TransformParams fitted = params;
  fitted.divisors = feature_divisors(inputs.shard.matrix.data(), inputs.shard.block.count, inputs.shard.feature_names,
                                     attribute_table, o.weights, comm);
  inputs.attributes = std::move(attributes);
  inputs.scaler = fit_and_apply_transforms(inputs.shard.matrix.data(), inputs.shard.block.count, inputs.shard.d, steps,
                                           fitted, inputs.shard.customer_id.data(), comm, inputs.shard.feature_names);
  stop_if_requested(comm, "transforming the features");
  return inputs;
}

}  // namespace kseg
