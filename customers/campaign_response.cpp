#include "customers/campaign_response.hpp"

#include <algorithm>
#include <tuple>

#include "common/exact_sum.hpp"
#include "common/spread.hpp"
#include "customers/campaign_groups.hpp"
#include "customers/customer_join.hpp"

namespace kseg {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

// A line of the window on its way to the rank that owns its customer.
struct WindowLine {
  int64_t customer_id;
  int64_t order;  // order id, or the day of the line when the file has none
  double amount;
};

std::vector<WindowLine> shuffle_window_lines(const TransactionColumns& lines, bool has_order_id, int64_t begin,
                                             int64_t end, const Communicator& comm) {
  const int ranks = comm.size();
  std::vector<int64_t> counts(ranks, 0);
  std::vector<std::pair<int, WindowLine>> kept;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int64_t t = lines.timestamp[i];
    if (t < begin || t >= end) continue;
    const int64_t order = has_order_id ? lines.order_id[i] : (t >= 0 ? t : t - kSecondsPerDay + 1) / kSecondsPerDay;
    const int owner = rank_of_customer(lines.customer_id[i], ranks);
    ++counts[owner];
    kept.push_back({owner, {lines.customer_id[i], order, lines.amount[i]}});
  }
  std::stable_sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<WindowLine> send;
  send.reserve(kept.size());
  for (const auto& k : kept) send.push_back(k.second);
  return comm.all_to_all(send, counts);
}

// One row per customer with lines in the window: converted (0/1), revenue, orders.
KeyedRows per_customer_response(std::vector<WindowLine> lines, const std::string& name) {
  std::sort(lines.begin(), lines.end(), [](const WindowLine& a, const WindowLine& b) {
    return std::tie(a.customer_id, a.order) < std::tie(b.customer_id, b.order);
  });
  KeyedRows rows{name, 3, {}, {}};
  for (std::size_t i = 0; i < lines.size();) {
    const int64_t id = lines[i].customer_id;
    ExactSum revenue;  // exact: the same total whatever order the lines arrived in
    int64_t orders = 0, last_counted = 0;
    for (; i < lines.size() && lines[i].customer_id == id; ++i) {
      revenue.add(lines[i].amount);
      const bool new_purchase = lines[i].amount > 0 && (orders == 0 || lines[i].order != last_counted);
      if (new_purchase) ++orders, last_counted = lines[i].order;
    }
    rows.id.push_back(id);
    rows.values.insert(rows.values.end(), {orders > 0 ? 1.0 : 0.0, revenue.to_double(), static_cast<double>(orders)});
  }
  return rows;
}

struct PlannedCustomer {
  std::size_t slot;  // 2 × segment index + group
  bool converted;
  double revenue;
  int64_t orders;
};

// Per slot (2 × segment + group, then the two totals): exact sums over all ranks.
class GroupTotals {
 public:
  explicit GroupTotals(std::size_t segments) : slots_(2 * segments + 2), customers_(slots_), converted_(slots_),
                                               orders_(slots_), revenue_(slots_), deviation_(slots_) {}

  void add(const std::vector<PlannedCustomer>& customers, const Communicator& comm) {
    for (const PlannedCustomer& c : customers)
      for (const std::size_t slot : {c.slot, total_slot(c.slot)}) {
        ++customers_[slot];
        converted_[slot] += c.converted;
        orders_[slot] += c.orders;
        revenue_[slot].add(c.revenue);
      }
    for (std::vector<int64_t>* counts : {&customers_, &converted_, &orders_}) comm.sum(counts->data(), slots_);
    comm.sum(revenue_.data(), slots_);
    std::vector<double> mean(slots_);
    for (std::size_t s = 0; s < slots_; ++s) mean[s] = customers_[s] ? revenue_[s].to_double() / customers_[s] : 0.0;
    for (const PlannedCustomer& c : customers)  // a second pass: deviations from the global means
      for (const std::size_t slot : {c.slot, total_slot(c.slot)}) {
        const double deviation = c.revenue - mean[slot];
        deviation_[slot].add(deviation * deviation);
      }
    comm.sum(deviation_.data(), slots_);
  }

  GroupResponse response(std::size_t slot) const {
    return {customers_[slot], converted_[slot], orders_[slot], revenue_[slot].to_double(), deviation_[slot].to_double()};
  }
  std::size_t total_slot(std::size_t slot) const { return slots_ - 2 + slot % 2; }

 private:
  std::size_t slots_;
  std::vector<int64_t> customers_, converted_, orders_;
  std::vector<ExactSum> revenue_, deviation_;
};

}  // namespace

CampaignResponse measure_campaign_response(const PlanRows& plan, const TransactionColumns& lines, bool has_order_id,
                                           int64_t begin, int64_t end, const std::string& lines_name,
                                           const Communicator& comm) {
  CampaignResponse r;
  r.segment_ids = all_segment_ids(plan.segment, comm);
  std::vector<WindowLine> window = shuffle_window_lines(lines, has_order_id, begin, end, comm);
  r.lines_in_window = comm.sum(static_cast<int64_t>(window.size()));
  const KeyedRows response = per_customer_response(std::move(window), lines_name);

  KeyedRows planned{plan.name, 2, plan.customer_id, {}};
  planned.values.reserve(2 * plan.customer_id.size());
  for (std::size_t i = 0; i < plan.customer_id.size(); ++i) {
    const auto at = std::lower_bound(r.segment_ids.begin(), r.segment_ids.end(), plan.segment[i]);
    planned.values.insert(planned.values.end(),
                          {static_cast<double>(at - r.segment_ids.begin()), static_cast<double>(plan.group[i])});
  }
  std::vector<PlannedCustomer> customers;
  int64_t outside = 0;
  join_by_customer(planned, response, comm, [&](int64_t, const double* in_plan, const double* bought) {
    if (!in_plan) {
      ++outside;
      return;
    }
    const std::size_t slot = 2 * static_cast<std::size_t>(in_plan[0]) + static_cast<std::size_t>(in_plan[1]);
    customers.push_back({slot, bought && bought[0] > 0, bought ? bought[1] : 0.0,
                         bought ? static_cast<int64_t>(bought[2]) : 0});
  });
  r.buyers_outside_plan = comm.sum(outside);

  GroupTotals totals(r.segment_ids.size());
  totals.add(customers, comm);
  for (std::size_t s = 0; s < r.segment_ids.size(); ++s) {
    r.treated.push_back(totals.response(2 * s + CampaignGroups::kTreated));
    r.control.push_back(totals.response(2 * s + CampaignGroups::kControl));
  }
  r.all_treated = totals.response(totals.total_slot(CampaignGroups::kTreated));
  r.all_control = totals.response(totals.total_slot(CampaignGroups::kControl));
  return r;
}

}  // namespace kseg
