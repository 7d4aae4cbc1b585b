#include <algorithm>
#include <memory>

#include "common/errors.hpp"
#include "common/version.hpp"
#include "host/cli_checks.hpp"
#include "host/commands.hpp"
#include "host/generate.hpp"
#include "io/atomic_output.hpp"
#include "io/customer_attributes.hpp"
#include "io/feature_file.hpp"
#include "io/hdf5.hpp"
#include "io/synthetic_blobs.hpp"
#include "io/synthetic_retailer.hpp"
#include "io/timestamp_parse.hpp"
#include "io/transaction_file.hpp"

namespace kseg {
namespace {

constexpr int64_t kRowsPerChunk = 1 << 20;  // bounds a rank's memory whatever --customers is
constexpr int64_t kCustomersPerChunk = 100000;  // about 2M transactions, ~100 MB

// The ground truth of a synthetic retailer (DESIGN.md's customer attributes table).
constexpr const char* kCustomerIds = "/customers/customer_id";

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

// Each rank's customers' rows, chunk by chunk, after the rows of all lower ranks (`first_row`).
void write_transactions(const std::string& path, const RetailerModel& model, const RowBlock& block, int64_t chunks,
                        int64_t first_row, int64_t total_rows, const Communicator& comm, const Logger& log) {
  TransactionFileWriter writer(path, total_rows, model.schema, comm);
  TransactionColumns rows;
  for (int64_t c = 0, at = first_row; c < chunks; ++c) {  // the same number of collective writes on every rank
    const RowBlock customers = chunk_of(block, c, kCustomersPerChunk);
    rows.resize(model.schema, 0);  // keeps the capacity
    generate_transactions(model, customers.first, customers.count, rows);
    writer.write_rows(at, rows);
    at += static_cast<int64_t>(rows.size());
    log.line("generate  chunk ", c + 1, "/", chunks, " (", with_thousands(kCustomersPerChunk),
             " customers per rank per chunk)");
  }
  writer.finish();
}

// One column of /customers: its name, its type on disk, its value for a customer and, for codes,
// the names behind them.
struct CustomerColumn {
  const char* name;
  hid_t file_type;
  double (*value)(const RetailCustomer&);
  const std::vector<std::string>* labels;
};

const std::vector<CustomerColumn>& customer_columns() {
  static const std::vector<CustomerColumn> columns = {
      {"persona", H5T_STD_I32LE, [](const RetailCustomer& c) { return double(c.persona); }, &persona_labels()},
      {"acquisition_cost", H5T_IEEE_F64LE, [](const RetailCustomer& c) { return c.acquisition_cost; }, nullptr},
      {"age", H5T_STD_I32LE, [](const RetailCustomer& c) { return double(c.age); }, nullptr},
      {"region", H5T_STD_I32LE, [](const RetailCustomer& c) { return double(c.region); }, &region_labels()},
      {"email_opens", H5T_STD_I32LE, [](const RetailCustomer& c) { return double(c.email_opens); }, nullptr},
      {"email_clicks", H5T_STD_I32LE, [](const RetailCustomer& c) { return double(c.email_clicks); }, nullptr},
  };
  return columns;
}

std::string customer_dataset(const CustomerColumn& c) { return std::string(kCustomers) + "/" + c.name; }

// /customers, the truth behind the transactions and the attributes a CRM would hold, added once
// the transactions writer has closed the file; each rank writes its block, chunk by chunk.
void write_customers(const std::string& path, int64_t total, const RetailerModel& model, const RowBlock& block,
                     int64_t chunks, const Communicator& comm) {
  h5::Id file = h5::open_parallel_for_write(path, comm);
  h5::create_group(file, kCustomers);
  const hsize_t customers = static_cast<hsize_t>(total);
  h5::Id ids = h5::create_dataset(file, kCustomerIds, H5T_STD_I64LE, {customers});
  std::vector<h5::Id> datasets;
  for (const CustomerColumn& c : customer_columns())
    datasets.push_back(h5::create_dataset(file, customer_dataset(c), c.file_type, {customers}));
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
    h5::write_rows(comm, ids, H5T_NATIVE_INT64, rows.first, rows.count, 1, id_rows.data(), path + ":" + kCustomerIds);
    for (std::size_t j = 0; j < values.size(); ++j)
      h5::write_rows(comm, datasets[j], H5T_NATIVE_DOUBLE, rows.first, rows.count, 1, values[j].data(),
                     path + ":" + customer_dataset(customer_columns()[j]));
  }
  ids.close(path + ": cannot close " + kCustomerIds);
  for (std::size_t j = 0; j < datasets.size(); ++j)
    datasets[j].close(path + ": cannot close " + customer_dataset(customer_columns()[j]));
  file.close(path + ": cannot close (disk full?)");
}

// Rank 0, on the finished file: the names behind the codes and how the file was made.
void label_codes_and_run(const std::string& path, const GenerateOptions& o) {
  h5::Id file = h5::open_serial_for_write(path);
  for (const CustomerColumn& c : customer_columns()) {
    if (!c.labels) continue;
    const std::string name = customer_dataset(c);
    h5::Id dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose, path + ": cannot reopen " + name);
    h5::write_string_array_attribute(dataset, "labels", *c.labels);
    dataset.close(path + ": cannot close " + name);
  }
  for (const auto& [name, value] : std::vector<std::pair<std::string, h5::AttributeValue>>{
           {"generator", std::string("kseg generate --transactions")}, {"version", std::string(kVersion)},
           {"seed", static_cast<int64_t>(o.seed)}, {"start", o.start}, {"end", o.end}, {"customers", o.customers}})
    h5::write_attribute(file, name, value);
  file.close(path + ": cannot close (disk full?)");
}

}  // namespace

void generate_features_file(const GenerateOptions& o, const Communicator& comm, const Logger& log) {
  refuse_fewer_customers_than_ranks(o, comm);
  const BlobModel model = make_blob_model(o.segments, o.features, o.seed, o.separation);
  AtomicOutput output(o.output, o.force, comm);
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
  AtomicOutput output(o.output, o.force, comm);
  const RowBlock block = row_block(o.customers, comm.size(), comm.rank());
  const int64_t chunks = chunks_per_rank(o.customers, comm, kCustomersPerChunk);
  // Customers have different numbers of rows: count them first (by generating them) to place
  // each rank's rows after those of lower ranks.
  const int64_t local_rows = count_transactions(model, block.first, block.count);
  const int64_t total_rows = comm.sum(local_rows);
  log.line("count     ", with_thousands(total_rows), " transactions of ", with_thousands(o.customers), " customers");
  write_transactions(output.partial_path(), model, block, chunks, comm.exclusive_prefix_sum(local_rows), total_rows,
                     comm, log);
  write_customers(output.partial_path(), o.customers, model, block, chunks, comm);
  if (comm.is_root()) label_codes_and_run(output.partial_path(), o);
  output.commit();  // after a barrier: rank 0 has finished too
  log.line("wrote     ", o.output, ": ", with_thousands(total_rows), " transactions of ", with_thousands(o.customers),
           " customers, their personas and attributes in ", kCustomers);
}

Command add_generate_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<GenerateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "generate",
      "Write a synthetic customer feature matrix with known segments (Gaussian blobs of unequal sizes and "
      "spreads) for tests, benchmarks and trying kseg out; with --transactions, a synthetic retailer's "
      "transactions and the persona of each customer. All ranks write in parallel.");
  cmd->add_option("--customers", o->customers, "Number of customers (rows)")->capture_default_str()->check(at_least(1));
  cmd->add_option("--features", o->features, "Features per customer (columns)")->capture_default_str()->check(CLI::Range(1, 4096));
  cmd->add_option("--segments", o->segments, "True segments (blobs)")->capture_default_str()->check(CLI::Range(1, 100000));
  cmd->add_option("--seed", o->seed, "Seed; the same seed gives the same file")->capture_default_str();
  cmd->add_option("--separation", o->separation, "Minimum distance between blob centres, in blob spreads (smaller: more overlap)")
      ->capture_default_str()->check(at_least(0));
  cmd->add_option("--feature-names", o->feature_names, "Comma-separated feature names (default f0,f1,...)")->delimiter(',');
  CLI::Option* transactions = cmd->add_flag(
      "--transactions", o->transactions,
      "Write a synthetic retailer's transactions (order lines, returns, categories, channels, discounts) and each "
      "customer's persona in /customers, instead of a feature matrix");
  for (const char* features_only : {"--features", "--segments", "--separation", "--feature-names"})
    transactions->excludes(features_only);
  cmd->add_option("--start", o->start, "With --transactions: first day, YYYY-MM-DD (UTC)")->capture_default_str()->needs(transactions);
  cmd->add_option("--end", o->end, "With --transactions: last day, YYYY-MM-DD (UTC), included; at least a year after --start")
      ->capture_default_str()->needs(transactions);
  cmd->add_option("--categories", o->categories, "With --transactions: product categories")
      ->capture_default_str()->check(CLI::Range(1, kMaxCategories))->needs(transactions);
  cmd->add_option("--channels", o->channels, "With --transactions: sales channels, the first of web, store, app, phone, marketplace")
      ->capture_default_str()->check(CLI::Range(1, kMaxChannels))->needs(transactions);
  cmd->add_option("--out", o->output, "Output HDF5 file")->required();
  cmd->add_flag("--force", o->force, "Replace --out if it exists");
  cmd->add_flag("--quiet,-q", o->quiet, "No progress lines");
  return {cmd, [o, &comm] {
            const Logger log(comm.is_root() && !o->quiet);
            if (o->transactions)
              generate_transactions_file(*o, comm, log);
            else
              generate_features_file(*o, comm, log);
          }};
}

}  // namespace kseg
