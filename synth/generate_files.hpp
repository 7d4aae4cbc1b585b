#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "common/logger.hpp"

namespace kseg {

struct GenerateOptions {
  int64_t customers = 100000;
  int features = 8;
  int segments = 6;
  uint64_t seed = 7;
  double separation = 4.0;  ///< minimum distance between blob centres, in mean spreads
  std::vector<std::string> feature_names;  ///< empty: f0, f1, ...
  bool transactions = false;         ///< a synthetic retailer's transactions instead of features
  std::string start = "2023-01-01";  ///< first day of the transactions, UTC
  std::string end = "2024-12-31";    ///< last day of the transactions, UTC, included
  int categories = 12;               ///< product categories of the transactions
  int channels = 3;                  ///< sales channels of the transactions (web, store, app, ...)
  /// A known campaign effect: the treated customers of `uplift_segment` in the campaign plan
  /// `uplift_plan` get, each with chance `uplift`, one extra order from `uplift_from` on
  /// (synth/synthetic_retailer.hpp, RetailUplift). Empty plan: none.
  std::string uplift_plan;
  int32_t uplift_segment = 0;
  std::string uplift_from;  ///< YYYY-MM-DD (UTC), within --start … --end
  double uplift = 0;        ///< in (0, 1]
  bool events = false;      ///< also /events: the customers' sessions, carts and emails (synth/synthetic_events.hpp)
  std::string output;
  bool force = false;
  bool quiet = false;
};

/// Collective: every rank generates and writes its own row block, a bounded chunk at a time.
void generate_features_file(const GenerateOptions& options, const Communicator& comm, const Logger& log);

/// Collective: a synthetic retailer's transactions file (see synth/synthetic_retailer.hpp) with the
/// true persona of every customer in /customers. Every rank generates the customers of its row
/// block, a bounded chunk at a time, and writes their transactions after those of lower ranks.
void generate_transactions_file(const GenerateOptions& options, const Communicator& comm, const Logger& log);

}  // namespace kseg
