#include "pipeline/load_stage.hpp"

#include "common/stop_request.hpp"
#include "customers/attribute_features.hpp"
#include "io/input_file.hpp"
#include "io/transaction_file.hpp"

namespace kseg {
namespace {

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

}  // namespace

std::vector<std::string> add_attribute_features(FeatureShard& table, const AttributeColumns& attributes,
                                                const std::vector<std::string>& names, const Communicator& comm) {
  std::vector<std::string> warnings =
      append_attribute_features({table.customer_id, table.matrix, table.feature_names}, attributes, names, comm);
  table.d = static_cast<int>(table.feature_names.size());
  return warnings;
}

LoadedCustomers load_customers(const std::string& path, const FeatureStepOptions& step, bool with_attributes,
                               const Communicator& comm, const Logger& log, bool with_holdout) {
  const InputFile input(path, comm);
  LoadedCustomers loaded;
  loaded.from_transactions = input.has(kTransactions);
  if (loaded.from_transactions) {
    TransactionFeatures features = features_and_holdout(input, step, with_holdout, log, true);
    const CustomerFeatureTable& t = features.table;
    loaded.log = TransactionLog{t.first_day, t.last_day, t.as_of_day, t.lines_total, t.lines_after_as_of};
    loaded.table = shard_from_table(path, std::move(features.table));
    loaded.holdout = std::move(features.holdout);
    if (features.engagement)  // unknown (NaN) for customers without events
      add_attribute_features(loaded.table, *features.engagement, features.engagement->names, comm);
  } else {
    loaded.table = read_feature_shard(input);
    stop_if_requested(comm, "reading the features");
  }
  if (with_attributes && has_customer_attributes(input)) loaded.attributes = read_customer_attributes(input);
  return loaded;
}

}  // namespace kseg
