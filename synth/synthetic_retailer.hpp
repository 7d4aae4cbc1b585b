#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/transaction_columns.hpp"

namespace kseg {

/// Who a synthetic customer is: the ground truth of `kseg generate --transactions`, written to
/// /customers/persona. synthetic_retailer.cpp describes each in a table.
enum class Persona : int32_t {
  loyal_high_spender,
  bargain_hunter,
  one_time_buyer,
  lapsed,
  seasonal,
  new_customer,
};
inline constexpr int kPersonas = 6;

/// Persona names in enum order (attribute `labels` of /customers/persona).
const std::vector<std::string>& persona_labels();

/// Region names in code order (attribute `labels` of /customers/region).
const std::vector<std::string>& region_labels();

/// Survey interest names in code order (attribute `labels` of /customers/interest).
const std::vector<std::string>& interest_labels();

/// The share of customers who answered the survey.
inline constexpr double kSurveyedShare = 0.3;

/// The share of customers each persona has, in enum order; they sum to 1.
const std::vector<double>& persona_shares();

/// Customer ids of a synthetic retailer: kFirstRetailCustomerId + customer index.
inline constexpr int64_t kFirstRetailCustomerId = 1000001;

/// Order ids are customer_id × kOrderIdsPerCustomer + the order's number (1, 2, ...): unique, and
/// found without knowing how many orders other customers have.
inline constexpr int64_t kOrderIdsPerCustomer = 1000;

/// Sales channels (web, store, app, phone, marketplace); a retailer has the first N.
inline constexpr int kMaxChannels = 5;
/// Product categories; the first 12 have names (apparel, footwear, ...), the rest category_13, ...
inline constexpr int kMaxCategories = 1000;

/// A retailer to simulate.
struct RetailerSpec {
  uint64_t seed = 7;    ///< every random draw is Philox(seed, customer id, ...)
  int64_t start = 0;    ///< first second of the window, Unix UTC
  int64_t end = 0;      ///< first second after the window; "today" for recency
  int categories = 12;  ///< product categories, 1–kMaxCategories
  int channels = 3;     ///< sales channels, 1–kMaxChannels
};

/// Shortest window: seasonal customers need a November–December in it and lapsed ones a past
/// to lapse from.
inline constexpr int64_t kMinWindowDays = 365;

/// What generation derives once from a spec.
struct RetailerModel {
  RetailerSpec spec;
  std::vector<double> category_cumulative;  ///< kPersonas × categories: each persona's taste
  std::vector<double> channel_cumulative;   ///< kPersonas × channels: each persona's channel mix
  std::vector<std::pair<int64_t, int64_t>> seasons;  ///< [begin, end) of each Nov–Dec in the window
  TransactionSchema schema;                 ///< every optional column, with category and channel labels
};

/// Throws InputError (all ranks) for a window shorter than kMinWindowDays or counts out of range.
RetailerModel make_retailer_model(const RetailerSpec& spec);

/// One row of /customers: the ground truth behind a customer's transactions.
struct RetailCustomer {
  int64_t id = 0;
  Persona persona = Persona::one_time_buyer;
  double acquisition_cost = 0;  ///< marketing spend to win the customer
  int32_t age = 0;              ///< years, 18–90, persona-dependent
  int32_t region = 0;           ///< code into region_labels(), uniform
  int32_t email_opens = 0;      ///< marketing emails opened last year, persona-dependent
  int32_t email_clicks = 0;     ///< of those, clicked
  /// Survey answers, for kSurveyedShare of customers (the others: NaN, interest −1): likelihood to
  /// recommend 0–10, price sensitivity 1–5 and main interest, persona-dependent.
  double nps = NAN, price_sensitivity = NAN;
  int32_t interest = -1;
};

/// Customer `index` (0-based); a pure function of (seed, id).
RetailCustomer retail_customer(const RetailerModel& model, int64_t index);

/// A campaign's known effect on some customers (`kseg generate --uplift-*`): from `from` on, each
/// of them gets, with chance `probability` (a Philox draw of its own stream, keyed by seed and
/// customer id), one extra order at a uniform time in [from, end of window). Everyone else, and
/// everything these customers did anyway, is generated exactly as without it.
struct RetailUplift {
  int64_t from = 0;            ///< Unix seconds, UTC
  double probability = 0;
  std::vector<int64_t> customers;  ///< the ids it applies to, increasing (those this rank generates suffice)
};

/// Appends the transactions of customers [first, first + count) to `rows` (every column of
/// model.schema), customer by customer, each customer's rows in time order: order lines, and
/// returns as lines of the same order with negative quantity, amount and discount. Each
/// customer's rows are a pure function of (seed, customer id) and whether `uplift` names them,
/// so any rank can produce any customer and the file does not depend on how customers are split.
void generate_transactions(const RetailerModel& model, int64_t first, int64_t count, TransactionColumns& rows,
                           const RetailUplift* uplift = nullptr);

/// How many rows generate_transactions appends for the same customers (it generates them).
int64_t count_transactions(const RetailerModel& model, int64_t first, int64_t count,
                           const RetailUplift* uplift = nullptr);

}  // namespace kseg
