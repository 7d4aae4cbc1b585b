#include "customers/engagement_features.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "customers/customer_join.hpp"

namespace kseg {
namespace {

constexpr int64_t kDay = 86400;

// One event or purchase of a customer, in time order (a purchase before an event of the same second).
struct Moment {
  int64_t time;
  int32_t kind;  // −1: a purchase, else the EventType
};

// The customer's features from their moments in time order.
std::vector<double> features_of(const std::vector<Moment>& moments, int64_t as_of_end) {
  std::vector<int64_t> purchase_days, purchase_times;
  for (const Moment& m : moments)
    if (m.kind < 0) purchase_days.push_back(m.time / kDay), purchase_times.push_back(m.time);
  int64_t sessions = 0, converted = 0, carts = 0, abandoned = 0, sent = 0, opened = 0, clicked = 0, last_visit = -1;
  for (const Moment& m : moments) {
    switch (static_cast<EventType>(m.kind)) {
      case EventType::session:
        sessions += 1, last_visit = m.time;
        converted += std::binary_search(purchase_days.begin(), purchase_days.end(), m.time / kDay);
        break;
      case EventType::add_to_cart: {
        carts += 1;
        const auto next = std::lower_bound(purchase_times.begin(), purchase_times.end(), m.time);
        abandoned += next == purchase_times.end() || *next >= m.time + kDay;
        break;
      }
      case EventType::email_sent: sent += 1; break;
      case EventType::email_open: opened += 1; break;
      case EventType::email_click: clicked += 1; break;
      default: break;
    }
  }
  const auto ratio = [](int64_t part, int64_t whole) { return whole > 0 ? double(part) / double(whole) : NAN; };
  return {double(sessions),
          last_visit < 0 ? NAN : double(as_of_end - last_visit) / kDay,
          ratio(converted, sessions),
          ratio(abandoned, carts),
          ratio(opened, sent),
          ratio(clicked, sent)};
}

// Events (kind = type) and purchases (kind −1) up to `as_of_end`, as rows keyed by customer.
KeyedRows moments_table(const EventRows& events, const PurchaseTimes& purchases, int64_t as_of_end,
                        const std::string& source) {
  KeyedRows rows{source, 2, {}, {}};
  for (std::size_t i = 0; i < events.customer_id.size(); ++i)
    if (events.timestamp[i] < as_of_end) {
      rows.id.push_back(events.customer_id[i]);
      rows.values.insert(rows.values.end(), {double(events.timestamp[i]), double(static_cast<int32_t>(events.type[i]))});
    }
  for (std::size_t i = 0; i < purchases.customer_id.size(); ++i)
    if (purchases.timestamp[i] < as_of_end) {
      rows.id.push_back(purchases.customer_id[i]);
      rows.values.insert(rows.values.end(), {double(purchases.timestamp[i]), -1.0});
    }
  return rows;
}

}  // namespace

const std::vector<std::string>& event_type_labels() {
  static const std::vector<std::string> labels = {"session",    "product_view", "add_to_cart", "checkout",
                                                  "email_sent", "email_open",   "email_click"};
  return labels;
}

const std::vector<std::string>& engagement_feature_names() {
  static const std::vector<std::string> names = {"sessions",         "days_since_last_visit", "conversion_rate",
                                                 "cart_abandonment", "email_open_rate",       "email_click_rate"};
  return names;
}

AttributeColumns engagement_features(const EventRows& events, const PurchaseTimes& purchases, int64_t as_of_day,
                                     const std::string& source, const Communicator& comm) {
  const int64_t as_of_end = (as_of_day + 1) * kDay;
  const KeyedRows mine = rows_at_owners(moments_table(events, purchases, as_of_end, source), comm);
  const std::vector<std::string>& names = engagement_feature_names();
  AttributeColumns out{{source, static_cast<int>(names.size()), {}, {}}, names,
                       std::vector<std::vector<std::string>>(names.size())};
  std::vector<Moment> moments;
  bool any_event = false;
  for (std::size_t i = 0; i < mine.id.size(); ++i) {
    moments.push_back({static_cast<int64_t>(mine.values[2 * i]), static_cast<int32_t>(mine.values[2 * i + 1])});
    any_event = any_event || moments.back().kind >= 0;
    if (i + 1 < mine.id.size() && mine.id[i + 1] == mine.id[i]) continue;
    std::sort(moments.begin(), moments.end(),
              [](const Moment& a, const Moment& b) { return std::tie(a.time, a.kind) < std::tie(b.time, b.kind); });
    if (any_event) {  // a customer who only bought has no engagement row: unknown, not zero visits
      out.rows.id.push_back(mine.id[i]);
      const std::vector<double> f = features_of(moments, as_of_end);
      out.rows.values.insert(out.rows.values.end(), f.begin(), f.end());
    }
    moments.clear();
    any_event = false;
  }
  return out;
}

}  // namespace kseg
