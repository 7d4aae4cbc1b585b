#pragma once

#include <cstdint>
#include <vector>

#include "common/communicator.hpp"
#include "customers/customer_value.hpp"
#include "customers/customer_features.hpp"
#include "customers/customer_join.hpp"

namespace kseg {

/// The days after the as-of date that calibration did not see: (as_of_day, end_day].
struct HoldoutWindow {
  int64_t as_of_day = 0;
  int64_t end_day = 0;
  int64_t days() const { return end_day - as_of_day; }
};

/// What each customer with a line in the holdout window did there: payload purchase days,
/// net spend, and the first purchase day (−1: returns only).
struct HoldoutActuals {
  HoldoutWindow window;
  KeyedRows rows;  ///< width 3, this rank's customers of the holdout feature table
};

/// The holdout feature table (features of the window's lines, measured at its end) as actuals.
HoldoutActuals holdout_actuals(const CustomerFeatureTable& window_features, const HoldoutWindow& window,
                               const std::string& source);

/// The model's predictions for this rank's calibration customers over the holdout's length.
struct HoldoutPredictions {
  std::vector<double> repeat_purchases;     ///< calibration x
  std::vector<double> purchases;            ///< E[purchases in the holdout]; NaN: unknown (never bought)
  std::vector<double> spend;                ///< E[purchases] × E[spend per purchase], undiscounted; NaN: unknown
};

/// Over the holdout's length (`days` in the model's time unit): expected purchases and spend.
HoldoutPredictions predict_holdout(const CustomerValue& value, const std::vector<RepeatSummary>& customers,
                                   double length);

/// Predicted against actual for one group of customers (totals; shares for inactive, means for
/// churn risk).
struct ValidationGroup {
  int64_t customers = 0;
  double predicted_purchases = 0, actual_purchases = 0;
  double predicted_spend = 0, actual_spend = 0;
  double inactive_share = 0;  ///< bought nothing in the churn period after the as-of date
  double churn_risk = 0;      ///< mean predicted P(no purchase in that period)
};

/// Every prediction shown to a marketer, against what the customers did next.
struct HoldoutValidation {
  HoldoutWindow window;
  int64_t churn_period_days = 0;
  std::vector<ValidationGroup> by_frequency;  ///< calibration repeat purchases 0, 1, …, 6, then 7+
  std::vector<ValidationGroup> by_segment;    ///< per row of the model
  std::vector<ValidationGroup> by_decile;     ///< of predicted holdout spend, lowest first
  ValidationGroup total;
  double churn_auc = 0;    ///< ROC AUC of churn risk for "bought nothing in the churn period"
  double churn_brier = 0;  ///< mean (churn risk − inactive)²
};

inline constexpr int kFrequencyGroups = 8;
inline constexpr int kSpendDeciles = 10;

/// This rank's calibration customers, as validate_on_holdout reads them.
struct CalibrationCustomers {
  const int64_t* customer_id = nullptr;
  const int32_t* segment = nullptr;  ///< model row
  const float* churn_risk = nullptr;
  int64_t n = 0;
  int k = 0;
};

/// Collective: joins the calibration customers with the holdout actuals by id (distributed; a
/// customer without holdout lines bought nothing; one who never bought before the as-of date has
/// no prediction and is left out) and sums every group exactly (fixed point and
/// counts, allreduced), so the tables are the same for any number of ranks. The AUC counts
/// churn risks within 2^-16 of each other as ties.
HoldoutValidation validate_on_holdout(const CalibrationCustomers& customers, const HoldoutPredictions& predicted,
                                      const HoldoutActuals& actuals, int64_t churn_period_days,
                                      const Communicator& comm);

}  // namespace kseg
