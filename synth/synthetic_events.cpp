#include "synth/synthetic_events.hpp"

#include <algorithm>
#include <map>

#include "kernels/philox.hpp"

namespace kseg {
namespace {

constexpr int64_t kDay = 86400;
constexpr uint32_t kEventStream = 0x45564e54;  // "EVNT": apart from the transactions' streams

// Per persona (Persona order): browsing sessions besides the orders', the chance that one adds
// to the cart, and the chance of opening an email.
constexpr int kBrowseSessions[kPersonas] = {1, 8, 1, 2, 1, 3};
constexpr double kCartChance[kPersonas] = {0.2, 0.7, 0.2, 0.2, 0.2, 0.3};
constexpr double kOpenChance[kPersonas] = {0.6, 0.3, 0.15, 0.03, 0.25, 0.35};
constexpr double kClickChance = 0.3;

void add(EventRows& events, int64_t id, int64_t time, EventType type) {
  events.customer_id.push_back(id);
  events.timestamp.push_back(time);
  events.type.push_back(type);
}

// One customer's events from their order times (first line of each order, in time order).
void customer_events(const RetailerModel& m, const RetailCustomer& c, const std::vector<int64_t>& orders,
                     EventRows& events) {
  if (orders.empty()) return;
  for (int64_t t : orders)
    for (const auto& [offset, type] : {std::pair{-600, EventType::session}, {-500, EventType::product_view},
                                       {-300, EventType::add_to_cart}, {0, EventType::checkout}})
      add(events, c.id, t + offset, type);
  const int p = static_cast<int>(c.persona);
  const int64_t since = std::max(m.spec.start, orders.front() - 30 * kDay);
  const int64_t until = c.persona == Persona::lapsed ? orders.back() : m.spec.end - 1;
  uint32_t draw = 0;
  const auto uniform = [&] { return Philox::uniform(m.spec.seed, c.id, kEventStream, draw++); };
  for (int s = 0; s < kBrowseSessions[p]; ++s) {
    const int64_t t = since + static_cast<int64_t>(uniform() * static_cast<double>(until - since));
    add(events, c.id, t, EventType::session);
    add(events, c.id, t + 60, EventType::product_view);
    if (uniform() < kCartChance[p]) add(events, c.id, t + 120, EventType::add_to_cart);
  }
  for (int64_t t = since; t < m.spec.end; t += 14 * kDay) {
    add(events, c.id, t, EventType::email_sent);
    if (uniform() >= kOpenChance[p]) continue;
    add(events, c.id, t + 3600, EventType::email_open);
    if (uniform() < kClickChance) add(events, c.id, t + 3700, EventType::email_click);
  }
}

}  // namespace

void generate_events(const RetailerModel& model, int64_t first, int64_t count, const TransactionColumns& lines,
                     EventRows& events) {
  std::map<int64_t, std::vector<int64_t>> orders;  // customer id → first-line time of each order
  std::map<int64_t, int64_t> seen;                 // order id → its first line's time
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines.amount[i] > 0 && seen.emplace(lines.order_id[i], lines.timestamp[i]).second)
      orders[lines.customer_id[i]].push_back(lines.timestamp[i]);
  for (int64_t index = first; index < first + count; ++index) {
    const RetailCustomer c = retail_customer(model, index);
    std::vector<int64_t>& times = orders[c.id];
    std::sort(times.begin(), times.end());
    customer_events(model, c, times, events);
  }
}

}  // namespace kseg
