#include <iostream>
#include <memory>

#include "common/errors.hpp"
#include "common/logger.hpp"
#include "common/timer.hpp"
#include "customers/engagement_features.hpp"
#include "host/cli_options.hpp"
#include "host/commands.hpp"
#include "host/config_file.hpp"
#include "io/json.hpp"
#include "pipeline/import_job.hpp"

namespace kseg {
namespace {

struct ImportCommandOptions {
  ImportOptions import;
  std::string output;  ///< --out, the final name (import.output is the partial file)
  std::string events;  ///< --events, an export of events (instead of --csv)
  std::string into;    ///< --into, the transactions file the events join
  std::vector<std::string> type_names;  ///< --type-names, NAME=TYPE each
  std::string delimiter = ",";
  std::string timestamp_format = "auto";
  bool no_header = false;
  bool force = false;
  bool quiet = false;
  bool json = false;
  std::string config_file;
};

constexpr const char* kExamples = R"(
Examples:
  UCI Online Retail (InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country;
  dates such as 12/9/2011 12:50 are month/day/year; C536379 is a cancelled invoice, kept as a return):
    kseg import --csv OnlineRetail.csv --out retail.h5 --customer CustomerID --timestamp InvoiceDate \
                --order InvoiceNo --quantity Quantity --unit-price UnitPrice

  CDNOW (no header; fields: master id, customer id, yyyymmdd, number of CDs, dollar value):
    kseg import --csv CDNOW_sample.txt --out cdnow.h5 --whitespace --no-header \
                --customer 2 --timestamp 3 --quantity 4 --amount 5

  The same mapping as a TOML file (kseg import --csv F --out R --config retail.toml):
    customer = "CustomerID"
    timestamp = "InvoiceDate"
    order = "InvoiceNo"
    quantity = "Quantity"
    unit-price = "UnitPrice"

  Web and email events of the same customers, added to that file as /events (an export with
  user_id,event_time,event_type,utm_campaign; its own names for two of the types):
    kseg import --events clicks.csv --into retail.h5 --customer user_id --timestamp event_time \
                --type event_type --type-names view=product_view,cart=add_to_cart --campaign utm_campaign

Rows without a customer id, or with a bad customer id, date or number, an unknown event type, or
the wrong number of fields are skipped and counted; the summary names the first 5 by line
(--strict: stop at the first). Timestamps are stored as Unix seconds, UTC; a time without an
offset is taken as UTC. Event types: session, product_view, add_to_cart, checkout, email_sent,
email_open, email_click (any case).)";

char delimiter_of(const std::string& text) {
  if (text == "tab" || text == "\\t" || text == "\t") return '\t';
  if (text.size() != 1 || text == "\"" || text == "\n" || text == "\r")
    throw InputError("--delimiter '" + text + "': give one character, e.g. , ; | or tab", ErrorScope::all_ranks);
  return text[0];
}

// Turns the command line's spellings into the importer's options (all but the output path).
ImportOptions import_options(const ImportCommandOptions& o) {
  ImportOptions options = o.import;
  if (!o.events.empty()) {
    options.table = ImportTable::events;
    options.input = o.events;
  }
  for (const std::string& rename : o.type_names) {
    const std::size_t equals = rename.find('=');
    if (equals == std::string::npos)
      throw InputError("--type-names '" + rename + "': give NAME=TYPE, e.g. view=product_view", ErrorScope::all_ranks);
    options.type_names.emplace_back(rename.substr(0, equals), rename.substr(equals + 1));
  }
  options.header = !o.no_header;
  options.timestamp_format = timestamp_format_names().at(o.timestamp_format);
  if (!options.dialect.whitespace) options.dialect.delimiter = delimiter_of(o.delimiter);
  return options;
}

// The counts that belong to the table imported, after those every import has.
void add_table_counts(JsonObject& json, const ImportSummary& s, ImportTable table) {
  if (table == ImportTable::transactions) {
    json.add("returns", s.returns).add("zero_amount", s.zero_amount).add("categories", s.categories);
  } else {
    JsonObject by_type;
    for (std::size_t t = 0; t < s.events_by_type.size(); ++t) by_type.add(event_type_labels()[t], s.events_by_type[t]);
    json.add("events_by_type", by_type).add("campaigns", s.campaigns);
  }
  json.add("channels", s.channels);
}

JsonObject to_json(const ImportOptions& o, const std::string& output, const ImportSummary& s, double seconds) {
  JsonObject skipped, first_skipped;
  for (std::size_t r = 0; r < kSkipReasons; ++r)
    if (skip_reason_applies(static_cast<SkipReason>(r), o.table))
      skipped.add(skip_reason_key(static_cast<SkipReason>(r)), s.skipped[r]);
  for (const SkippedRow& row : s.first_skipped)
    first_skipped.add(std::to_string(row.line), std::string(skip_reason_text(row.reason)) + " (" + row.detail + ")");
  JsonObject json;
  json.add("input", o.input)
      .add("output", output)
      .add("rows_read", s.rows_read)
      .add("rows_kept", s.rows_kept)
      .add("rows_skipped", s.skipped_total())
      .add("skipped", skipped)
      .add("first_skipped", first_skipped);
  add_table_counts(json, s, o.table);
  return json.add("seconds", seconds);
}

// The file written: --out for order lines, --into for events.
const std::string& destination(const ImportCommandOptions& o) {
  if (o.import.input.empty() && o.events.empty())
    throw InputError("--csv (order lines) or --events (web and email events) is required: the export to import",
                     ErrorScope::all_ranks);
  if (!o.events.empty() && o.into.empty())
    throw InputError("--into is required with --events: the transactions file the events join", ErrorScope::all_ranks);
  if (o.events.empty() && o.output.empty())
    throw InputError("--out is required: the transactions file to write", ErrorScope::all_ranks);
  return o.events.empty() ? o.output : o.into;
}

void run_import(const ImportCommandOptions& o, const Communicator& comm) {
  const std::string& output = destination(o);
  const Stopwatch clock;
  const Logger log(comm.is_root() && !o.quiet);
  const ImportOptions options = import_options(o);
  const ImportSummary summary = import_job(options, output, o.force, comm, log);
  if (o.json && comm.is_root()) std::cout << to_json(options, output, summary, clock.seconds()).str() << std::endl;
}

void add_mapping_options(CLI::App& cmd, ColumnMapping& m) {
  cmd.add_option("--customer", m.customer, "Column of customer ids, whole numbers (required)");
  cmd.add_option("--timestamp", m.timestamp, "Column of dates or date-times (required; see --timestamp-format)");
  cmd.add_option("--amount", m.amount, "Column of line revenue (or give --quantity and --unit-price)");
  cmd.add_option("--quantity", m.quantity, "Column of items per line, whole numbers");
  cmd.add_option("--unit-price", m.unit_price, "Column of item prices: amount = quantity x unit price");
  cmd.add_option("--order", m.order, "Column of order / invoice ids (optional)");
  cmd.add_option("--category", m.category, "Column of product categories, stored as codes + labels (optional)");
  cmd.add_option("--channel", m.channel, "Column of sales (or, for events, marketing) channels, stored as codes + labels (optional)");
  cmd.add_option("--discount", m.discount, "Column of line discounts; an empty field is 0 (optional)");
  cmd.add_option("--type", m.type, "Events: column of event types (required with --events)");
  cmd.add_option("--campaign", m.campaign, "Events: column of campaign names, stored as codes + labels (optional)");
}

void add_format_options(CLI::App& cmd, ImportCommandOptions& o) {
  CLI::Option* delimiter =
      cmd.add_option("--delimiter", o.delimiter, "Field separator: one character, or tab")->capture_default_str();
  cmd.add_flag("--whitespace", o.import.dialect.whitespace, "Runs of spaces and tabs separate fields (as in CDNOW)")
      ->excludes(delimiter);
  cmd.add_flag("--no-header", o.no_header, "The first line is data; refer to columns by number (1 = first)");
  std::vector<std::string> formats;
  for (const auto& [name, format] : timestamp_format_names()) formats.push_back(name);
  cmd.add_option("--timestamp-format", o.timestamp_format,
                 "auto: 20111209 → ymd, digits → unix, a '/' → mdy (month first: 12/9/2011 12:50), else iso "
                 "(2011-12-09, 2011-12-09 12:50:00, 2011-12-09T12:50:00Z, ...+01:00); dmy: 9/12/2011 or 9.12.2011")
      ->capture_default_str()
      ->check(CLI::IsMember(formats, CLI::ignore_case));
  cmd.add_option("--return-prefix", o.import.return_prefix,
                 "An order id of this prefix then digits is a return (empty: none); its amount is made negative")
      ->capture_default_str();
}

}  // namespace

Command add_import_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<ImportCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "import",
      "Convert a CSV or whitespace-separated export of order lines into a transactions file (HDF5 "
      "/transactions), or add an export of web and email events to one (/events): streams any size of file, "
      "keeps returns as negative amounts, skips and counts rows it cannot read. Columns are named by header "
      "name (any case) or 1-based number.");
  CLI::Option* csv =
      cmd->add_option("--csv", o->import.input, "The export of order lines to read: delimited or whitespace-separated text")
          ->check(CLI::ExistingFile);
  CLI::Option* out = cmd->add_option(
      "--out", o->output, "Transactions file to write (with --csv); written as <out>.partial and renamed when complete");
  cmd->add_option("--events", o->events,
                  "Instead of --csv: an export of web and email events (customer, time, type) to add to --into")
      ->check(CLI::ExistingFile)
      ->excludes(csv);
  cmd->add_option("--into", o->into,
                  "With --events: the transactions file they join; replaced by a copy with /events when complete")
      ->excludes(out)
      ->excludes(csv);
  cmd->add_option("--type-names", o->type_names,
                  "With --events: the export's own type names, NAME=TYPE, comma-separated (view=product_view)")
      ->delimiter(',');
  cmd->add_flag("--force", o->force,
                "Replace --out if it exists (otherwise kseg refuses); with --events, replace the events --into has");
  add_mapping_options(*cmd, o->import.columns);
  add_format_options(*cmd, *o);
  cmd->add_flag("--strict", o->import.strict, "Stop with an error at the first row that cannot be imported");
  add_output_style_options(*cmd, o->quiet, o->json);
  cmd->add_option("--config", o->config_file,
                  "TOML file of `option = value` lines, e.g. customer = \"CustomerID\" (command-line values win)")
      ->check(CLI::ExistingFile);
  cmd->footer(kExamples);
  return {cmd, [o, cmd, &comm] {
    apply_config_file(*cmd, o->config_file);
    o->import.config_text = cmd->config_to_str(/*default_also=*/true, /*write_description=*/false);
    run_import(*o, comm);
  }};
}

}  // namespace kseg
