#include "synth/synthetic_retailer.hpp"

#include <algorithm>
#include <cmath>

#include "common/errors.hpp"
#include "synth/detail/synthetic_retailer_draws.hpp"
#include "io/timestamp_parse.hpp"

namespace kseg {
namespace {

using namespace synthetic_detail;

// The personas. "Today" is the end of the window; rates are orders per month while active, values
// are in currency units. Each customer scatters around their persona: their order rate by a factor
// e^(0.5z - 0.125) (mean 1) and their order values by e^(0.3z), z standard normal.
//
// persona             share  orders                                                     median order
// loyal_high_spender    8%   first in the window's first quarter, then 1.5/month until today    140
// bargain_hunter       17%   first in the window's first 60%, then 1.2/month until today         28
// one_time_buyer       30%   one, before the last 60 days                                        45
// lapsed               20%   first ≥ 210 days before today, 0.8/month for 1–12 months,           60
//                            the last one (always ≥ 2 orders) ≥ 180 days before today
// seasonal             10%   in each Nov–Dec with chance 85%, 1 + Poisson(0.8) orders there;     90
//                            otherwise 0.03/month
// new_customer         15%   first in the last 60 days, then 1.2/month until today               55
//
// persona             lines/order  discounted lines (off list)  returned lines  web/store/app/phone/marketplace
// loyal_high_spender  3.0          10% (5–30%)                   4%             30/45/20/3/2
// bargain_hunter      2.2          70% (5–60%)                  12%             45/8/37/2/8
// one_time_buyer      1.6          25% (5–30%)                   8%             55/25/10/2/8
// lapsed              2.0          20% (5–30%)                   6%             35/45/10/5/5
// seasonal            2.8          35% (5–40%)                  10%             50/30/15/2/3
// new_customer        2.0          30% (5–30%)                   6%             30/15/50/2/3
constexpr PersonaTraits kTraits[kPersonas] = {
    {"loyal_high_spender", 0.08, 1.5, 140, 0.5, 3.0, 0.4, 0.10, 0.30, 0.04, 60, 46, 40, {0.30, 0.45, 0.20, 0.03, 0.02}},
    {"bargain_hunter", 0.17, 1.2, 28, 0.6, 2.2, 1.0, 0.70, 0.60, 0.12, 12, 34, 60, {0.45, 0.08, 0.37, 0.02, 0.08}},
    {"one_time_buyer", 0.30, 0.0, 45, 0.8, 1.6, 0.3, 0.25, 0.30, 0.08, 30, 38, 4, {0.55, 0.25, 0.10, 0.02, 0.08}},
    {"lapsed", 0.20, 0.8, 60, 0.7, 2.0, 0.3, 0.20, 0.30, 0.06, 25, 44, 6, {0.35, 0.45, 0.10, 0.05, 0.05}},
    {"seasonal", 0.10, 0.03, 90, 0.6, 2.8, 0.5, 0.35, 0.40, 0.10, 20, 41, 15, {0.50, 0.30, 0.15, 0.02, 0.03}},
    {"new_customer", 0.15, 1.2, 55, 0.7, 2.0, 0.3, 0.30, 0.30, 0.06, 35, 29, 25, {0.30, 0.15, 0.50, 0.02, 0.03}},
};

constexpr const char* kRegionNames[] = {"north", "south", "east", "west"};

// Survey answers by persona: likelihood to recommend 0–10 (mean; each answer the mean + 1.5z,
// rounded and clamped), price sensitivity 1–5 (mean + 0.7z), and the main interest's weights.
// Loyal customers are promoters, lapsed ones detractors; bargain hunters mind prices most.
constexpr const char* kInterestNames[] = {"fashion", "home", "sports", "tech", "beauty"};
struct SurveyTraits {
  double mean_nps, mean_price_sensitivity;
  double interest[std::size(kInterestNames)];
};
constexpr SurveyTraits kSurveys[kPersonas] = {
    {9.2, 2.0, {0.35, 0.20, 0.10, 0.15, 0.20}},  // loyal_high_spender
    {6.8, 4.6, {0.30, 0.25, 0.15, 0.15, 0.15}},  // bargain_hunter
    {7.0, 3.2, {0.20, 0.20, 0.20, 0.20, 0.20}},  // one_time_buyer
    {4.0, 3.4, {0.20, 0.25, 0.20, 0.20, 0.15}},  // lapsed
    {7.6, 3.0, {0.25, 0.35, 0.10, 0.15, 0.15}},  // seasonal
    {8.0, 3.0, {0.20, 0.15, 0.20, 0.30, 0.15}},  // new_customer
};

// A draw from a table of weights (summing to 1) by one uniform number.
int32_t weighted_choice(const double* weights, std::size_t count, double u) {
  for (std::size_t i = 0; i + 1 < count; ++i)
    if ((u -= weights[i]) < 0) return static_cast<int32_t>(i);
  return static_cast<int32_t>(count - 1);
}

void answer_survey(const Draws& draws, Persona persona, RetailCustomer& c) {
  if (draws.uniform(kTrait, kSurveyed) >= kSurveyedShare) return;
  const SurveyTraits& s = kSurveys[static_cast<int>(persona)];
  c.nps = std::clamp(std::round(s.mean_nps + 1.5 * draws.normal(kTrait, kNps)), 0.0, 10.0);
  c.price_sensitivity =
      std::clamp(std::round(s.mean_price_sensitivity + 0.7 * draws.normal(kTrait, kPriceSensitivity)), 1.0, 5.0);
  c.interest = weighted_choice(s.interest, std::size(s.interest), draws.uniform(kTrait, kInterest));
}

constexpr const char* kChannelNames[kMaxChannels] = {"web", "store", "app", "phone", "marketplace"};
constexpr const char* kCategoryNames[] = {"apparel", "footwear", "beauty", "electronics", "home",    "grocery",
                                          "toys",    "sports",   "books",  "jewelry",     "garden", "pets"};

std::vector<double> cumulative(std::vector<double> weights) {
  double total = 0;
  for (double& w : weights) w = total += w;
  for (double& w : weights) w /= total;
  return weights;
}

// Popular categories first (a Zipf-like curve), tilted by each persona's random taste.
std::vector<double> category_tastes(const RetailerSpec& spec) {
  std::vector<double> table;
  for (int p = 0; p < kPersonas; ++p) {
    const Draws taste(spec.seed, p);
    std::vector<double> weights(spec.categories);
    for (int c = 0; c < spec.categories; ++c)
      weights[c] = std::pow(c + 1.0, -0.7) * std::exp(0.8 * taste.normal(kTaste, static_cast<uint32_t>(c)));
    const std::vector<double> row = cumulative(weights);
    table.insert(table.end(), row.begin(), row.end());
  }
  return table;
}

std::vector<double> channel_mixes(const RetailerSpec& spec) {
  std::vector<double> table;
  for (const PersonaTraits& t : kTraits) {
    const std::vector<double> row = cumulative(std::vector<double>(t.channel_weights, t.channel_weights + spec.channels));
    table.insert(table.end(), row.begin(), row.end());
  }
  return table;
}

// November 1 to January 1 of each year, clipped to the window.
std::vector<std::pair<int64_t, int64_t>> holiday_seasons(const RetailerSpec& spec) {
  std::vector<std::pair<int64_t, int64_t>> seasons;
  // A year early at worst: that year's season ends before the window and is skipped.
  const int64_t first_year = 1969 + static_cast<int64_t>(std::floor(static_cast<double>(spec.start) / kDay / 365.2425));
  for (int64_t year = first_year; days_from_civil(year, 11, 1) * kDay < spec.end; ++year) {
    const int64_t begin = std::max(spec.start, days_from_civil(year, 11, 1) * kDay);
    const int64_t end = std::min(spec.end, days_from_civil(year + 1, 1, 1) * kDay);
    if (begin < end) seasons.emplace_back(begin, end);
  }
  return seasons;
}

TransactionSchema full_schema(const RetailerSpec& spec) {
  TransactionSchema schema{true, true, true, true, true, {}, {}};
  for (int c = 0; c < spec.categories; ++c)
    schema.category_labels.push_back(c < static_cast<int>(std::size(kCategoryNames)) ? kCategoryNames[c]
                                                                                    : "category_" + std::to_string(c + 1));
  schema.channel_labels.assign(kChannelNames, kChannelNames + spec.channels);
  return schema;
}


}  // namespace

namespace synthetic_detail {

const PersonaTraits& persona_traits(Persona persona) { return kTraits[static_cast<int>(persona)]; }

Persona draw_persona(const Draws& draws) {
  static const std::vector<double> shares = cumulative(persona_shares());
  return static_cast<Persona>(pick(shares.data(), kPersonas, draws.uniform(kTrait, kPersonaChoice)));
}

}  // namespace synthetic_detail

const std::vector<std::string>& persona_labels() {
  static const std::vector<std::string> labels = [] {
    std::vector<std::string> names;
    for (const PersonaTraits& t : kTraits) names.push_back(t.name);
    return names;
  }();
  return labels;
}

const std::vector<std::string>& region_labels() {
  static const std::vector<std::string> labels(std::begin(kRegionNames), std::end(kRegionNames));
  return labels;
}

const std::vector<std::string>& interest_labels() {
  static const std::vector<std::string> labels(std::begin(kInterestNames), std::end(kInterestNames));
  return labels;
}

const std::vector<double>& persona_shares() {
  static const std::vector<double> shares = [] {
    std::vector<double> s;
    for (const PersonaTraits& t : kTraits) s.push_back(t.share);
    return s;
  }();
  return shares;
}

RetailerModel make_retailer_model(const RetailerSpec& spec) {
  const int64_t days = (spec.end - spec.start) / kDay;
  if (days < kMinWindowDays)
    refuse("the transactions window spans " + std::to_string(days) + " days; at least " +
           std::to_string(kMinWindowDays) + " are needed (seasonal customers need a November-December, lapsed ones a past)");
  if (spec.categories < 1 || spec.categories > kMaxCategories)
    refuse("categories must be 1 to " + std::to_string(kMaxCategories) + ", got " + std::to_string(spec.categories));
  if (spec.channels < 1 || spec.channels > kMaxChannels)
    refuse("channels must be 1 to " + std::to_string(kMaxChannels) + ", got " + std::to_string(spec.channels));
  return {spec, category_tastes(spec), channel_mixes(spec), holiday_seasons(spec), full_schema(spec)};
}

RetailCustomer retail_customer(const RetailerModel& m, int64_t index) {
  const int64_t id = kFirstRetailCustomerId + index;
  const Draws draws(m.spec.seed, id);
  const Persona persona = draw_persona(draws);
  const double cost = kTraits[static_cast<int>(persona)].median_acquisition_cost *
                      std::exp(0.5 * draws.normal(kTrait, kAcquisitionCost));
  const PersonaTraits& t = kTraits[static_cast<int>(persona)];
  const double age = std::clamp(std::round(t.mean_age + 12 * draws.normal(kTrait, kAge)), 18.0, 90.0);
  const int32_t region = static_cast<int32_t>(draws.uniform(kTrait, kRegion) * std::size(kRegionNames));
  const double opens = std::floor(draws.exponential(kTrait, kEmailOpens, t.email_opens_per_year));
  const double clicks = std::floor(opens * 0.3 * draws.uniform(kTrait, kEmailClickRate));
  RetailCustomer customer{id, persona, round_cents(cost), static_cast<int32_t>(age), region,
                          static_cast<int32_t>(opens), static_cast<int32_t>(clicks)};
  answer_survey(draws, persona, customer);
  return customer;
}

}  // namespace kseg
