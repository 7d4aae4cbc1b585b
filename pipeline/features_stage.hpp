#pragma once

#include <string>

#include "common/communicator.hpp"
#include "common/logger.hpp"
#include <optional>

#include "customers/engagement_features.hpp"

#include "customers/customer_features.hpp"
#include "customers/holdout_validation.hpp"
#include "io/feature_file.hpp"
#include "io/transaction_file.hpp"

namespace kseg {

/// How transactions become features, shared by `kseg features`, `run`, `assign` and `select-k`.
struct FeatureStepOptions {
  std::string as_of;               ///< YYYY-MM-DD; lines on later days are left out
  std::string time_unit = "days";  ///< days | weeks, for the BG/NBD inputs
  int top_categories = 8;          ///< category shares for the C most bought categories, plus "other"
  int64_t period_days = 90;        ///< retention and churn period
  std::string holdout_end;         ///< YYYY-MM-DD: last day of the holdout; empty: the last transaction's day
  bool use_cuda = false;           ///< set once the device is chosen
};

/// Days in one unit of the BG/NBD inputs ("weeks": 7, "days": 1).
double days_per_time_unit(const std::string& time_unit);

/// How customers from transactions are modelled by default: the RFM features and transforms,
/// the step's time unit and retention period. `kseg features` records it in its file.
ModelDefaults rfm_model_defaults(const FeatureStepOptions& options);

/// Collective: the features stage. Each rank reads its row block of the input's transactions,
/// which become the per-customer feature table (progress logged from rank 0).
CustomerFeatureTable features_from_transactions(const InputFile& input, const FeatureStepOptions& options,
                                                const Logger& log);

/// The features, and what each customer did in the holdout after the as-of date (when the
/// transactions go on past it): the lines of the window get features of their own.
struct TransactionFeatures {
  CustomerFeatureTable table;
  std::optional<HoldoutActuals> holdout;
  std::optional<AttributeColumns> engagement;  ///< with_engagement and the file has /events: keyed by customer
};
TransactionFeatures features_and_holdout(const InputFile& input, const FeatureStepOptions& options, bool with_holdout,
                                         const Logger& log, bool with_engagement = false);

}  // namespace kseg
