#include "customers/customer_features.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <numeric>

#include "common/errors.hpp"
#include "common/huge_pages.hpp"
#include "common/value_ranges.hpp"
#include "common/spread.hpp"
#include "kernels/feature_kernels.hpp"

namespace kseg {
namespace {


// Keeps the lines dated on or before the as-of day, in place and in order; returns how many.
// (Capacity is kept: giving it back would copy every column once more.)
std::size_t keep_up_to(TransactionColumns& lines, int64_t as_of_day) {
  const std::size_t n = lines.size();
  std::vector<uint8_t> kept(n);
  std::size_t count = 0;
  const int64_t end = start_of_next_day(as_of_day);
  for (std::size_t i = 0; i < n; ++i) count += kept[i] = lines.timestamp[i] < end;
  if (count == n) return n;
  lines.for_each_column([&](auto& column) {
    if (column.empty()) return;
    std::size_t k = 0;
    for (std::size_t i = 0; i < n; ++i) column[k] = column[i], k += kept[i];
    column.resize(count);
  });
  return count;
}

// Number of codes in a coded column over all ranks: the labels' count when it has labels, else
// one more than the largest code. Refused: a negative code, one outside the labels, one of
// `limit` or more.
int32_t code_count(const std::vector<int32_t>& codes, const std::vector<std::string>& labels, const char* column,
                   int32_t limit, const std::string& source, const Communicator& comm) {
  int64_t low = 0, high = -1;
  for (int32_t c : codes) low = std::min<int64_t>(low, c), high = std::max<int64_t>(high, c);
  low = comm.min(low), high = comm.max(high);
  const std::string where = source + ":/transactions/" + column;
  if (low < 0) refuse(where + ": code " + std::to_string(low) + " is negative; codes must be >= 0");
  if (!labels.empty() && high >= static_cast<int64_t>(labels.size()))
    refuse(where + ": code " + std::to_string(high) + " is outside its " + std::to_string(labels.size()) +
           " labels (attribute labels); codes must be 0.." + std::to_string(labels.size() - 1));
  if (high >= limit)
    refuse(where + ": code " + std::to_string(high) + " is too large; kseg takes codes 0.." + std::to_string(limit - 1));
  return labels.empty() ? static_cast<int32_t>(high + 1) : static_cast<int32_t>(labels.size());
}

// Category code → output column: the `top` categories with most purchase lines (ties: smaller
// code) get their own column in that order, every other code the "other" column after them.
std::vector<int32_t> category_columns(const TransactionColumns& lines, int32_t codes, int top, int first_column,
                                      std::vector<int32_t>& top_codes, const Communicator& comm) {
  std::vector<int64_t> purchases(codes, 0);
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines.amount[i] >= 0) purchases[lines.category[i]] += 1;
  comm.sum(purchases.data(), purchases.size());
  std::vector<int32_t> by_count(codes);
  std::iota(by_count.begin(), by_count.end(), 0);
  std::stable_sort(by_count.begin(), by_count.end(), [&](int32_t a, int32_t b) { return purchases[a] > purchases[b]; });
  top_codes.assign(by_count.begin(), by_count.begin() + std::min<int32_t>(top, codes));
  std::vector<int32_t> column(codes, first_column + static_cast<int32_t>(top_codes.size()));
  for (std::size_t rank = 0; rank < top_codes.size(); ++rank) column[top_codes[rank]] = first_column + static_cast<int32_t>(rank);
  return column;
}

std::string label_or_code(const std::vector<std::string>& labels, int32_t code) {
  return code < static_cast<int32_t>(labels.size()) ? labels[code] : std::to_string(code);
}

FeatureLayout make_layout(const TransactionSchema& schema, const std::vector<int32_t>& top_codes, int32_t channels,
                          std::vector<std::string>& names) {
  FeatureLayout layout;
  auto add = [&](const std::string& name) {
    names.push_back(name);
    return layout.columns++;
  };
  layout.recency_days = add("recency_days");
  layout.frequency = add("frequency");
  layout.monetary = add("monetary");
  layout.aov = add("aov");
  layout.tenure_days = add("tenure_days");
  layout.gap_mean_days = add("gap_mean_days");
  layout.gap_std_days = add("gap_std_days");
  if (schema.quantity) layout.items_per_order = add("items_per_order");
  layout.return_rate = add("return_rate");
  if (schema.discount) layout.discount_share = add("discount_share");
  if (schema.category) {
    layout.category_first = layout.columns;
    for (int32_t code : top_codes) add("category_share_" + label_or_code(schema.category_labels, code));
    add("category_share_other");
    layout.category_count = layout.columns - layout.category_first;
  }
  if (schema.channel) {
    layout.channel_first = layout.columns;
    for (int32_t code = 0; code < channels; ++code) add("channel_share_" + label_or_code(schema.channel_labels, code));
    layout.channel_count = channels;
  }
  layout.bgnbd_x = add("bgnbd_x");
  layout.bgnbd_t_x = add("bgnbd_t_x");
  layout.bgnbd_T = add("bgnbd_T");
  layout.bgnbd_zbar = add("bgnbd_zbar");
  layout.bought_current_period = add("bought_current_period");
  layout.bought_previous_period = add("bought_previous_period");
  return layout;
}

// shuffle_by_customer with slots of type Slot, wide enough for the rank's line count: the slots
// are read once per column, so 4 bytes instead of 8 are a seventh less memory traffic.
template <typename Slot>
std::size_t shuffle_with_slots(TransactionColumns& lines, int64_t as_of_day, const Communicator& comm) {
  const std::size_t n = lines.size(), ranks = static_cast<std::size_t>(comm.size());
  std::vector<int64_t> counts(ranks + 1, 0), send;
  std::vector<Slot> slot;  // each line's rank, then its place in `send`
  resize_on_huge_pages(slot, n);
  const int64_t end = start_of_next_day(as_of_day);
  for (std::size_t i = 0; i < n; ++i) {
    const bool kept = lines.timestamp[i] < end;
    counts[slot[i] = static_cast<Slot>(kept ? rank_of_customer(lines.customer_id[i], static_cast<int>(ranks)) : ranks)] += 1;
  }
  std::vector<Slot> next(ranks + 1, 0);
  for (std::size_t r = 1; r <= ranks; ++r) next[r] = static_cast<Slot>(next[r - 1] + counts[r - 1]);
  for (Slot& s : slot) s = next[s]++;
  const std::size_t sent = n - static_cast<std::size_t>(counts.back());
  counts.pop_back();
  resize_on_huge_pages(send, n);  // as wide as the widest column
  lines.for_each_column([&](auto& column) {
    using Value = std::decay_t<decltype(column[0])>;
    static_assert(sizeof(Value) <= sizeof(int64_t) && alignof(Value) <= alignof(int64_t));
    if (column.empty() && n > 0) return;
    Value* packed = reinterpret_cast<Value*>(send.data());
    for (std::size_t i = 0; i < n; ++i) packed[slot[i]] = column[i];
    comm.all_to_all(packed, counts, column);
  });
  return sent;
}

// All of a customer's lines dated on or before the as-of day to rank rank_of_customer(id), one
// column at a time through one send buffer, each column received into its own memory (fresh
// pages cost a fault each); later lines are packed last and not sent. Returns how many lines this
// rank sent. Lines arrive grouped by source rank in rank order, i.e. in the file's order: ties in
// the kernels' grouping resolve the same way for any number of ranks.
std::size_t shuffle_by_customer(TransactionColumns& lines, int64_t as_of_day, const Communicator& comm) {
  return lines.size() < UINT32_MAX ? shuffle_with_slots<uint32_t>(lines, as_of_day, comm)
                                   : shuffle_with_slots<uint64_t>(lines, as_of_day, comm);
}

// The positions of `ids` in increasing id order, for ids made of a few ascending runs (one per
// sending rank): the runs merged pairwise, O(n log runs).
std::vector<std::size_t> merged_order(const std::vector<int64_t>& ids) {
  std::vector<std::size_t> order(ids.size()), bounds{0};
  std::iota(order.begin(), order.end(), 0);
  for (std::size_t k = 1; k < ids.size(); ++k)
    if (ids[k] < ids[k - 1]) bounds.push_back(k);
  bounds.push_back(ids.size());
  const auto less = [&](std::size_t a, std::size_t b) { return ids[a] < ids[b]; };
  while (bounds.size() > 2) {
    std::vector<std::size_t> merged{0};
    for (std::size_t b = 0; b + 2 < bounds.size(); b += 2) {
      std::inplace_merge(order.begin() + bounds[b], order.begin() + bounds[b + 1], order.begin() + bounds[b + 2], less);
      merged.push_back(bounds[b + 2]);
    }
    if (bounds.size() % 2 == 0) merged.push_back(bounds.back());  // an odd run out passes through
    bounds.swap(merged);
  }
  return order;
}

// Sample sort of the per-customer rows (sorted by id on each rank) into id ranges, rank r
// holding the r-th range, still sorted: received pieces are each sorted and come in range order.
CustomerFeatureRows redistribute_by_id(const CustomerFeatureRows& rows, int columns, const Communicator& comm) {
  const std::size_t n = rows.customer_id.size(), ranks = static_cast<std::size_t>(comm.size());
  std::vector<int64_t> samples;
  for (std::size_t s = 0; n > 0 && s < ranks; ++s) samples.push_back(rows.customer_id[s * n / ranks]);
  std::vector<int64_t> all_samples = comm.all_gather_values(samples);
  std::sort(all_samples.begin(), all_samples.end());
  std::vector<int64_t> splitters;
  for (std::size_t r = 1; r < ranks && !all_samples.empty(); ++r) splitters.push_back(all_samples[r * all_samples.size() / ranks]);

  std::vector<int64_t> id_counts(ranks, 0), value_counts(ranks, 0);
  for (int64_t id : rows.customer_id) id_counts[std::upper_bound(splitters.begin(), splitters.end(), id) - splitters.begin()] += 1;
  for (std::size_t r = 0; r < ranks; ++r) value_counts[r] = id_counts[r] * columns;
  CustomerFeatureRows out{comm.all_to_all(rows.customer_id, id_counts), comm.all_to_all(rows.values, value_counts)};
  // Pieces from different ranks interleave within the range: order by id, rows with them.
  const std::vector<std::size_t> order = merged_order(out.customer_id);
  CustomerFeatureRows sorted;
  sorted.customer_id.reserve(order.size());
  sorted.values.resize(out.values.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    sorted.customer_id.push_back(out.customer_id[order[k]]);
    std::copy_n(&out.values[order[k] * columns], columns, &sorted.values[k * columns]);
  }
  return sorted;
}

CustomerFeatureRows reduce_per_customer(const TransactionColumns& lines, const FeatureLayout& layout,
                                       const FeatureKernelParams& params, bool cuda) {
  return cuda ? customer_features_cuda(lines, layout, params) : customer_features_cpu(lines, layout, params);
}

CustomerFeatureTable finish_table(CustomerFeatureTable table, CustomerFeatureRows rows, const Communicator& comm) {
  table.customer_id = std::move(rows.customer_id);
  table.matrix = std::move(rows.values);
  table.total_customers = comm.sum(static_cast<int64_t>(table.customer_id.size()));
  table.first_row = comm.exclusive_prefix_sum(static_cast<int64_t>(table.customer_id.size()));
  return table;
}

}  // namespace

std::string iso_date(int64_t day) {  // civil_from_days (H. Hinnant)
  const int64_t z = day + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
  std::ostringstream text;
  text << std::setfill('0') << std::setw(4) << y << '-' << std::setw(2) << m << '-' << std::setw(2) << d;
  return text.str();
}

TransactionColumns lines_in_window(const TransactionColumns& lines, int64_t after_day, int64_t last_day) {
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int64_t day = unix_day(lines.timestamp[i]);
    if (day > after_day && day <= last_day) keep.push_back(i);
  }
  TransactionColumns window;
  auto take = [&](auto& to, const auto& from) {
    if (from.empty()) return;
    for (std::size_t i : keep) to.push_back(from[i]);
  };
  take(window.customer_id, lines.customer_id), take(window.timestamp, lines.timestamp), take(window.amount, lines.amount);
  take(window.order_id, lines.order_id), take(window.quantity, lines.quantity), take(window.category, lines.category);
  take(window.channel, lines.channel), take(window.discount, lines.discount);
  return window;
}

CustomerFeatureTable build_customer_features(TransactionColumns lines, const TransactionSchema& schema,
                                             const FeatureOptions& options, const std::string& source,
                                             const Communicator& comm) {
  CustomerFeatureTable table;
  table.lines_total = comm.sum(static_cast<int64_t>(lines.size()));
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (int64_t t : lines.timestamp) first = std::min(first, t), last = std::max(last, t);
  table.first_day = unix_day(comm.min(first));
  table.last_day = unix_day(comm.max(last));
  table.as_of_day = options.as_of_day;
  // One rank keeps its lines in place; several leave the later lines out as they shuffle.
  const std::size_t kept_here = comm.size() == 1 ? keep_up_to(lines, options.as_of_day)
                                                 : shuffle_by_customer(lines, options.as_of_day, comm);
  const int64_t lines_kept = comm.sum(static_cast<int64_t>(kept_here));
  table.lines_after_as_of = table.lines_total - lines_kept;
  if (lines_kept == 0) {
    refuse(source + ": the as-of date " + iso_date(options.as_of_day) + " is before every transaction (the first is on " +
           iso_date(table.first_day) + ")");
  }

  FeatureKernelParams params;
  params.as_of_day = options.as_of_day;
  params.time_unit_days = options.time_unit_days;
  params.period_days = options.period_days;
  std::vector<int32_t> top_codes;
  int32_t channels = 0;
  if (schema.category) {
    const int32_t codes =
        code_count(lines.category, schema.category_labels, "category", kMaxCategoryCodes, source, comm);
    params.category_column = category_columns(lines, codes, options.top_categories, /*first_column=*/0, top_codes, comm);
  }
  if (schema.channel)
    channels = code_count(lines.channel, schema.channel_labels, "channel", kMaxChannelCodes, source, comm);
  const FeatureLayout layout = make_layout(schema, top_codes, channels, table.names);
  for (int32_t& column : params.category_column) column += layout.category_first;

  if (comm.size() == 1) {  // one rank already holds every customer, in id order after the kernels
    return finish_table(std::move(table), reduce_per_customer(lines, layout, params, options.use_cuda), comm);
  }
  const CustomerFeatureRows mine = reduce_per_customer(lines, layout, params, options.use_cuda);
  const int64_t customers = comm.sum(static_cast<int64_t>(mine.customer_id.size()));
  if (customers < comm.size())
    refuse(source + ": " + std::to_string(customers) + " customer(s) bought by the as-of date cannot be split over " +
           std::to_string(comm.size()) + " ranks; run with at most " + std::to_string(std::max<int64_t>(customers, 1)) +
           " rank(s)");
  return finish_table(std::move(table), redistribute_by_id(mine, layout.columns, comm), comm);
}


}  // namespace kseg
