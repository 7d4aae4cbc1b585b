#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "kernels/transaction_columns.hpp"

namespace kseg {

struct FeatureOptions {
  int64_t as_of_day = 0;          ///< days since 1970-01-01: lines on later days are left out
  double time_unit_days = 1.0;    ///< unit of the BG/NBD inputs: 1 (days) or 7 (weeks)
  int top_categories = 8;         ///< category shares for the C most bought categories, plus "other"
  int64_t period_days = 90;       ///< retention: bought in (as_of − p, as_of] and in the p days before
  bool use_cuda = false;          ///< run the feature kernels on this rank's GPU
};

/// Per-customer features of the customers this rank holds: a contiguous block of all customers
/// in increasing id order (rows first_row .. first_row + customer_id.size() of the whole table).
struct CustomerFeatureTable {
  int64_t total_customers = 0;
  int64_t first_row = 0;
  std::vector<int64_t> customer_id;
  std::vector<float> matrix;  ///< customers × names.size()
  std::vector<std::string> names;
  int64_t lines_total = 0;        ///< over all ranks
  int64_t lines_after_as_of = 0;  ///< left out: later than --as-of (a CLV holdout, not an error)
  int64_t first_day = 0, last_day = 0;  ///< of the first and the last line, over all ranks (days since 1970-01-01)
  int64_t as_of_day = 0;                ///< the day the features are measured at
};

/// YYYY-MM-DD of a day number (days since 1970-01-01).
std::string iso_date(int64_t day);

/// The lines of the days (after_day, last_day], as a copy (the holdout after an as-of date).
TransactionColumns lines_in_window(const TransactionColumns& lines, int64_t after_day, int64_t last_day);

/// Collective: from each rank's row block of transactions to per-customer features. Lines up
/// to --as-of are shuffled so that a customer's lines meet on one rank (MPI all-to-all on a hash
/// of the customer id), reduced per customer by the Thrust feature kernels, then redistributed
/// by id range so that the table comes out in id order, identical for any number of ranks.
/// `source` names the input in error messages. Takes the lines by value: they are filtered and
/// shuffled in place, so that memory stays near the size of the rank's share of the lines.
CustomerFeatureTable build_customer_features(TransactionColumns lines, const TransactionSchema& schema,
                                             const FeatureOptions& options, const std::string& source,
                                             const Communicator& comm);

}  // namespace kseg
