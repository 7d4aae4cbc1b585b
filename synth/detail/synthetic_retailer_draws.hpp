#pragma once

// What the two halves of the synthetic retailer share: the personas and customers
// (synthetic_retailer.cpp) and their transactions (synthetic_transactions.cpp). Internal to kseg_synth.

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "synth/synthetic_retailer.hpp"
#include "kernels/philox.hpp"

namespace kseg::synthetic_detail {

inline constexpr int64_t kDay = 86400;

/// A persona's habits; synthetic_retailer.cpp holds each persona's values, with a table.
struct PersonaTraits {
  const char* name;
  double share;
  double orders_per_month;         // while active; seasonal: outside the seasons; one-time buyers: unused
  double median_order_value;       // order values are log-normal: heavy-tailed spend
  double order_value_sigma;        // of the log order value
  double lines_per_order;          // mean; each order has at least one line
  double extra_units;              // mean units per line beyond the first
  double discount_probability;     // chance a line is discounted
  double max_discount;             // deepest discount, as a fraction of the list price
  double return_probability;       // chance a line is (partly) returned later
  double median_acquisition_cost;  // log-normal, sigma 0.5
  double mean_age;                 // normal, sd 12, within 18–90
  double email_opens_per_year;     // mean (exponential); clicks are a persona-free share of opens
  double channel_weights[kMaxChannels];
};

const PersonaTraits& persona_traits(Persona persona);

// Streams of Philox draws; a draw is Philox(seed, key, stream, counter) with key the customer id
// (or, for kTaste, the persona).
enum Stream : uint32_t { kTrait = 1, kGaps, kSeasonOrders, kOrder, kLine, kTaste };
// Counters of the kTrait stream: one draw each per customer.
enum TraitDraw : uint32_t {
  kPersonaChoice,
  kFirstOrder,
  kActiveDays,
  kRateScatter,
  kValueScatter,
  kFavouriteCategory,
  kFavouriteChannel,
  kAcquisitionCost,
  kFallbackSeason,
  kAge,
  kRegion,
  kEmailOpens,
  kEmailClickRate,
  kSurveyed,
  kNps,
  kPriceSensitivity,
  kInterest,
};

class Draws {
 public:
  Draws(uint64_t seed, int64_t key) : seed_(seed), key_(key) {}
  double uniform(Stream stream, uint32_t counter) const { return Philox::uniform(seed_, key_, stream, counter); }
  // Box–Muller from the two 32-bit halves of one draw.
  double normal(Stream stream, uint32_t counter) const {
    const uint64_t bits = Philox::bits(seed_, key_, stream, counter);
    const double u1 = (static_cast<double>(bits >> 32) + 0.5) * 0x1.0p-32;
    const double u2 = (static_cast<double>(bits & 0xffffffffu) + 0.5) * 0x1.0p-32;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
  double exponential(Stream stream, uint32_t counter, double mean) const {
    return -mean * std::log(uniform(stream, counter));
  }
  int64_t time_between(Stream stream, uint32_t counter, int64_t from, int64_t until) const {
    return from + static_cast<int64_t>(uniform(stream, counter) * static_cast<double>(until - from));
  }

 private:
  uint64_t seed_;
  int64_t key_;
};

// Index whose cumulative weight first exceeds u; the last entry is 1.
inline int pick(const double* cumulative, int n, double u) {
  return static_cast<int>(std::upper_bound(cumulative, cumulative + n - 1, u) - cumulative);
}

inline double round_cents(double value) { return std::round(value * 100) / 100; }

/// The customer's persona, drawn from the persona shares.
Persona draw_persona(const Draws& draws);

}  // namespace kseg::synthetic_detail
