#include "pipeline/campaign_jobs.hpp"

#include "common/errors.hpp"
#include "common/timer.hpp"
#include "customers/campaign_groups.hpp"
#include "io/atomic_output.hpp"
#include "io/hdf5.hpp"
#include "io/result_file.hpp"
#include "io/timestamp_parse.hpp"
#include "io/transaction_file.hpp"
#include "pipeline/write_stage.hpp"

namespace kseg {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

void refuse_bad_plan_params(const PlanCampaignParams& p) {
  if (p.name.empty()) refuse("--name: the campaign needs a name (it keys the control draw)");
  if (!(p.control_share > 0 && p.control_share < 1))
    refuse("--control-share " + value_text(p.control_share) + ": must be between 0 and 1 (both excluded)");
}

// The result's name for each segment id ("" where it has none, e.g. an id the model lacks).
std::vector<std::string> segment_names(const SavedModel& model, const std::vector<int32_t>& segment_ids) {
  std::vector<std::string> names;
  for (const int32_t id : segment_ids) {
    std::string name;
    for (std::size_t row = 0; row < model.segment_ids.size(); ++row)
      if (model.segment_ids[row] == id && row < model.segment_names.size()) name = model.segment_names[row];
    names.push_back(name);
  }
  return names;
}

std::string name_of(const CampaignPlan& plan, int32_t segment) {
  for (std::size_t s = 0; s < plan.segment_ids.size(); ++s)
    if (plan.segment_ids[s] == segment) return plan.segment_names[s];
  return "";
}

std::string segment_label(int32_t segment, const std::string& name) {
  return "segment " + std::to_string(segment) + (name.empty() ? "" : " (" + name + ")");
}

// The four outputs of a measurement, renamed into place together once all are written.
struct MeasureOutputs {
  AtomicOutput file, json, csv, html;
  MeasureOutputs(const MeasureCampaignParams& p, const Communicator& comm)
      : file(p.output, p.force, {p.plan, p.transactions}, comm),
        json(result_stem(p.output) + ".json", p.force, {p.plan, p.transactions}, comm),
        csv(result_stem(p.output) + ".csv", p.force, {p.plan, p.transactions}, comm),
        html(result_stem(p.output) + ".html", p.force, {p.plan, p.transactions}, comm) {}
  void commit() {
    for (AtomicOutput* o : {&file, &json, &csv, &html}) o->commit();
  }
};

CampaignReport campaign_report(const MeasureCampaignParams& p, const CampaignPlan& plan, const CampaignResponse& r) {
  CampaignReport report{plan.name, p.plan, p.transactions, p.from, p.to, plan.control_share, r.lines_in_window,
                        r.buyers_outside_plan, {}, {}, {}};
  for (std::size_t s = 0; s < r.segment_ids.size(); ++s) {
    const int32_t id = r.segment_ids[s];
    const std::string name = name_of(plan, id);
    report.segments.push_back({id, name, campaign_lift(r.treated[s], r.control[s], segment_label(id, name))});
  }
  report.total = {-1, "all segments", campaign_lift(r.all_treated, r.all_control, "all segments")};
  if (r.lines_in_window == 0)
    report.warnings.push_back(p.transactions + " has no transaction lines from " + p.from + " to " + p.to +
                              ": is the window right?");
  for (const CampaignFigures& row : report.segments)
    report.warnings.insert(report.warnings.end(), row.lift.warnings.begin(), row.lift.warnings.end());
  report.warnings.insert(report.warnings.end(), report.total.lift.warnings.begin(), report.total.lift.warnings.end());
  return report;
}

}  // namespace

int64_t day_start_option(const std::string& option, const std::string& date) {
  const std::optional<int64_t> seconds = date.size() == 10 ? parse_timestamp(date, TimestampFormat::iso) : std::nullopt;
  if (!seconds) refuse(option + " " + date + ": not a date (YYYY-MM-DD)");
  return *seconds;
}

PlanCampaignSummary plan_campaign_job(const PlanCampaignParams& p, const Communicator& comm, const Logger& log) {
  const Stopwatch clock;
  refuse_bad_plan_params(p);
  h5::refuse_unless_hdf5_file(p.result);
  AtomicOutput plan_file(p.output, p.force, {p.result}, comm);
  AtomicOutput plan_csv(result_stem(p.output) + ".csv", p.force, {p.result}, comm);
  const SavedModel model = read_saved_model(p.result);
  const SavedSegments segments = read_saved_segments(p.result, comm);
  const CampaignGroups groups = choose_control_groups(segments.customer_id, segments.segment, p.name, p.control_share, comm);

  CampaignPlanContent content;
  content.name = p.name;
  content.control_share = p.control_share;
  content.result = p.result;
  content.block.count = static_cast<int64_t>(segments.customer_id.size());
  content.block.first = comm.exclusive_prefix_sum(content.block.count);
  content.total_rows = comm.sum(content.block.count);
  content.customer_id = segments.customer_id.data();
  content.segment = segments.segment.data();
  content.group = groups.group.data();
  content.segment_ids = groups.segment_ids;
  content.segment_names = segment_names(model, groups.segment_ids);
  content.segment_customers = groups.customers;
  content.segment_control = groups.control;
  write_campaign_plan(plan_file.partial_path(), content, comm);
  write_campaign_plan_csv(plan_csv.partial_path(), content, comm);
  plan_file.commit();
  plan_csv.commit();

  int64_t control = 0;
  for (std::size_t s = 0; s < groups.segment_ids.size(); ++s) {
    control += groups.control[s];
    log.line("segment   ", groups.segment_ids[s], " ", content.segment_names[s], ": ", with_thousands(groups.customers[s]),
             " customers, ", with_thousands(groups.control[s]), " in control");
  }
  log.line("wrote     ", p.output, " and ", result_stem(p.output), ".csv: campaign '", p.name, "', ",
           with_thousands(content.total_rows), " customers, ", with_thousands(control), " held out");
  return {content.total_rows, control, clock.seconds()};
}

CampaignReport measure_campaign_job(const MeasureCampaignParams& p, const Communicator& comm, const Logger& log) {
  const int64_t begin = day_start_option("--from", p.from);
  const int64_t end = day_start_option("--to", p.to) + kSecondsPerDay;  // --to is included
  if (begin >= end) refuse("--from " + p.from + " is after --to " + p.to);
  MeasureOutputs outputs(p, comm);
  const CampaignPlan plan = read_campaign_plan(p.plan, comm);
  const TransactionShard shard = read_transaction_shard(p.transactions, comm);
  log.line("read      ", p.plan, " (campaign '", plan.name, "') and ", with_thousands(shard.total_rows),
           " transaction lines of ", p.transactions);
  const CampaignResponse response = measure_campaign_response(plan.rows, shard.rows, shard.schema.order_id, begin, end,
                                                              p.transactions + ":/transactions", comm);
  const CampaignReport report = campaign_report(p, plan, response);
  if (comm.is_root()) {
    write_campaign_file(outputs.file.partial_path(), report);
    write_campaign_json(outputs.json.partial_path(), report);
    write_campaign_csv(outputs.csv.partial_path(), report);
    write_campaign_html(outputs.html.partial_path(), report);
  }
  outputs.commit();
  const CampaignLift& all = report.total.lift;
  log.line("measured  ", with_thousands(response.lines_in_window), " lines in the window; conversion ",
           percent_text(all.conversion_treated, 2), " treated vs ", percent_text(all.conversion_control, 2),
           " control, lift ", fixed_decimals(100 * all.conversion_lift, 2), " pp (p = ",
           fixed_decimals(all.conversion_p_value, 4), ")");
  for (const std::string& w : report.warnings) log.line("warning   ", w);
  log.line("wrote     ", p.output, " and ", result_stem(p.output), ".{json,csv,html}");
  return report;
}

}  // namespace kseg
