#include "cluster/customer_features.hpp"

#include <algorithm>
#include <cstring>
#include <iomanip>
#include <sstream>
#include <numeric>

#include "common/errors.hpp"
#include "kernels/feature_kernels.hpp"

namespace kseg {
namespace {

[[noreturn]] void refuse(const std::string& message) { throw InputError(message, ErrorScope::all_ranks); }

std::string iso_date(int64_t day) {  // civil_from_days (H. Hinnant)
  const int64_t z = day + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
  std::ostringstream text;
  text << std::setfill('0') << std::setw(4) << y << '-' << std::setw(2) << m << '-' << std::setw(2) << d;
  return text.str();
}

TransactionColumns lines_up_to(const TransactionColumns& all, const TransactionSchema& schema, int64_t as_of_day) {
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (unix_day(all.timestamp[i]) <= as_of_day) keep.push_back(i);
  TransactionColumns kept;
  kept.resize(schema, keep.size());
  for (std::size_t k = 0; k < keep.size(); ++k) {
    const std::size_t i = keep[k];
    kept.customer_id[k] = all.customer_id[i];
    kept.timestamp[k] = all.timestamp[i];
    kept.amount[k] = all.amount[i];
    if (schema.order_id) kept.order_id[k] = all.order_id[i];
    if (schema.quantity) kept.quantity[k] = all.quantity[i];
    if (schema.category) kept.category[k] = all.category[i];
    if (schema.channel) kept.channel[k] = all.channel[i];
    if (schema.discount) kept.discount[k] = all.discount[i];
  }
  return kept;
}

// Number of codes in a coded column over all ranks; negative codes are refused.
int32_t code_count(const std::vector<int32_t>& codes, const char* column, const std::string& source,
                   const Communicator& comm) {
  int64_t low = 0, high = -1;
  for (int32_t c : codes) low = std::min<int64_t>(low, c), high = std::max<int64_t>(high, c);
  if (comm.min(low) < 0) refuse(source + ":/transactions/" + column + ": codes must be >= 0");
  return static_cast<int32_t>(comm.max(high) + 1);
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
  return layout;
}

uint64_t mix(uint64_t x) {  // splitmix64 finaliser: spreads consecutive ids over ranks
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Appends the raw bytes of element i of every present column; unpack() reads them back.
struct LineCodec {
  const TransactionSchema& schema;

  template <typename T>
  static void put(std::vector<std::byte>& out, const std::vector<T>& column, std::size_t i) {
    if (column.empty()) return;
    const auto* p = reinterpret_cast<const std::byte*>(&column[i]);
    out.insert(out.end(), p, p + sizeof(T));
  }
  template <typename T>
  static void take(const std::byte*& in, std::vector<T>& column, std::size_t i) {
    if (column.empty()) return;
    std::memcpy(&column[i], in, sizeof(T));
    in += sizeof(T);
  }
  std::size_t record_bytes() const {
    return 24 + (schema.order_id ? 8 : 0) + (schema.quantity ? 4 : 0) + (schema.category ? 4 : 0) +
           (schema.channel ? 4 : 0) + (schema.discount ? 8 : 0);
  }
  void pack(std::vector<std::byte>& out, const TransactionColumns& c, std::size_t i) const {
    put(out, c.customer_id, i), put(out, c.timestamp, i), put(out, c.amount, i), put(out, c.order_id, i);
    put(out, c.quantity, i), put(out, c.category, i), put(out, c.channel, i), put(out, c.discount, i);
  }
  TransactionColumns unpack(const std::vector<std::byte>& bytes) const {
    TransactionColumns c;
    c.resize(schema, bytes.size() / record_bytes());
    const std::byte* in = bytes.data();
    for (std::size_t i = 0; i < c.size(); ++i) {
      take(in, c.customer_id, i), take(in, c.timestamp, i), take(in, c.amount, i), take(in, c.order_id, i);
      take(in, c.quantity, i), take(in, c.category, i), take(in, c.channel, i), take(in, c.discount, i);
    }
    return c;
  }
};

// All of a customer's lines to rank hash(id) % ranks. Lines arrive grouped by source rank in
// rank order, i.e. in the file's order: ties in the kernels' sort resolve the same way for any
// number of ranks.
TransactionColumns shuffle_by_customer(const TransactionColumns& lines, const TransactionSchema& schema,
                                       const Communicator& comm) {
  const LineCodec codec{schema};
  std::vector<std::vector<std::size_t>> to(comm.size());
  for (std::size_t i = 0; i < lines.size(); ++i) to[mix(lines.customer_id[i]) % comm.size()].push_back(i);
  std::vector<std::byte> send;
  send.reserve(lines.size() * codec.record_bytes());
  std::vector<int64_t> counts(comm.size());
  for (int r = 0; r < comm.size(); ++r) {
    for (std::size_t i : to[r]) codec.pack(send, lines, i);
    counts[r] = static_cast<int64_t>(to[r].size() * codec.record_bytes());
  }
  return codec.unpack(comm.all_to_all(send, counts));
}

// Sample sort of the per-customer rows into id ranges, rank r holding the r-th range.
CustomerFeatureRows redistribute_by_id(const CustomerFeatureRows& rows, int columns, const Communicator& comm) {
  const std::size_t n = rows.customer_id.size(), ranks = static_cast<std::size_t>(comm.size());
  std::vector<std::byte> samples;
  for (std::size_t s = 0; n > 0 && s < ranks; ++s) {
    const int64_t id = rows.customer_id[s * n / ranks];
    const auto* p = reinterpret_cast<const std::byte*>(&id);
    samples.insert(samples.end(), p, p + sizeof id);
  }
  const std::vector<std::byte> gathered = comm.all_gather(samples);
  std::vector<int64_t> all_samples(gathered.size() / sizeof(int64_t));
  std::memcpy(all_samples.data(), gathered.data(), gathered.size());
  std::sort(all_samples.begin(), all_samples.end());
  std::vector<int64_t> splitters;
  for (std::size_t r = 1; r < ranks && !all_samples.empty(); ++r) splitters.push_back(all_samples[r * all_samples.size() / ranks]);

  const std::size_t record = sizeof(int64_t) + sizeof(double) * columns;
  std::vector<std::byte> send(n * record);
  std::vector<int64_t> counts(ranks, 0);
  for (std::size_t i = 0; i < n; ++i) {  // ids are sorted, so destinations are non-decreasing
    const int64_t id = rows.customer_id[i];
    counts[std::upper_bound(splitters.begin(), splitters.end(), id) - splitters.begin()] += record;
    std::memcpy(&send[i * record], &id, sizeof id);
    std::memcpy(&send[i * record + sizeof id], &rows.values[i * columns], sizeof(double) * columns);
  }
  const std::vector<std::byte> received = comm.all_to_all(send, counts);
  const std::size_t m = received.size() / record;
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  auto id_at = [&](std::size_t i) {
    int64_t id;
    std::memcpy(&id, &received[i * record], sizeof id);
    return id;
  };
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return id_at(a) < id_at(b); });
  CustomerFeatureRows out;
  out.customer_id.resize(m);
  out.values.resize(m * columns);
  for (std::size_t k = 0; k < m; ++k) {
    out.customer_id[k] = id_at(order[k]);
    std::memcpy(&out.values[k * columns], &received[order[k] * record + sizeof(int64_t)], sizeof(double) * columns);
  }
  return out;
}

}  // namespace

CustomerFeatureTable build_customer_features(const TransactionColumns& lines, const TransactionSchema& schema,
                                             const FeatureOptions& options, const std::string& source,
                                             const Communicator& comm) {
  CustomerFeatureTable table;
  const TransactionColumns kept = lines_up_to(lines, schema, options.as_of_day);
  table.lines_total = comm.sum(static_cast<int64_t>(lines.size()));
  const int64_t lines_kept = comm.sum(static_cast<int64_t>(kept.size()));
  table.lines_after_as_of = table.lines_total - lines_kept;
  if (lines_kept == 0) {
    int64_t first = INT64_MAX;
    for (int64_t t : lines.timestamp) first = std::min(first, t);
    refuse(source + ": --as-of " + iso_date(options.as_of_day) + " is before every transaction (the first is on " +
           iso_date(unix_day(comm.min(first))) + ")");
  }

  FeatureKernelParams params;
  params.as_of_day = options.as_of_day;
  params.time_unit_days = options.time_unit_days;
  std::vector<int32_t> top_codes;
  int32_t channels = 0;
  if (schema.category) {
    const int32_t codes = code_count(kept.category, "category", source, comm);
    params.category_column = category_columns(kept, codes, options.top_categories, /*first_column=*/0, top_codes, comm);
  }
  if (schema.channel)
    channels = std::max<int32_t>(code_count(kept.channel, "channel", source, comm),
                                 static_cast<int32_t>(schema.channel_labels.size()));
  const FeatureLayout layout = make_layout(schema, top_codes, channels, table.names);
  for (int32_t& column : params.category_column) column += layout.category_first;

  const TransactionColumns mine = shuffle_by_customer(kept, schema, comm);
  const CustomerFeatureRows rows =
      redistribute_by_id(customer_features_cpu(mine, schema, layout, params), layout.columns, comm);
  table.customer_id = rows.customer_id;
  table.matrix.assign(rows.values.begin(), rows.values.end());
  table.total_customers = comm.sum(static_cast<int64_t>(rows.customer_id.size()));
  table.first_row = comm.exclusive_prefix_sum(static_cast<int64_t>(rows.customer_id.size()));
  return table;
}

}  // namespace kseg
