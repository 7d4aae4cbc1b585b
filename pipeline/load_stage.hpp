#pragma once

#include <optional>
#include <string>

#include "common/communicator.hpp"
#include "common/logger.hpp"
#include "customers/attribute_profiles.hpp"
#include "io/customer_attributes.hpp"
#include "io/feature_file.hpp"
#include "pipeline/features_stage.hpp"

namespace kseg {

/// What the transactions log covered, for the report's header.
struct TransactionLog {
  int64_t first_day = 0, last_day = 0, as_of_day = 0;  ///< days since 1970-01-01
  int64_t lines = 0, lines_after_as_of = 0;
};

/// What a job reads from its input file, in one trip: every customer's features in original
/// units (read from a features file, or computed from its transactions) and the optional
/// /customers table.
struct LoadedCustomers {
  FeatureShard table;  ///< this rank's customers, every feature column
  bool from_transactions = false;
  std::optional<CustomerAttributes> attributes;  ///< when asked for and the file has /customers
  std::optional<HoldoutActuals> holdout;         ///< transactions past the as-of date: what customers did next
  std::optional<TransactionLog> log;             ///< transactions input: the window and lines it had
};

/// Collective: appends to the loaded table the columns among `names` that `attributes` holds,
/// joined by customer id (customers/attribute_features.hpp); returns its warnings.
std::vector<std::string> add_attribute_features(FeatureShard& table, const AttributeColumns& attributes,
                                                const std::vector<std::string>& names, const Communicator& comm);

/// Collective: the load stage (with the features stage for transactions). The file is opened
/// once, and its matrix read once. `with_holdout`: also what customers did after the as-of date.
LoadedCustomers load_customers(const std::string& path, const FeatureStepOptions& step, bool with_attributes,
                               const Communicator& comm, const Logger& log, bool with_holdout = false);

}  // namespace kseg
