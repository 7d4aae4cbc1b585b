#include "host/model_inputs.hpp"

#include <algorithm>
#include <map>

#include "common/errors.hpp"
#include "host/cli_checks.hpp"
#include "io/customer_attributes.hpp"
#include "io/transaction_file.hpp"

namespace kseg {
namespace {

[[noreturn]] void refuse(const std::string& message) { throw InputError(message, ErrorScope::all_ranks); }

// RFM-style segmentation: recency, frequency and monetary value are what marketers' segment
// names are defined on; AOV separates big-basket from frequent small buyers, tenure separates
// new from established customers, and the return rate flags unprofitable ones. Counts and
// money are heavy-tailed (a few customers buy 100× the median), so they are log-scaled and
// their extremes clipped, or those few customers would each get a segment of their own; every
// feature is standardized so that each weighs the same in the distance.
const std::vector<std::pair<std::string, std::string>>& rfm_defaults() {
  static const std::vector<std::pair<std::string, std::string>> defaults = {
      {"recency_days", "log1p+standardize"},
      {"frequency", "log1p+winsorize+standardize"},
      {"monetary", "log1p+winsorize+standardize"},
      {"aov", "log1p+winsorize+standardize"},
      {"tenure_days", "standardize"},
      {"return_rate", "winsorize+standardize"},
  };
  return defaults;
}

FeatureShard shard_from_table(const std::string& path, CustomerFeatureTable table) {
  FeatureShard shard;
  shard.path = path;
  shard.total_rows = table.total_customers;
  shard.block = {table.first_row, static_cast<int64_t>(table.customer_id.size())};
  shard.d = static_cast<int>(table.names.size());
  shard.customer_id = std::move(table.customer_id);
  shard.matrix = std::move(table.matrix);
  shard.feature_names = std::move(table.names);
  return shard;
}

std::size_t column_of(const FeatureShard& shard, const std::string& name) {
  const auto at = std::find(shard.feature_names.begin(), shard.feature_names.end(), name);
  if (at == shard.feature_names.end()) {
    std::string available;
    for (const std::string& n : shard.feature_names) available += (available.empty() ? "" : ", ") + n;
    refuse(shard.path + ": no feature '" + name + "' (available: " + available + ")");
  }
  return static_cast<std::size_t>(at - shard.feature_names.begin());
}

void select_columns(FeatureShard& shard, const std::vector<std::string>& wanted) {
  if (wanted == shard.feature_names) return;
  std::vector<std::size_t> columns;
  for (const std::string& name : wanted) columns.push_back(column_of(shard, name));
  std::vector<float> selected(static_cast<std::size_t>(shard.block.count) * columns.size());
  for (int64_t i = 0; i < shard.block.count; ++i)
    for (std::size_t c = 0; c < columns.size(); ++c)
      selected[i * columns.size() + c] = shard.matrix[i * shard.d + columns[c]];
  shard.matrix = std::move(selected);
  shard.feature_names = wanted;
  shard.d = static_cast<int>(wanted.size());
}

// NAME=steps flags over the defaults; "*" sets every feature not named.
std::vector<FeatureTransform> transforms_for(const std::vector<std::string>& names, const std::vector<std::string>& flags,
                                             bool from_transactions) {
  std::map<std::string, std::string> chosen;
  for (const std::string& flag : flags) {
    const std::size_t eq = flag.find('=');
    if (eq == std::string::npos) refuse("--transform '" + flag + "' must look like monetary=log1p+standardize");
    chosen[flag.substr(0, eq)] = flag.substr(eq + 1);
  }
  std::vector<FeatureTransform> steps;
  for (const std::string& name : names) {
    std::string spec = "none";
    for (const auto& [rfm_name, rfm_steps] : rfm_defaults())
      if (from_transactions && rfm_name == name) spec = rfm_steps;
    if (chosen.count("*")) spec = chosen.at("*");
    if (chosen.count(name)) spec = chosen.at(name);
    steps.push_back(parse_feature_transform(spec));
  }
  for (const auto& [name, spec] : chosen)
    if (name != "*" && std::find(names.begin(), names.end(), name) == names.end())
      refuse("--transform names '" + name + "', which is not among the model's features");
  return steps;
}

// BG/NBD and Gamma-Gamma on the customers' repeat-purchase summaries, then CLV per customer.
CustomerValue value_customers(const FeatureShard& shard, const ModelInputOptions& o, const Communicator& comm,
                              const Logger& log) {
  auto column = [&](const char* name) {
    return static_cast<std::size_t>(std::find(shard.feature_names.begin(), shard.feature_names.end(), name) -
                                    shard.feature_names.begin());
  };
  const std::size_t x = column("bgnbd_x"), t_x = column("bgnbd_t_x"), T = column("bgnbd_T"), zbar = column("bgnbd_zbar");
  std::vector<RepeatSummary> customers;
  for (int64_t i = 0; i < shard.block.count; ++i) {
    const float* row = &shard.matrix[i * shard.d];
    customers.push_back({row[x], row[t_x], row[T], row[zbar]});
  }
  ClvOptions clv = o.clv;
  clv.unit_days = o.step.time_unit == "weeks" ? 7.0 : 1.0;
  CustomerValue value = customer_value(customers, clv, comm);
  const BgNbd& b = value.bgnbd.model;
  const GammaGamma& g = value.gamma_gamma.model;
  log.line("clv       BG/NBD r=", b.r, " alpha=", b.alpha, " a=", b.a, " b=", b.b, " (LL ", value.bgnbd.log_likelihood,
           "); Gamma-Gamma p=", g.p, " q=", g.q, " v=", g.v, "; horizon ", clv.horizon_months, " months");
  return value;
}

// Retention needs both period flags; a features file without them has none.
std::vector<float> retained_customers(const FeatureShard& shard) {
  const auto& names = shard.feature_names;
  const auto current = std::find(names.begin(), names.end(), "bought_current_period");
  const auto previous = std::find(names.begin(), names.end(), "bought_previous_period");
  std::vector<float> retained;
  if (current == names.end() || previous == names.end()) return retained;
  const std::size_t c = current - names.begin(), p = previous - names.begin(), d = names.size();
  for (int64_t i = 0; i < shard.block.count; ++i)
    retained.push_back(shard.matrix[i * d + c] > 0 && shard.matrix[i * d + p] > 0 ? 1.0f : 0.0f);
  return retained;
}

// The profiles' columns in original units, taken before the transforms: the model's features and,
// as a marketer wants each segment's channel mix even when the model does not cluster on it, the
// channel shares. Stays empty (the shard's matrix serves) when that is the model's matrix as is.
void keep_profiled_columns(const FeatureShard& shard, const std::vector<std::string>& model_features,
                           bool transformed, ModelInputs& inputs) {
  inputs.profiled_names = model_features;
  for (const std::string& name : shard.feature_names)
    if (name.rfind("channel_share_", 0) == 0 &&
        std::find(model_features.begin(), model_features.end(), name) == model_features.end())
      inputs.profiled_names.push_back(name);
  if (!transformed && inputs.profiled_names == shard.feature_names) return;
  std::vector<std::size_t> columns;
  for (const std::string& name : inputs.profiled_names) columns.push_back(column_of(shard, name));
  inputs.profiled.reserve(static_cast<std::size_t>(shard.block.count) * columns.size());
  for (int64_t i = 0; i < shard.block.count; ++i)
    for (std::size_t j : columns) inputs.profiled.push_back(shard.matrix[i * shard.d + j]);
}

bool any_step(const std::vector<FeatureTransform>& steps) {
  return std::any_of(steps.begin(), steps.end(), [](const FeatureTransform& t) { return to_string(t) != "none"; });
}

AttributeColumns attribute_columns(const std::string& path, const Communicator& comm) {
  CustomerAttributes table = read_customer_attributes(path, comm);
  AttributeColumns columns;
  columns.rows = {path + ":" + kCustomers, static_cast<int>(table.columns.size()), std::move(table.customer_id), {}};
  columns.rows.values.resize(columns.rows.id.size() * table.columns.size());
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    columns.names.push_back(table.columns[c].name);
    columns.labels.push_back(table.columns[c].labels);
    for (std::size_t i = 0; i < columns.rows.id.size(); ++i)
      columns.rows.values[i * table.columns.size() + c] = table.columns[c].values[i];
  }
  return columns;
}

}  // namespace

void add_model_input_options(CLI::App& cmd, ModelInputOptions& o) {
  add_feature_step_options(cmd, o.step, /*as_of_required=*/false);
  cmd.add_option("--features", o.features,
                 "Comma-separated features to cluster on (default: all of a features file; for transactions "
                 "recency_days,frequency,monetary,aov,tenure_days,return_rate)")
      ->delimiter(',');
  cmd.add_option("--transform", o.transforms,
                 "NAME=steps, steps from log1p, winsorize, standardize joined by '+', or none; NAME '*' for "
                 "every feature not named (default: none for a features file, RFM defaults for transactions)");
  cmd.add_option("--clv-horizon-months", o.clv.horizon_months, "Transactions input: months of future purchases in CLV")
      ->capture_default_str()->check(at_least(0));
  cmd.add_option("--discount-rate", o.clv.monthly_discount, "Transactions input: monthly discount rate of CLV")
      ->capture_default_str()->check(at_least(0));
  cmd.add_option("--winsorize-quantiles", o.winsor_quantiles, "Lower and upper clipping quantiles")
      ->expected(2)->delimiter(',')->capture_default_str()->check(CLI::Range(0.0, 1.0));
}

std::vector<float> ModelInputs::profiled_column(const std::string& name) const {
  const auto at = std::find(profiled_names.begin(), profiled_names.end(), name);
  std::vector<float> column;
  if (at == profiled_names.end()) return column;
  const float* rows = profiled_rows();
  const std::size_t j = at - profiled_names.begin(), d = profiled_names.size();
  for (int64_t i = 0; i < shard.block.count; ++i) column.push_back(rows[i * d + j]);
  return column;
}

SavedScaler saved_scaler(const Scaler& s) {
  SavedScaler saved{{}, s.clip_low, s.clip_high, s.center, s.scale};
  for (const FeatureTransform& t : s.steps) saved.steps.push_back(to_string(t));
  return saved;
}

Scaler scaler_of(const SavedScaler& saved) {
  Scaler s{{}, saved.clip_low, saved.clip_high, saved.center, saved.scale};
  for (const std::string& steps : saved.steps) s.steps.push_back(parse_feature_transform(steps));
  return s;
}

ModelInputs load_inputs_for_model(const std::string& path, const SavedModel& model, const FeatureStepOptions& step,
                                  const Communicator& comm, const Logger& log) {
  ModelInputs inputs;
  inputs.from_transactions = has_transactions(path, comm);
  inputs.shard = inputs.from_transactions ? shard_from_table(path, features_from_transactions(path, step, comm, log))
                                          : read_feature_shard(path, comm);
  inputs.scaler = scaler_of(model.scaler);
  keep_profiled_columns(inputs.shard, model.feature_names, any_step(inputs.scaler.steps), inputs);
  select_columns(inputs.shard, model.feature_names);
  inputs.scaler.apply(inputs.shard.matrix.data(), inputs.shard.block.count);
  return inputs;
}

ModelInputs load_model_inputs(const std::string& path, const ModelInputOptions& o, const Communicator& comm,
                              const Logger& log) {
  ModelInputs inputs;
  inputs.from_transactions = has_transactions(path, comm);
  inputs.shard = inputs.from_transactions ? shard_from_table(path, features_from_transactions(path, o.step, comm, log))
                                          : read_feature_shard(path, comm);
  if (inputs.from_transactions) inputs.value = value_customers(inputs.shard, o, comm, log);
  inputs.retained = retained_customers(inputs.shard);
  if (has_customer_attributes(path, comm)) inputs.attributes = attribute_columns(path, comm);
  std::vector<std::string> wanted = o.features;
  if (wanted.empty() && inputs.from_transactions)
    for (const auto& [name, steps] : rfm_defaults()) wanted.push_back(name);
  if (wanted.empty()) wanted = inputs.shard.feature_names;
  const std::vector<FeatureTransform> steps = transforms_for(wanted, o.transforms, inputs.from_transactions);
  keep_profiled_columns(inputs.shard, wanted, any_step(steps), inputs);
  select_columns(inputs.shard, wanted);

  const TransformParams params{o.winsor_quantiles[0], o.winsor_quantiles[1]};
  if (!(params.winsor_low < params.winsor_high)) refuse("--winsorize-quantiles: the lower must be below the upper");
  inputs.scaler = fit_and_apply_transforms(inputs.shard.matrix.data(), inputs.shard.block.count, inputs.shard.d, steps,
                                           params, inputs.shard.customer_id.data(), comm);
  return inputs;
}

}  // namespace kseg
