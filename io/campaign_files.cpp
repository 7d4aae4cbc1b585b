#include "io/campaign_files.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/errors.hpp"
#include "common/version.hpp"
#include "io/detail/csv_field.hpp"
#include "io/detail/report_html_parts.hpp"
#include "io/first_rejected_row.hpp"
#include "io/hdf5.hpp"
#include "io/input_file.hpp"
#include "io/json.hpp"

namespace kseg {
namespace {

constexpr const char* kPlanColumns[] = {"/plan/customer_id", "/plan/segment", "/plan/group"};

// ---- the plan ----

void write_plan_rows(const std::string& path, const CampaignPlanContent& p, const Communicator& comm) {
  h5::Id file = h5::create_parallel(path, comm);
  h5::create_group(file, "/plan");
  const struct {
    hid_t file_type, mem_type;
    const void* data;
  } columns[] = {{H5T_STD_I64LE, H5T_NATIVE_INT64, p.customer_id},
                 {H5T_STD_I32LE, H5T_NATIVE_INT32, p.segment},
                 {H5T_STD_I8LE, H5T_NATIVE_INT8, p.group}};
  for (std::size_t c = 0; c < std::size(columns); ++c) {
    h5::Id dataset = h5::create_dataset(file, kPlanColumns[c], columns[c].file_type, {static_cast<hsize_t>(p.total_rows)});
    h5::write_rows(comm, dataset, columns[c].mem_type, p.block.first, p.block.count, 1, columns[c].data,
                   path + ":" + kPlanColumns[c]);
    dataset.close(path + ": cannot close " + kPlanColumns[c]);
  }
  file.close(path + ": cannot close (disk full?)");
}

void write_plan_segments(const std::string& path, const CampaignPlanContent& p) {
  h5::Id file = h5::open_serial_for_write(path);
  h5::create_group(file, "/plan_segments");
  const hsize_t segments = p.segment_ids.size();
  h5::write_small(file, "/plan_segments/segment", H5T_NATIVE_INT32, {segments}, p.segment_ids.data());
  h5::write_strings(file, "/plan_segments/name", p.segment_names);
  h5::write_small(file, "/plan_segments/customers", H5T_NATIVE_INT64, {segments}, p.segment_customers.data());
  h5::write_small(file, "/plan_segments/control", H5T_NATIVE_INT64, {segments}, p.segment_control.data());
  for (const auto& [name, value] : std::vector<std::pair<std::string, h5::AttributeValue>>{
           {"name", p.name}, {"control_share", p.control_share}, {"result", p.result},
           {"customers", p.total_rows}, {"version", std::string(kVersion)}})
    h5::write_attribute(file, name, value);
  file.close(path + ": cannot close (disk full?)");
}

void refuse_unless_integers(hid_t dataset, const std::string& where) {
  const h5::Id type(H5Dget_type(dataset), H5Tclose, where + ": cannot read its type");
  if (H5Tget_class(type) != H5T_INTEGER) refuse(where + ": expected integers");
}

double double_attribute(hid_t object, const char* name, const std::string& what) {
  if (H5Aexists(object, name) <= 0) refuse(what + ": no attribute '" + name + "' (not a kseg campaign plan?)");
  const h5::Id attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, what + ": cannot open attribute " + name);
  double value = 0;
  h5::check(H5Aread(attribute, H5T_NATIVE_DOUBLE, &value), what + ": attribute '" + name + "' is not a number");
  return value;
}

std::string string_attribute(hid_t object, const char* name, const std::string& what) {
  const std::vector<std::string> values = h5::read_string_array_attribute(object, name, what);
  if (values.size() != 1) refuse(what + ": no attribute '" + name + "' (not a kseg campaign plan?)");
  return values[0];
}

// ---- the figures of a measurement, one list for every output ----

// The figures of one row, named as in every output: integers, then values.
std::vector<std::pair<const char*, int64_t>> counts_of(const CampaignLift& f) {
  return {{"treated_customers", f.treated.customers}, {"control_customers", f.control.customers},
          {"treated_converted", f.treated.converted}, {"control_converted", f.control.converted},
          {"treated_orders", f.treated.orders},       {"control_orders", f.control.orders}};
}

std::vector<std::pair<const char*, double>> values_of(const CampaignLift& f) {
  return {{"treated_revenue", f.treated.revenue},
          {"control_revenue", f.control.revenue},
          {"conversion_treated", f.conversion_treated},
          {"conversion_control", f.conversion_control},
          {"conversion_lift", f.conversion_lift},
          {"conversion_lift_low", f.conversion_lift_low},
          {"conversion_lift_high", f.conversion_lift_high},
          {"conversion_p_value", f.conversion_p_value},
          {"conversion_relative_lift", f.conversion_relative_lift},
          {"revenue_per_customer_treated", f.revenue_per_customer_treated},
          {"revenue_per_customer_control", f.revenue_per_customer_control},
          {"revenue_difference", f.revenue_difference},
          {"revenue_difference_low", f.revenue_difference_low},
          {"revenue_difference_high", f.revenue_difference_high},
          {"revenue_p_value", f.revenue_p_value},
          {"revenue_degrees_of_freedom", f.revenue_degrees_of_freedom},
          {"revenue_relative_lift", f.revenue_relative_lift},
          {"orders_per_customer_treated", f.orders_per_customer_treated},
          {"orders_per_customer_control", f.orders_per_customer_control},
          {"incremental_revenue", f.incremental_revenue}};
}

// Segments first, then the total: the rows of every table.
std::vector<const CampaignFigures*> report_rows(const CampaignReport& r) {
  std::vector<const CampaignFigures*> rows;
  for (const CampaignFigures& s : r.segments) rows.push_back(&s);
  rows.push_back(&r.total);
  return rows;
}

using detail::csv_field;

std::string csv_number(double v) { return std::isfinite(v) ? json_number(v) : ""; }

template <typename Write>
void write_text_file(const std::string& path, Write write) {
  std::ofstream out(path);
  if (!out) throw IoError(path + ": cannot create (directory not writable or disk full?)");
  write(out);
  out.close();
  if (!out) throw IoError(path + ": cannot write (disk full?)");
}

// ---- the page ----

using namespace html_detail;

std::string points(double share) { return std::isfinite(share) ? fixed_decimals(100 * share, 2) + " pp" : kUnknown; }
std::string p_value(double p) { return !std::isfinite(p) ? kUnknown : p < 1e-4 ? "&lt; 0.0001" : fixed_decimals(p, 4); }

std::string figures_table(const CampaignReport& r) {
  std::ostringstream html;
  html << "<table><tr><th>segment</th><th>name</th><th>treated</th><th>control</th><th>conversion treated</th>"
          "<th>conversion control</th><th>lift (95% CI)</th><th>p</th><th>revenue per customer treated</th>"
          "<th>control</th><th>difference (95% CI)</th><th>p</th><th>orders per customer treated / control</th>"
          "<th>incremental revenue</th></tr>";
  for (const CampaignFigures* row : report_rows(r)) {
    const CampaignLift& f = row->lift;
    html << "<tr" << (row->segment < 0 ? " class='total'" : "") << "><td style='border-left:6px solid "
         << colour(row->segment) << "'>" << (row->segment < 0 ? "all" : std::to_string(row->segment)) << "</td><td>"
         << escaped(row->name) << "</td><td>" << with_thousands(f.treated.customers) << "</td><td>"
         << with_thousands(f.control.customers) << "</td><td>" << percent(f.conversion_treated, 2) << "</td><td>"
         << percent(f.conversion_control, 2) << "</td><td>" << points(f.conversion_lift) << " ("
         << points(f.conversion_lift_low) << " … " << points(f.conversion_lift_high) << ")</td><td>"
         << p_value(f.conversion_p_value) << "</td><td>" << shown(f.revenue_per_customer_treated, 2) << "</td><td>"
         << shown(f.revenue_per_customer_control, 2) << "</td><td>" << shown(f.revenue_difference, 2) << " ("
         << shown(f.revenue_difference_low, 2) << " … " << shown(f.revenue_difference_high, 2) << ")</td><td>"
         << p_value(f.revenue_p_value) << "</td><td>" << shown(f.orders_per_customer_treated, 3) << " / "
         << shown(f.orders_per_customer_control, 3) << "</td><td>" << shown(f.incremental_revenue, 2) << "</td></tr>";
  }
  return html.str() + "</table>";
}

// Each row's estimate and 95% interval on one axis with zero marked: an interval clear of zero
// is a lift the data can tell from chance.
std::string interval_chart(const CampaignReport& r, const std::string& title, double CampaignLift::*estimate,
                           double CampaignLift::*low, double CampaignLift::*high, double scale) {
  const std::vector<const CampaignFigures*> rows = report_rows(r);
  double lo = 0, hi = 0;
  for (const CampaignFigures* row : rows)
    for (double v : {row->lift.*low, row->lift.*high})
      if (std::isfinite(v)) lo = std::min(lo, v * scale), hi = std::max(hi, v * scale);
  if (lo == hi) hi = lo + 1;
  const double width = 760, row_height = 26, top = 30, plot_left = kNameColumn + 10, plot_right = width - 20;
  const double height = top + row_height * rows.size() + 50;
  const Axis x = nice_axis(lo, hi, plot_left, plot_right);
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << px(width) << "' height='" << px(height)
      << "' font-size='12'><text x='10' y='18' font-weight='bold'>" << escaped(title) << "</text>";
  const double zero = x.at(0);
  svg << "<line x1='" << px(zero) << "' y1='" << px(top) << "' x2='" << px(zero) << "' y2='"
      << px(top + row_height * rows.size()) << "' stroke='" << kGrey << "' stroke-dasharray='4 3'/>";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const CampaignLift& f = rows[i]->lift;
    const double y = top + row_height * (i + 0.5);
    const std::string label = rows[i]->segment < 0 ? "all segments" : std::to_string(rows[i]->segment) + " " + rows[i]->name;
    svg << "<text x='10' y='" << px(y + 4) << "'>" << escaped(label.substr(0, 34)) << "</text>";
    if (!std::isfinite(f.*low) || !std::isfinite(f.*high)) continue;
    svg << "<line x1='" << px(x.at(f.*low * scale)) << "' y1='" << px(y) << "' x2='" << px(x.at(f.*high * scale))
        << "' y2='" << px(y) << "' stroke='" << colour(rows[i]->segment) << "' stroke-width='3'/><circle cx='"
        << px(x.at(f.*estimate * scale)) << "' cy='" << px(y) << "' r='4' fill='#222'/>";
  }
  x_axis(svg, x, top + row_height * rows.size() + 6, "");
  return svg.str() + "</svg>";
}

constexpr const char* kStyle =
    "body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;font-size:13px}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:nth-child(2){text-align:left}"
    "h1{font-size:22px}h2{font-size:17px;margin-top:28px}.facts td{text-align:left}tr.total td{font-weight:bold}"
    ".note{color:#555;font-size:13px;max-width:900px}.warnings{background:#fff4e5;border:1px solid #f0a020;"
    "border-radius:4px;padding:8px 14px;margin:10px 0;max-width:900px}.warnings ul{margin:6px 0 0 0;padding-left:20px}"
    "svg text.tick{fill:#444}";

}  // namespace

void write_campaign_plan(const std::string& path, const CampaignPlanContent& plan, const Communicator& comm) {
  write_plan_rows(path, plan, comm);
  if (comm.is_root()) write_plan_segments(path, plan);
  comm.barrier();
}

void write_campaign_plan_csv(const std::string& path, const CampaignPlanContent& plan, const Communicator& comm) {
  for (int turn = 0; turn < comm.size(); ++turn) {  // rank order is the plan's row order
    if (comm.rank() == turn) {
      std::ofstream out(path, turn == 0 ? std::ios::trunc : std::ios::app);
      if (!out) throw IoError(path + ": cannot create (directory not writable or disk full?)");
      if (turn == 0) out << "customer_id,segment,group\n";
      for (int64_t i = 0; i < plan.block.count; ++i)
        out << plan.customer_id[i] << ',' << plan.segment[i] << ',' << (plan.group[i] ? "control" : "treated") << '\n';
      out.close();
      if (!out) throw IoError(path + ": cannot write (disk full?)");
    }
    comm.barrier();
  }
}

CampaignPlan read_campaign_plan(const std::string& path, const Communicator& comm) {
  const InputFile input(path, comm);
  if (!input.has(kPlanColumns[0])) refuse(path + ": not a kseg campaign plan (no " + kPlanColumns[0] + ")");
  CampaignPlan plan;
  plan.path = path;
  plan.rows.name = path + ":/plan";
  std::vector<h5::Id> datasets;
  int64_t rows = 0;
  for (const char* column : kPlanColumns) {
    const std::string where = path + ":" + column;
    if (!input.has(column)) refuse(path + ": missing dataset " + column + " (not a complete kseg campaign plan)");
    h5::Id dataset = h5::open_dataset(input.handle(), column, path);
    if (h5::dataset_dims(dataset).size() != 1) refuse(where + ": expected 1 dimension");
    refuse_unless_integers(dataset, where);
    const int64_t n = h5::element_count(dataset);
    h5::expect_stored(dataset, n, where);
    if (datasets.empty()) rows = n;
    else if (n != rows) refuse(where + ": has " + std::to_string(n) + " rows but " + kPlanColumns[0] + " has " + std::to_string(rows));
    datasets.push_back(std::move(dataset));
  }
  if (rows == 0) refuse(path + ":/plan: has no rows (no customers)");
  const RowBlock block = row_block(rows, comm.size(), comm.rank());
  PlanRows& r = plan.rows;
  r.customer_id.resize(block.count), r.segment.resize(block.count), r.group.resize(block.count);
  h5::read_rows(comm, datasets[0], H5T_NATIVE_INT64, block.first, block.count, 1, r.customer_id.data(), path + ":" + kPlanColumns[0]);
  h5::read_rows(comm, datasets[1], H5T_NATIVE_INT32, block.first, block.count, 1, r.segment.data(), path + ":" + kPlanColumns[1]);
  h5::read_rows(comm, datasets[2], H5T_NATIVE_INT8, block.first, block.count, 1, r.group.data(), path + ":" + kPlanColumns[2]);
  const std::optional<int64_t> bad = first_rejected_row(r.group, block, [](int8_t g) { return g == 0 || g == 1; }, comm);
  if (bad) refuse(path + ":/plan/group row " + std::to_string(*bad) + ": not 0 (treated) or 1 (control)");
  plan.name = string_attribute(input.handle(), "name", path);
  plan.result = string_attribute(input.handle(), "result", path);
  plan.control_share = double_attribute(input.handle(), "control_share", path);
  if (input.has("/plan_segments/segment") && input.has("/plan_segments/name")) {
    plan.segment_ids = h5::read_small<int32_t>(input.handle(), "/plan_segments/segment", H5T_NATIVE_INT32, path);
    plan.segment_names = h5::read_strings(input.handle(), "/plan_segments/name", path);
    if (plan.segment_names.size() != plan.segment_ids.size()) refuse(path + ":/plan_segments/name: not one per segment");
  }
  return plan;
}

void write_campaign_file(const std::string& path, const CampaignReport& report) {
  const std::vector<const CampaignFigures*> rows = report_rows(report);
  const hsize_t n = rows.size();
  h5::Id file = h5::create_serial_v18(path);
  h5::Id group = h5::create_group(file, "/campaign");
  std::vector<int32_t> segment;
  std::vector<std::string> names;
  for (const CampaignFigures* row : rows) segment.push_back(row->segment), names.push_back(row->name);
  h5::write_small(file, "/campaign/segment", H5T_NATIVE_INT32, {n}, segment.data());
  h5::write_strings(file, "/campaign/name", names);
  const std::size_t counts = counts_of(report.total.lift).size(), values = values_of(report.total.lift).size();
  for (std::size_t j = 0; j < counts; ++j) {
    std::vector<int64_t> column;
    for (const CampaignFigures* row : rows) column.push_back(counts_of(row->lift)[j].second);
    h5::write_small(file, std::string("/campaign/") + counts_of(report.total.lift)[j].first, H5T_NATIVE_INT64, {n},
                    column.data());
  }
  for (std::size_t j = 0; j < values; ++j) {
    std::vector<double> column;
    for (const CampaignFigures* row : rows) column.push_back(values_of(row->lift)[j].second);
    h5::write_small(file, std::string("/campaign/") + values_of(report.total.lift)[j].first, H5T_NATIVE_DOUBLE, {n},
                    column.data());
  }
  h5::write_strings(file, "/campaign_warnings", report.warnings);
  for (const auto& [name, value] : std::vector<std::pair<std::string, h5::AttributeValue>>{
           {"name", report.name}, {"plan", report.plan}, {"transactions", report.transactions},
           {"from", report.from}, {"to", report.to}, {"control_share", report.control_share},
           {"lines_in_window", report.lines_in_window}, {"buyers_outside_plan", report.buyers_outside_plan},
           {"version", std::string(kVersion)}})
    h5::write_attribute(group, name, value);
  group.close(path + ": cannot close /campaign");
  file.close(path + ": cannot close (disk full?)");
}

void write_campaign_json(const std::string& path, const CampaignReport& report) {
  const auto figures_json = [](const CampaignFigures& row) {
    JsonObject o;
    o.add("segment", row.segment).add("name", row.name);
    for (const auto& [name, count] : counts_of(row.lift)) o.add(name, count);
    for (const auto& [name, value] : values_of(row.lift)) o.add(name, value);
    return o.add("warnings", row.lift.warnings);
  };
  std::vector<JsonObject> segments;
  for (const CampaignFigures& s : report.segments) segments.push_back(figures_json(s));
  JsonObject json;
  json.add("name", report.name).add("plan", report.plan).add("transactions", report.transactions)
      .add("from", report.from).add("to", report.to).add("control_share", report.control_share)
      .add("lines_in_window", report.lines_in_window).add("buyers_outside_plan", report.buyers_outside_plan)
      .add("segments", segments).add("total", figures_json(report.total)).add("warnings", report.warnings)
      .add("version", kVersion);
  write_text_file(path, [&](std::ostream& out) { out << json.str() << "\n"; });
}

void write_campaign_csv(const std::string& path, const CampaignReport& report) {
  write_text_file(path, [&](std::ostream& out) {
    out << "segment,name";
    for (const auto& [name, count] : counts_of(report.total.lift)) out << ',' << name;
    for (const auto& [name, value] : values_of(report.total.lift)) out << ',' << name;
    out << '\n';
    for (const CampaignFigures* row : report_rows(report)) {
      out << row->segment << ',' << csv_field(row->name);
      for (const auto& [name, count] : counts_of(row->lift)) out << ',' << count;
      for (const auto& [name, value] : values_of(row->lift)) out << ',' << csv_number(value);
      out << '\n';
    }
  });
}

void write_campaign_html(const std::string& path, const CampaignReport& r) {
  write_text_file(path, [&](std::ostream& out) {
    out << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>kseg campaign " << escaped(r.name)
        << "</title><style>" << kStyle << "</style></head><body><h1>Campaign " << escaped(r.name)
        << ": treated against control</h1><table class='facts'>";
    for (const auto& [label, value] : std::vector<std::pair<std::string, std::string>>{
             {"plan", r.plan}, {"transactions", r.transactions}, {"window", r.from + " to " + r.to + " (both included, UTC)"},
             {"control share", percent(r.control_share, 1)}, {"transaction lines in the window", with_thousands(r.lines_in_window)},
             {"buyers in the window outside the plan", with_thousands(r.buyers_outside_plan)}})
      out << "<tr><td>" << escaped(label) << "</td><td>" << escaped(value) << "</td></tr>";
    out << "</table>";
    if (!r.warnings.empty()) {
      out << "<div class='warnings'><strong>Before you act on these figures</strong><ul>";
      for (const std::string& w : r.warnings) out << "<li>" << escaped(w) << "</li>";
      out << "</ul></div>";
    }
    out << "<h2>Per segment</h2>" << figures_table(r)
        << "<p class='note'>Conversion: the share of customers who bought at least once in the window. Lift: treated "
           "− control, in percentage points, with its 95% Wald interval (unpooled variances) and the two-sided "
           "p-value of the two-proportion z-test (pooled). Revenue per customer: the net revenue of the window "
           "(returns subtracted) over every customer of the group, buyers or not; its difference has a 95% interval "
           "and p-value from Welch's t-test (Welch–Satterthwaite degrees of freedom). Incremental revenue: the "
           "difference × the treated customers.</p><h2>Conversion lift, percentage points (95% interval)</h2>"
        << interval_chart(r, "conversion lift (pp)", &CampaignLift::conversion_lift, &CampaignLift::conversion_lift_low,
                          &CampaignLift::conversion_lift_high, 100)
        << "<h2>Revenue per customer, treated − control (95% interval)</h2>"
        << interval_chart(r, "revenue difference per customer", &CampaignLift::revenue_difference,
                          &CampaignLift::revenue_difference_low, &CampaignLift::revenue_difference_high, 1)
        << "</body></html>\n";
  });
}

}  // namespace kseg
