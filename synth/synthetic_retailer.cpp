#include "synth/synthetic_retailer.hpp"

#include <algorithm>
#include <cmath>

#include "common/errors.hpp"
#include "io/timestamp_parse.hpp"
#include "kernels/philox.hpp"

namespace kseg {
namespace {

constexpr int64_t kDay = 86400;
constexpr double kDaysPerMonth = 30.4375;

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

constexpr PersonaTraits kTraits[kPersonas] = {
    {"loyal_high_spender", 0.08, 1.5, 140, 0.5, 3.0, 0.4, 0.10, 0.30, 0.04, 60, 46, 40, {0.30, 0.45, 0.20, 0.03, 0.02}},
    {"bargain_hunter", 0.17, 1.2, 28, 0.6, 2.2, 1.0, 0.70, 0.60, 0.12, 12, 34, 60, {0.45, 0.08, 0.37, 0.02, 0.08}},
    {"one_time_buyer", 0.30, 0.0, 45, 0.8, 1.6, 0.3, 0.25, 0.30, 0.08, 30, 38, 4, {0.55, 0.25, 0.10, 0.02, 0.08}},
    {"lapsed", 0.20, 0.8, 60, 0.7, 2.0, 0.3, 0.20, 0.30, 0.06, 25, 44, 6, {0.35, 0.45, 0.10, 0.05, 0.05}},
    {"seasonal", 0.10, 0.03, 90, 0.6, 2.8, 0.5, 0.35, 0.40, 0.10, 20, 41, 15, {0.50, 0.30, 0.15, 0.02, 0.03}},
    {"new_customer", 0.15, 1.2, 55, 0.7, 2.0, 0.3, 0.30, 0.30, 0.06, 35, 29, 25, {0.30, 0.15, 0.50, 0.02, 0.03}},
};

constexpr const char* kRegionNames[] = {"north", "south", "east", "west"};

constexpr const char* kChannelNames[kMaxChannels] = {"web", "store", "app", "phone", "marketplace"};
constexpr const char* kCategoryNames[] = {"apparel", "footwear", "beauty", "electronics", "home",    "grocery",
                                          "toys",    "sports",   "books",  "jewelry",     "garden", "pets"};

// Timeline of the personas (see the table above).
constexpr int64_t kRecentDays = 60;          // new customers start here; one-time buyers bought before
constexpr int64_t kLapsedSilenceDays = 180;  // a lapsed customer's last order is at least this old
constexpr double kLoyalStart = 0.25, kBargainStart = 0.6;  // of the window: when first orders fall
constexpr double kSeasonParticipation = 0.85, kExtraSeasonOrders = 0.8;
// Habits within a customer: how often an order goes through their favourite channel, and how
// often a line is from their favourite category.
constexpr double kChannelLoyalty = 0.6, kCategoryLoyalty = 0.35;
constexpr double kMinDiscount = 0.05, kMinListPrice = 1.0;
constexpr double kReturnMinDays = 2, kReturnMeanExtraDays = 12;
constexpr std::size_t kMaxOrders = kOrderIdsPerCustomer - 1;  // order numbers 1..999 fit the order id

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
};
// Counters of the kOrder stream: order k uses k × kOrderDraws + these.
enum OrderDraw : uint32_t { kLines, kOrderValue, kUsesFavouriteChannel, kChannel, kOrderDraws = 8 };
// Counters of the kLine stream: the customer's line l uses l × kLineDraws + these.
enum LineDraw : uint32_t {
  kShare,
  kUsesFavouriteCategory,
  kCategory,
  kUnits,
  kDiscounted,
  kDiscountDepth,
  kReturned,
  kReturnedUnits,
  kReturnDelay,
  kLineDraws = 16,
};
constexpr uint32_t kSeasonDraws = 64;  // per season: participation, order count, order times

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

// Inversion from one uniform; the means here are a few units, so the walk is short.
int small_poisson(double mean, double u) {
  double p = std::exp(-mean), cdf = p;
  int k = 0;
  while (u > cdf && k < 50) {
    ++k;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

// Index whose cumulative weight first exceeds u; the last entry is 1.
int pick(const double* cumulative, int n, double u) {
  return static_cast<int>(std::upper_bound(cumulative, cumulative + n - 1, u) - cumulative);
}

std::vector<double> cumulative(std::vector<double> weights) {
  double total = 0;
  for (double& w : weights) w = total += w;
  for (double& w : weights) w /= total;
  return weights;
}

double round_cents(double value) { return std::round(value * 100) / 100; }

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

// One customer's fixed traits, drawn once and used by every order.
struct Shopper {
  int64_t id;
  Draws draws;
  Persona persona;
  const PersonaTraits& traits;
  double orders_per_month;
  double value_scale;
  int32_t favourite_category;
  int32_t favourite_channel;
};

Persona draw_persona(const Draws& draws) {
  static const std::vector<double> shares = cumulative(persona_shares());
  return static_cast<Persona>(pick(shares.data(), kPersonas, draws.uniform(kTrait, kPersonaChoice)));
}

Shopper make_shopper(const RetailerModel& m, int64_t id) {
  const Draws draws(m.spec.seed, id);
  const Persona persona = draw_persona(draws);
  const int p = static_cast<int>(persona);
  const PersonaTraits& t = kTraits[p];
  const double* category_row = &m.category_cumulative[static_cast<std::size_t>(p) * m.spec.categories];
  const double* channel_row = &m.channel_cumulative[static_cast<std::size_t>(p) * m.spec.channels];
  return {id,
          draws,
          persona,
          t,
          t.orders_per_month * std::exp(0.5 * draws.normal(kTrait, kRateScatter) - 0.125),  // mean factor 1
          std::exp(0.3 * draws.normal(kTrait, kValueScatter)),
          pick(category_row, m.spec.categories, draws.uniform(kTrait, kFavouriteCategory)),
          pick(channel_row, m.spec.channels, draws.uniform(kTrait, kFavouriteChannel))};
}

// Orders of a Poisson process after `from` and before `until`: exponential gaps.
void add_arrivals(const Shopper& s, double orders_per_month, int64_t from, int64_t until, std::vector<int64_t>& times) {
  const double mean_gap = kDaysPerMonth * kDay / orders_per_month;
  double t = static_cast<double>(from);
  for (uint32_t k = 0; times.size() < kMaxOrders; ++k) {
    t += s.draws.exponential(kGaps, k, mean_gap);
    if (t >= static_cast<double>(until)) break;
    times.push_back(static_cast<int64_t>(t));
  }
}

void add_seasonal_orders(const RetailerModel& m, const Shopper& s, std::vector<int64_t>& times) {
  for (std::size_t i = 0; i < m.seasons.size(); ++i) {
    const uint32_t base = static_cast<uint32_t>(i) * kSeasonDraws;
    if (s.draws.uniform(kSeasonOrders, base) >= kSeasonParticipation) continue;
    const int orders = 1 + small_poisson(kExtraSeasonOrders, s.draws.uniform(kSeasonOrders, base + 1));
    for (int j = 0; j < orders; ++j)
      times.push_back(s.draws.time_between(kSeasonOrders, base + 2 + j, m.seasons[i].first, m.seasons[i].second));
  }
  add_arrivals(s, s.orders_per_month, m.spec.start, m.spec.end, times);
  if (times.empty()) {  // a seasonal customer has bought at least once: in one season
    const std::size_t pick_season = static_cast<std::size_t>(s.draws.uniform(kTrait, kFallbackSeason) * m.seasons.size());
    const auto& season = m.seasons[pick_season];
    times.push_back(s.draws.time_between(kTrait, kFirstOrder, season.first, season.second));
  }
}

// When the customer ordered, in time order (see the persona table).
std::vector<int64_t> order_times(const RetailerModel& m, const Shopper& s) {
  const int64_t start = m.spec.start, today = m.spec.end;
  const auto first_order = [&](int64_t from, int64_t until) {
    return s.draws.time_between(kTrait, kFirstOrder, from, until);
  };
  const auto window_fraction = [&](double f) {
    return start + static_cast<int64_t>(f * static_cast<double>(today - start));
  };
  std::vector<int64_t> times;
  switch (s.persona) {
    case Persona::loyal_high_spender:
      times.push_back(first_order(start, window_fraction(kLoyalStart)));
      add_arrivals(s, s.orders_per_month, times.back(), today, times);
      break;
    case Persona::bargain_hunter:
      times.push_back(first_order(start, window_fraction(kBargainStart)));
      add_arrivals(s, s.orders_per_month, times.back(), today, times);
      break;
    case Persona::one_time_buyer:
      times.push_back(first_order(start, today - kRecentDays * kDay));
      break;
    case Persona::lapsed: {
      const int64_t lapse_by = today - kLapsedSilenceDays * kDay;
      const int64_t first = first_order(start, lapse_by - 30 * kDay);
      const int64_t last =
          s.draws.time_between(kTrait, kActiveDays, first + 30 * kDay, std::min(lapse_by, first + 365 * kDay));
      times.push_back(first);
      add_arrivals(s, s.orders_per_month, first, last, times);
      times.push_back(last);
      break;
    }
    case Persona::seasonal:
      add_seasonal_orders(m, s, times);
      break;
    case Persona::new_customer:
      times.push_back(first_order(today - kRecentDays * kDay, today));
      add_arrivals(s, s.orders_per_month, times.back(), today, times);
      break;
  }
  std::sort(times.begin(), times.end());
  if (times.size() > kMaxOrders) times.resize(kMaxOrders);
  return times;
}

struct Line {
  int64_t timestamp;
  int64_t order_id;
  int32_t quantity;
  int32_t category;
  int32_t channel;
  double amount;
  double discount;
};

struct Order {
  int64_t id;
  int64_t time;
  int32_t channel;
  double value;        // list value of all its lines
  double share_total;  // sum of its lines' raw shares
};

double order_draw(const Shopper& s, uint32_t order, OrderDraw draw) {
  return s.draws.uniform(kOrder, order * kOrderDraws + draw);
}

double line_draw(const Shopper& s, uint32_t line, LineDraw draw) {
  return s.draws.uniform(kLine, line * kLineDraws + draw);
}

// A line's raw share of its order's value: Exp(1) draws divided by their sum are Dirichlet(1, ...).
double line_share(const Shopper& s, uint32_t line) { return -std::log(line_draw(s, line, kShare)); }

int32_t line_category(const RetailerModel& m, const Shopper& s, uint32_t line) {
  if (line_draw(s, line, kUsesFavouriteCategory) < kCategoryLoyalty) return s.favourite_category;
  const double* tastes = &m.category_cumulative[static_cast<std::size_t>(s.persona) * m.spec.categories];
  return pick(tastes, m.spec.categories, line_draw(s, line, kCategory));
}

// Some units of a bought line may come back, as a line of the same order with negative quantity,
// amount and discount; not when they would come back after today.
void add_return(const RetailerModel& m, const Shopper& s, Line bought, uint32_t line, std::vector<Line>& lines) {
  if (line_draw(s, line, kReturned) >= s.traits.return_probability) return;
  const double days_later =
      kReturnMinDays + s.draws.exponential(kLine, line * kLineDraws + kReturnDelay, kReturnMeanExtraDays);
  const int64_t returned_at = bought.timestamp + static_cast<int64_t>(days_later * kDay);
  if (returned_at >= m.spec.end) return;
  const int32_t units =
      std::min(bought.quantity, 1 + static_cast<int32_t>(line_draw(s, line, kReturnedUnits) * bought.quantity));
  const double part = static_cast<double>(units) / bought.quantity;
  // 0 − x rather than −x: a zero discount stays +0.
  lines.push_back({returned_at, bought.order_id, -units, bought.category, bought.channel,
                   0.0 - round_cents(bought.amount * part), 0.0 - round_cents(bought.discount * part)});
}

void add_line(const RetailerModel& m, const Shopper& s, const Order& order, uint32_t line, std::vector<Line>& lines) {
  const PersonaTraits& t = s.traits;
  const int32_t units = 1 + small_poisson(t.extra_units, line_draw(s, line, kUnits));
  const double list = std::max(kMinListPrice, round_cents(order.value * line_share(s, line) / order.share_total));
  const double depth = kMinDiscount + (t.max_discount - kMinDiscount) * line_draw(s, line, kDiscountDepth);
  const double discount = line_draw(s, line, kDiscounted) < t.discount_probability ? round_cents(list * depth) : 0.0;
  lines.push_back({order.time, order.id, units, line_category(m, s, line), order.channel, round_cents(list - discount),
                   discount});
  add_return(m, s, lines.back(), line, lines);
}

// Order k: a log-normal list value split over its lines in random shares.
void add_order(const RetailerModel& m, const Shopper& s, uint32_t k, int64_t time, uint32_t& next_line,
               std::vector<Line>& lines) {
  const PersonaTraits& t = s.traits;
  const double* mix = &m.channel_cumulative[static_cast<std::size_t>(s.persona) * m.spec.channels];
  const int32_t channel = order_draw(s, k, kUsesFavouriteChannel) < kChannelLoyalty
                              ? s.favourite_channel
                              : pick(mix, m.spec.channels, order_draw(s, k, kChannel));
  const double value = t.median_order_value * s.value_scale *
                       std::exp(t.order_value_sigma * s.draws.normal(kOrder, k * kOrderDraws + kOrderValue));
  Order order{s.id * kOrderIdsPerCustomer + k + 1, time, channel, value, 0.0};
  const int line_count = 1 + small_poisson(t.lines_per_order - 1, order_draw(s, k, kLines));
  for (int i = 0; i < line_count; ++i) order.share_total += line_share(s, next_line + i);
  for (int i = 0; i < line_count; ++i) add_line(m, s, order, next_line++, lines);
}

// Every row of customer `id`, in time order (a return after the purchase it undoes).
void simulate_customer(const RetailerModel& m, int64_t id, std::vector<Line>& lines) {
  lines.clear();
  const Shopper s = make_shopper(m, id);
  const std::vector<int64_t> times = order_times(m, s);
  uint32_t next_line = 0;
  for (std::size_t k = 0; k < times.size(); ++k) add_order(m, s, static_cast<uint32_t>(k), times[k], next_line, lines);
  std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.timestamp < b.timestamp; });
}

void append(int64_t id, const std::vector<Line>& lines, TransactionColumns& rows) {
  for (const Line& l : lines) {
    rows.customer_id.push_back(id);
    rows.timestamp.push_back(l.timestamp);
    rows.amount.push_back(l.amount);
    rows.order_id.push_back(l.order_id);
    rows.quantity.push_back(l.quantity);
    rows.category.push_back(l.category);
    rows.channel.push_back(l.channel);
    rows.discount.push_back(l.discount);
  }
}


}  // namespace

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
  return {id, persona, round_cents(cost), static_cast<int32_t>(age), region, static_cast<int32_t>(opens),
          static_cast<int32_t>(clicks)};
}

void generate_transactions(const RetailerModel& m, int64_t first, int64_t count, TransactionColumns& rows) {
  std::vector<Line> lines;
  for (int64_t index = first; index < first + count; ++index) {
    const int64_t id = kFirstRetailCustomerId + index;
    simulate_customer(m, id, lines);
    append(id, lines, rows);
  }
}

int64_t count_transactions(const RetailerModel& m, int64_t first, int64_t count) {
  std::vector<Line> lines;
  int64_t rows = 0;
  for (int64_t index = first; index < first + count; ++index) {
    simulate_customer(m, kFirstRetailCustomerId + index, lines);
    rows += static_cast<int64_t>(lines.size());
  }
  return rows;
}

}  // namespace kseg
