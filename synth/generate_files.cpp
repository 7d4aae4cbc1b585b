#include "synth/generate_files.hpp"

#include <algorithm>

#include "common/errors.hpp"
#include "common/version.hpp"
#include "customers/campaign_groups.hpp"
#include "io/atomic_output.hpp"
#include "io/campaign_files.hpp"
#include "io/customer_attributes.hpp"
#include "io/event_file.hpp"
#include "io/feature_file.hpp"
#include "io/timestamp_parse.hpp"
#include "io/transaction_file.hpp"
#include "synth/synthetic_blobs.hpp"
#include "synth/synthetic_events.hpp"
#include "synth/synthetic_retailer.hpp"

namespace kseg {
namespace {

constexpr int64_t kRowsPerChunk = 1 << 20;  // bounds a rank's memory whatever --customers is
constexpr int64_t kCustomersPerChunk = 100000;  // about 2M transactions, ~100 MB

// As many chunks as the largest block (rank 0's) needs: every rank makes that many collective
// writes, some of them empty.
int64_t chunks_per_rank(int64_t rows, const Communicator& comm, int64_t chunk_rows) {
  return (row_block(rows, comm.size(), 0).count + chunk_rows - 1) / chunk_rows;
}

// Rows of chunk c of a rank's block; none once past its end.
RowBlock chunk_of(const RowBlock& block, int64_t c, int64_t chunk_rows) {
  const int64_t begin = std::min(block.count, c * chunk_rows);
  return {block.first + begin, std::min(block.count, begin + chunk_rows) - begin};
}

void refuse_fewer_customers_than_ranks(const GenerateOptions& o, const Communicator& comm) {
  if (o.customers < comm.size())
    throw InputError("--customers " + std::to_string(o.customers) + " is fewer than the " +
                         std::to_string(comm.size()) + " ranks", ErrorScope::all_ranks);
}

std::vector<std::string> names_or_default(const GenerateOptions& o) {
  if (o.feature_names.empty()) {
    std::vector<std::string> names;
    for (int j = 0; j < o.features; ++j) names.push_back("f" + std::to_string(j));
    return names;
  }
  if (static_cast<int>(o.feature_names.size()) != o.features)
    throw InputError("--feature-names lists " + std::to_string(o.feature_names.size()) + " names for --features " +
                         std::to_string(o.features), ErrorScope::all_ranks);
  return o.feature_names;
}

int64_t day_option(const char* option, const std::string& date) {
  const std::optional<int64_t> seconds = parse_timestamp(date, TimestampFormat::iso);
  if (!seconds) throw InputError(std::string(option) + " " + date + ": not a date (YYYY-MM-DD)", ErrorScope::all_ranks);
  return *seconds;
}

RetailerSpec retailer_spec(const GenerateOptions& o) {
  constexpr int64_t kDay = 86400;  // --end names the last day of the window, which is included
  return {o.seed, day_option("--start", o.start), day_option("--end", o.end) + kDay, o.categories, o.channels};
}

// The plan's treated customers of the uplift's segment, each sent to the rank that generates it
// (ids outside the generated customers are dropped: the plan may be of another file).
RetailUplift read_uplift(const GenerateOptions& o, const RetailerModel& model, const Communicator& comm,
                         const Logger& log) {
  RetailUplift uplift;
  if (o.uplift_plan.empty()) return uplift;
  if (!(o.uplift > 0 && o.uplift <= 1)) refuse("--uplift " + value_text(o.uplift) + ": must be a chance above 0, at most 1");
  uplift.probability = o.uplift;
  uplift.from = day_option("--uplift-from", o.uplift_from);
  if (uplift.from < model.spec.start || uplift.from >= model.spec.end)
    refuse("--uplift-from " + o.uplift_from + ": not a day from --start " + o.start + " to --end " + o.end);
  const CampaignPlan plan = read_campaign_plan(o.uplift_plan, comm);
  const std::vector<int32_t> segments = all_segment_ids(plan.rows.segment, comm);
  if (!std::binary_search(segments.begin(), segments.end(), o.uplift_segment)) {
    std::string known;
    for (const int32_t s : segments) known += (known.empty() ? "" : ", ") + std::to_string(s);
    refuse("--uplift-segment " + std::to_string(o.uplift_segment) + ": not a segment of " + o.uplift_plan +
           " (its segments: " + known + ")");
  }
  std::vector<std::vector<int64_t>> to_rank(comm.size());
  int64_t elsewhere = 0, treated = 0;
  for (std::size_t i = 0; i < plan.rows.customer_id.size(); ++i) {
    if (plan.rows.segment[i] != o.uplift_segment || plan.rows.group[i] != CampaignGroups::kTreated) continue;
    const int64_t index = plan.rows.customer_id[i] - kFirstRetailCustomerId;
    ++treated;
    if (index < 0 || index >= o.customers) ++elsewhere;
    else to_rank[owner_of_row(o.customers, comm.size(), index)].push_back(plan.rows.customer_id[i]);
  }
  std::vector<int64_t> send, counts;
  for (const std::vector<int64_t>& ids : to_rank) send.insert(send.end(), ids.begin(), ids.end()), counts.push_back(static_cast<int64_t>(ids.size()));
  uplift.customers = comm.all_to_all(send, counts);
  std::sort(uplift.customers.begin(), uplift.customers.end());
  log.line("uplift    ", with_thousands(comm.sum(treated)), " treated customers of segment ", o.uplift_segment, " in ",
           o.uplift_plan, " get an extra order with chance ", o.uplift, " from ", o.uplift_from, " (",
           with_thousands(comm.sum(elsewhere)), " of them are not among the generated customers)");
  return uplift;
}

// Each rank's customers' rows, chunk by chunk, after the rows of all lower ranks (`first_row`).
// With `events`, also each customer's engagement events (kept in memory until written).
void write_transactions(const std::string& path, const RetailerModel& model, const RetailUplift& uplift,
                        const RowBlock& block, int64_t chunks, int64_t first_row, int64_t total_rows,
                        const Communicator& comm, const Logger& log, EventRows* events) {
  TransactionFileWriter writer(path, total_rows, model.schema, comm);
  TransactionColumns rows;
  for (int64_t c = 0, at = first_row; c < chunks; ++c) {  // the same number of collective writes on every rank
    const RowBlock customers = chunk_of(block, c, kCustomersPerChunk);
    rows.resize(model.schema, 0);  // keeps the capacity
    generate_transactions(model, customers.first, customers.count, rows, &uplift);
    if (events) generate_events(model, customers.first, customers.count, rows, *events);
    writer.write_rows(at, rows);
    at += static_cast<int64_t>(rows.size());
    log.line("generate  chunk ", c + 1, "/", chunks, " (", with_thousands(kCustomersPerChunk),
             " customers per rank per chunk)");
  }
  writer.finish();
}

// One column of /customers: how it is stored and its value for a customer.
struct CustomerColumn {
  AttributeColumnSpec spec;
  double (*value)(const RetailCustomer&);
};

const std::vector<CustomerColumn>& customer_columns() {
  static const std::vector<CustomerColumn> columns = {
      {{"persona", true, persona_labels()}, [](const RetailCustomer& c) { return double(c.persona); }},
      {{"acquisition_cost", false, {}}, [](const RetailCustomer& c) { return c.acquisition_cost; }},
      {{"age", true, {}}, [](const RetailCustomer& c) { return double(c.age); }},
      {{"region", true, region_labels()}, [](const RetailCustomer& c) { return double(c.region); }},
      {{"email_opens", true, {}}, [](const RetailCustomer& c) { return double(c.email_opens); }},
      {{"email_clicks", true, {}}, [](const RetailCustomer& c) { return double(c.email_clicks); }},
      {{"nps", false, {}}, [](const RetailCustomer& c) { return c.nps; }},
      {{"price_sensitivity", false, {}}, [](const RetailCustomer& c) { return c.price_sensitivity; }},
      {{"interest", true, interest_labels()}, [](const RetailCustomer& c) { return double(c.interest); }},
  };
  return columns;
}

// /customers, the truth behind the transactions and the attributes a CRM would hold, added once
// the transactions writer has closed the file; each rank writes its block, chunk by chunk; then
// how the file was made.
void write_customers(const std::string& path, const GenerateOptions& o, const RetailerModel& model,
                     const RowBlock& block, int64_t chunks, const Communicator& comm) {
  std::vector<AttributeColumnSpec> specs;
  for (const CustomerColumn& c : customer_columns()) specs.push_back(c.spec);
  CustomerAttributeWriter writer(path, o.customers, specs, comm);
  const std::size_t chunk_rows = static_cast<std::size_t>(std::min(block.count, kCustomersPerChunk));
  std::vector<int64_t> id_rows(chunk_rows);
  std::vector<std::vector<double>> values(customer_columns().size(), std::vector<double>(chunk_rows));
  for (int64_t c = 0; c < chunks; ++c) {
    const RowBlock rows = chunk_of(block, c, kCustomersPerChunk);
    for (int64_t i = 0; i < rows.count; ++i) {
      const RetailCustomer customer = retail_customer(model, rows.first + i);
      id_rows[i] = customer.id;
      for (std::size_t j = 0; j < values.size(); ++j) values[j][i] = customer_columns()[j].value(customer);
    }
    writer.write_rows(rows.first, rows.count, id_rows.data(), values);
  }
  std::vector<std::pair<std::string, h5::AttributeValue>> attributes = {
      {"generator", std::string("kseg generate --transactions")}, {"version", std::string(kVersion)},
      {"seed", static_cast<int64_t>(o.seed)}, {"start", o.start}, {"end", o.end}, {"customers", o.customers}};
  if (!o.uplift_plan.empty())
    attributes.insert(attributes.end(), {{"uplift_plan", o.uplift_plan}, {"uplift_segment", int64_t{o.uplift_segment}},
                                         {"uplift_from", o.uplift_from}, {"uplift", o.uplift}});
  writer.finish(attributes);
}

}  // namespace

void generate_features_file(const GenerateOptions& o, const Communicator& comm, const Logger& log) {
  refuse_fewer_customers_than_ranks(o, comm);
  const BlobModel model = make_blob_model(o.segments, o.features, o.seed, o.separation);
  AtomicOutput output(o.output, o.force, {}, comm);
  FeatureFileSpec spec;
  spec.rows = o.customers;
  spec.d = o.features;
  spec.feature_names = names_or_default(o);
  spec.truth_segments = o.segments;
  FeatureFileWriter writer(output.partial_path(), spec, comm);
  const RowBlock block = row_block(o.customers, comm.size(), comm.rank());
  const int64_t chunks = chunks_per_rank(o.customers, comm, kRowsPerChunk);
  const std::size_t chunk_rows = static_cast<std::size_t>(std::min(block.count, kRowsPerChunk));
  std::vector<int64_t> ids(chunk_rows);
  std::vector<float> x(chunk_rows * o.features);
  std::vector<int32_t> truth(chunk_rows);
  for (int64_t c = 0; c < chunks; ++c) {  // the same number of collective writes on every rank
    const RowBlock rows = chunk_of(block, c, kRowsPerChunk);
    generate_rows(model, rows.first, rows.count, ids.data(), x.data(), truth.data());
    writer.write_rows(rows.first, rows.count, ids.data(), x.data(), truth.data());
    log.line("generate  chunk ", c + 1, "/", chunks, " (", with_thousands(kRowsPerChunk), " rows per rank per chunk)");
  }
  writer.finish(model.centers);
  output.commit();
  log.line("wrote     ", o.output, ": ", with_thousands(o.customers), " customers x ", o.features, " features, ",
           o.segments, " true segments in ", kTruthSegment);
}

void generate_transactions_file(const GenerateOptions& o, const Communicator& comm, const Logger& log) {
  refuse_fewer_customers_than_ranks(o, comm);
  const RetailerModel model = make_retailer_model(retailer_spec(o));
  AtomicOutput output(o.output, o.force, {o.uplift_plan}, comm);
  const RetailUplift uplift = read_uplift(o, model, comm, log);
  const RowBlock block = row_block(o.customers, comm.size(), comm.rank());
  const int64_t chunks = chunks_per_rank(o.customers, comm, kCustomersPerChunk);
  // Customers have different numbers of rows: count them first (by generating them) to place
  // each rank's rows after those of lower ranks.
  const int64_t local_rows = count_transactions(model, block.first, block.count, &uplift);
  const int64_t total_rows = comm.sum(local_rows);
  log.line("count     ", with_thousands(total_rows), " transactions of ", with_thousands(o.customers), " customers");
  EventRows events;
  write_transactions(output.partial_path(), model, uplift, block, chunks, comm.exclusive_prefix_sum(local_rows),
                     total_rows, comm, log, o.events ? &events : nullptr);
  write_customers(output.partial_path(), o, model, block, chunks, comm);
  if (o.events) {
    write_event_rows(output.partial_path(), events, comm);
    log.line("events    ", with_thousands(comm.sum(static_cast<int64_t>(events.customer_id.size()))),
             " engagement events in ", kEvents);
  }
  output.commit();  // after a barrier: rank 0 has finished too
  log.line("wrote     ", o.output, ": ", with_thousands(total_rows), " transactions of ", with_thousands(o.customers),
           " customers, their personas and attributes in ", kCustomers);
}

}  // namespace kseg
