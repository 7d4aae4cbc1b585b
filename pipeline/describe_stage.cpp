#include "pipeline/describe_stage.hpp"

#include <algorithm>

#include "common/errors.hpp"
#include "common/number_text.hpp"

namespace kseg {
namespace {

// The user's names win over the RFM ones and last quarter's; I is the segment's (stable) id.
void rename_segments(const std::vector<std::string>& overrides, std::vector<SegmentProfile>& profiles) {
  for (const std::string& entry : overrides) {
    const std::size_t eq = entry.find('=');
    int segment = -1;
    try {
      segment = eq == std::string::npos ? -1 : std::stoi(entry.substr(0, eq));
    } catch (const std::exception&) {
    }
    const auto named = std::find_if(profiles.begin(), profiles.end(),
                                    [&](const SegmentProfile& p) { return p.segment == segment; });
    if (named == profiles.end() || eq + 1 >= entry.size())
      refuse("--segment-name '" + entry + "' must look like 2=VIP with the id of a segment of this run");
    named->name = entry.substr(eq + 1);
  }
}

// A matched segment keeps last quarter's name and action; a new one keeps its RFM name.
void carry_names_over(const PreviousQuarter& previous, const SegmentMatch& match, std::vector<SegmentProfile>& profiles) {
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    const int row = match.previous_row[i];
    if (row < 0) continue;
    profiles[i].name = previous.model.segment_names[row];
    profiles[i].action = previous.model.segment_actions[row];
  }
}

void log_comparison(const QuarterComparison& q, const Logger& log) {
  const SegmentMatch& m = q.match;
  log.line("compare   ", q.previous_path, ": ", m.vanished.size(), " vanished, ",
           std::count(m.previous_row.begin(), m.previous_row.end(), -1), " new segment(s); PSI ",
           fixed_decimals(q.drift.psi, 3), ", ", fixed_decimals(100 * q.drift.changed_share, 1),
           "% of returning customers changed segment");
  for (const std::string& warning : q.drift.warnings) log.line("drift     warning: ", warning);
}

// An as-of date long after the log ends makes every customer look lapsed.
void warn_if_stale(const ModelInputs& inputs, int64_t period_days, RunReport& report, const Logger& log) {
  if (!inputs.log || inputs.log->as_of_day - inputs.log->last_day <= period_days) return;
  const TransactionLog& t = *inputs.log;
  report.warnings.push_back("the as-of date " + iso_date(t.as_of_day) + " is " + with_thousands(t.as_of_day - t.last_day) +
                            " days after the last transaction (" + iso_date(t.last_day) +
                            "): every customer looks lapsed, so recency, churn and the names say little; "
                            "measure at the end of the log instead");
  log.line("warning   ", report.warnings.back());
}

void log_validation(const HoldoutValidation& v, const Logger& log) {
  const ValidationGroup& t = v.total;
  log.line("validate  holdout of ", v.window.days(), " days: ", with_thousands(t.customers), " customers bought ",
           fixed_decimals(t.actual_purchases, 0), " times (predicted ", fixed_decimals(t.predicted_purchases, 0),
           "), spent ", fixed_decimals(t.actual_spend, 0), " (predicted ", fixed_decimals(t.predicted_spend, 0),
           "); churn risk AUC ", fixed_decimals(v.churn_auc, 3), ", Brier ", fixed_decimals(v.churn_brier, 3));
}

void log_segments(const RunReport& report, bool with_clv, const Logger& log) {
  for (const SegmentProfile& p : report.profiles)
    log.line("segment   ", p.segment, "  ", p.name, "  ", with_thousands(p.customers), " customers",
             with_clv ? "  mean CLV " + fixed_decimals(p.mean_clv, 2) : std::string(), p.action.empty() ? "" : "  -> ",
             p.action);
}

// RFM segments are named by their class (their id is its code).
void name_by_class(std::vector<SegmentProfile>& profiles) {
  for (SegmentProfile& p : profiles) p.name = rfm_classes()[p.segment].name, p.action = rfm_classes()[p.segment].action;
}

std::vector<SegmentProfile> profiles_of(const ModelInputs& inputs, const SegmentedCustomers& s, int k,
                                        int64_t period_days, const Communicator& comm) {
  const FeatureShard& table = inputs.profiled_table();
  std::vector<SegmentProfile> profiles = profile_segments(
      {inputs.profiled_names, table.matrix.data(), table.d, inputs.profiled_columns, table.block.count,
       s.assignment.row.data(), inputs.value ? inputs.value->clv.data() : nullptr,
       inputs.value ? inputs.value->p_alive.data() : nullptr, inputs.value ? inputs.value->churn_risk.data() : nullptr,
       inputs.retained.empty() ? nullptr : inputs.retained.data(), s.rfm ? &*s.rfm : nullptr,
       static_cast<double>(period_days)},
      k, comm);
  for (SegmentProfile& p : profiles) p.segment = s.order.ids[p.segment];
  return profiles;
}

}  // namespace

RunReport describe_stage(const RunParams& p, const ModelInputs& inputs, const FitOutcome& fitted,
                         const SegmentedCustomers& s, const Communicator& comm, const Logger& log) {
  const FeatureShard& shard = inputs.shard;
  const int k = fitted.fit.k;
  RunReport report;
  report.features = inputs.profiled_names;
  report.profiles = profiles_of(inputs, s, k, p.model.step.period_days, comm);
  if (p.segments_from == SegmentSource::rfm) name_by_class(report.profiles);
  if (fitted.previous) {
    carry_names_over(*fitted.previous, s.order.match, report.profiles);
    report.comparison = compare_with_previous(
        *fitted.previous, s.order.match,
        {shard.customer_id.data(), s.segment.data(), s.monetary.empty() ? nullptr : s.monetary.data(), shard.block.count},
        s.assignment.sizes, p.previous.comparison, comm);
    log_comparison(*report.comparison, log);
  }
  rename_segments(p.segment_names, report.profiles);
  if (inputs.attributes)
    report.attributes = profile_attributes(*inputs.attributes, shard.customer_id.data(), s.assignment.row.data(),
                                           inputs.value ? inputs.value->clv.data() : nullptr, shard.block.count, k, comm);
  if (fitted.sweep) report.sweep = fitted.sweep->sweep, report.recommended_k = fitted.sweep->recommended_k;
  if (inputs.holdout) {
    report.validation = validate_on_holdout({shard.customer_id.data(), s.assignment.row.data(), inputs.value->churn_risk.data(),
                                             shard.block.count, k},
                                            inputs.holdout_predicted, *inputs.holdout, p.model.step.period_days, comm);
    log_validation(*report.validation, log);
  }
  warn_if_stale(inputs, p.model.step.period_days, report, log);
  for (const std::string& warning : inputs.model_warnings) {
    report.warnings.push_back("CLV model " + warning);
    log.line("warning   CLV model ", warning);
  }
  log_segments(report, inputs.value.has_value(), log);
  return report;
}

}  // namespace kseg
