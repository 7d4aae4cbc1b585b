#include "synth/synthetic_retailer.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "synth/detail/synthetic_retailer_draws.hpp"

namespace kseg {
namespace {

using namespace synthetic_detail;

constexpr double kDaysPerMonth = 30.4375;

// Timeline of the personas (see the table in synthetic_retailer.cpp).
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
// The uplift's own stream, after synthetic_detail's: drawing it leaves every other draw as it was.
constexpr Stream kUpliftStream = static_cast<Stream>(kTaste + 1);
enum UpliftDraw : uint32_t { kTakesExtraOrder, kExtraOrderTime };

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

Shopper make_shopper(const RetailerModel& m, int64_t id) {
  const Draws draws(m.spec.seed, id);
  const Persona persona = draw_persona(draws);
  const int p = static_cast<int>(persona);
  const PersonaTraits& t = persona_traits(persona);
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

// Whether the campaign of `uplift` wins customer `s` an extra order, and when.
std::optional<int64_t> extra_order_time(const RetailerModel& m, const Shopper& s, const RetailUplift* uplift) {
  if (!uplift || !std::binary_search(uplift->customers.begin(), uplift->customers.end(), s.id)) return std::nullopt;
  if (s.draws.uniform(kUpliftStream, kTakesExtraOrder) >= uplift->probability) return std::nullopt;
  return s.draws.time_between(kUpliftStream, kExtraOrderTime, uplift->from, m.spec.end);
}

// Every row of customer `id`, in time order (a return after the purchase it undoes).
void simulate_customer(const RetailerModel& m, int64_t id, const RetailUplift* uplift, std::vector<Line>& lines) {
  lines.clear();
  const Shopper s = make_shopper(m, id);
  const std::vector<int64_t> times = order_times(m, s);
  uint32_t next_line = 0;
  for (std::size_t k = 0; k < times.size(); ++k) add_order(m, s, static_cast<uint32_t>(k), times[k], next_line, lines);
  const std::optional<int64_t> extra = extra_order_time(m, s, uplift);
  if (extra && times.size() < kMaxOrders)  // the next order number and lines: the others' draws stay as they were
    add_order(m, s, static_cast<uint32_t>(times.size()), *extra, next_line, lines);
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

void generate_transactions(const RetailerModel& m, int64_t first, int64_t count, TransactionColumns& rows,
                           const RetailUplift* uplift) {
  std::vector<Line> lines;
  for (int64_t index = first; index < first + count; ++index) {
    const int64_t id = kFirstRetailCustomerId + index;
    simulate_customer(m, id, uplift, lines);
    append(id, lines, rows);
  }
}

int64_t count_transactions(const RetailerModel& m, int64_t first, int64_t count, const RetailUplift* uplift) {
  std::vector<Line> lines;
  int64_t rows = 0;
  for (int64_t index = first; index < first + count; ++index) {
    simulate_customer(m, kFirstRetailCustomerId + index, uplift, lines);
    rows += static_cast<int64_t>(lines.size());
  }
  return rows;
}

}  // namespace kseg
