#include "pipeline/write_stage.hpp"

#include <cstdio>
#include <ctime>

#include "common/number_text.hpp"
#include "common/version.hpp"
#include "io/report_files.hpp"
#include "io/report_html.hpp"
#include "io/result_file.hpp"

namespace kseg {
namespace {

std::string hex(uint64_t value) {
  char text[19];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::string utc_now() {
  char text[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

std::vector<std::pair<std::string, h5::AttributeValue>> result_attributes(const RunOutcome& r) {
  const KMeansParams& p = r.fitted.params;
  const JobSummary& s = r.summary;
  return {{"k", int64_t{p.k}},
          {"seed", static_cast<int64_t>(p.seed)},
          {"n_init", int64_t{p.n_init}},
          {"max_iter", int64_t{p.max_iter}},
          {"tol", p.tol},
          {"init", to_string(p.init)},
          {"init_trials", int64_t{p.init_trials}},
          {"init_sample", p.init_sample},
          {"swap_patience", int64_t{p.swap_patience}},
          {"swap_sample", p.swap_sample},
          {"acceleration", to_string(p.acceleration)},
          {"segments_from", to_string(r.params.segments_from)},
          {"inertia", s.fit.inertia},
          {"iterations", int64_t{s.fit.iterations}},
          {"converged", int64_t{s.fit.converged ? 1 : 0}},
          {"best_restart", int64_t{s.fit.best_restart}},
          {"customers", s.customers},
          {"features", int64_t{s.d}},
          {"ranks", int64_t{s.ranks}},
          {"backend", s.backend},
          {"version", std::string(kVersion)},
          {"input", r.params.input},
          {"input_checksum", hex(r.data.checksum)},
          {"created_utc", utc_now()},
          {"elapsed_read_s", s.read_seconds},
          {"elapsed_summarize_s", s.summarize_seconds},
          {"elapsed_init_s", s.fit.init_seconds},
          {"init_trial_customers", s.fit.init_trial_customers},
          {"elapsed_lloyd_s", s.fit.lloyd_seconds},
          {"elapsed_swap_s", s.fit.swap_seconds},
          {"swap_trials", int64_t{s.fit.swap_trials}},
          {"swaps_accepted", int64_t{s.fit.swaps_accepted}},
          {"swap_customers", s.fit.swap_customers},
          {"config", r.params.effective_config}};
}

// CLV columns per customer and the fitted models as attributes.
void add_customer_value(const CustomerValue& v, const ClvOptions& clv, ResultContent& content) {
  content.customer_columns.insert(content.customer_columns.end(), {{"p_alive", v.p_alive.data()},
                                                                   {"churn_risk", v.churn_risk.data()},
                                                                   {"expected_purchases", v.expected_purchases.data()},
                                                                   {"expected_spend", v.expected_spend.data()},
                                                                   {"clv", v.clv.data()}});
  const PurchaseModel& m = v.purchases.model;
  const std::string prefix = purchase_model_prefix(m.kind);
  for (std::size_t i = 0; i < m.params.size(); ++i) content.attributes.emplace_back(prefix + m.param_names()[i], m.params[i]);
  const GammaGamma& g = v.gamma_gamma.model;
  for (const auto& [name, value] : std::vector<std::pair<std::string, double>>{
           {prefix + "log_likelihood", v.purchases.log_likelihood}, {"gamma_gamma_p", g.p}, {"gamma_gamma_q", g.q},
           {"gamma_gamma_v", g.v}, {"clv_horizon_months", clv.horizon_months}, {"clv_monthly_discount", clv.monthly_discount}})
    content.attributes.emplace_back(name, value);
  content.attributes.emplace_back("clv_model", to_string(m.kind));
}

// The result file's content; points into the outcome and `report`, which must outlive it.
ResultContent result_content(const RunOutcome& r, const RunReport& report) {
  const FeatureShard& shard = r.inputs.shard;
  const SegmentedCustomers& c = r.customers;
  const KMeansResult& fit = r.summary.fit;
  ResultContent content;
  content.total_rows = shard.total_rows;
  content.block = shard.block;
  content.customer_id = shard.customer_id.data();
  content.segment = c.segment.data();
  content.distance = c.distance.data();
  if (!c.envelope.empty()) {  // k-means segments (RFM classes have no centroids to be near)
    content.customer_columns.emplace_back("margin", c.fit.margin.data());
    content.out_of_envelope = c.fit.out_of_envelope.data();
    content.distance_envelope = c.envelope;
  }
  content.k = fit.k;
  content.d = r.summary.d;
  content.centroids = fit.centroids;
  content.centroids_original = r.inputs.scaler.to_original(fit.centroids);
  content.scaler = saved_scaler(r.inputs.scaler);
  content.segment_size = c.assignment.sizes;
  content.segment_ids = c.order.ids;
  if (report.comparison)
    for (int row : c.order.match.previous_row) content.segment_status.push_back(row >= 0 ? "matched" : "new segment");
  content.comparison = report.comparison ? &*report.comparison : nullptr;
  content.validation = report.validation ? &*report.validation : nullptr;
  content.rfm = c.rfm ? &*c.rfm : nullptr;
  content.feature_names = shard.feature_names;
  content.attributes = result_attributes(r);
  if (r.inputs.value) add_customer_value(*r.inputs.value, r.params.model.clv, content);
  if (!c.monetary.empty()) content.customer_columns.emplace_back("monetary", c.monetary.data());
  for (const SegmentProfile& p : report.profiles) {
    content.segment_names.push_back(p.name);
    content.segment_actions.push_back(p.action);
  }
  return content;
}

// When and on what: the transactions' window, the holdout and the CLV model behind the figures.
void add_transaction_context(const RunOutcome& r, RunReport& report) {
  const TransactionLog& t = *r.inputs.log;
  const FeatureStepOptions& step = r.params.model.step;
  const int64_t used = t.lines - t.lines_after_as_of;
  report.facts.add("as_of", step.as_of).add("first_transaction", iso_date(t.first_day))
      .add("last_transaction", iso_date(t.last_day)).add("transaction_lines_used", used)
      .add("transaction_lines_after_as_of", t.lines_after_as_of).add("time_unit", step.time_unit)
      .add("period_days", step.period_days).add("currency", r.params.currency);
  report.headline.insert(report.headline.end(),
                         {{"as of", step.as_of},
                          {"transactions", iso_date(t.first_day) + " to " + iso_date(t.last_day)},
                          {"lines", with_thousands(used) + " used, " + with_thousands(t.lines_after_as_of) +
                                        " after the as-of date"}});
  if (r.inputs.holdout)
    report.headline.emplace_back("holdout", iso_date(r.inputs.holdout->window.as_of_day + 1) + " to " +
                                                iso_date(r.inputs.holdout->window.end_day));
  if (!r.inputs.value) return;
  const CustomerValue& v = *r.inputs.value;
  const ClvOptions& clv = r.params.model.clv;
  report.facts.add("clv_horizon_months", clv.horizon_months).add("clv_monthly_discount", clv.monthly_discount)
      .add("clv_model", to_string(v.purchases.model.kind)).add("clv_model_choice", r.inputs.model_choice);
  report.headline.insert(
      report.headline.end(),
      {{"CLV model", describe(v.purchases) + "; Gamma-Gamma p " + fixed_decimals(v.gamma_gamma.model.p, 3) + ", q " +
                         fixed_decimals(v.gamma_gamma.model.q, 3) + ", v " + fixed_decimals(v.gamma_gamma.model.v, 3) +
                         (r.inputs.model_choice.empty() ? "" : " (" + r.inputs.model_choice + ")")},
       {"CLV horizon", fixed_decimals(clv.horizon_months, 1) + " months, discounted " +
                           fixed_decimals(100 * clv.monthly_discount, 2) + "% a month; time unit " + step.time_unit},
       {"churn risk", "P(no purchase in the " + std::to_string(step.period_days) + " days after the as-of date)"}});
  int64_t without_clv = 0;
  for (const SegmentProfile& p : report.profiles) without_clv += p.without_clv;
  report.facts.add("customers_without_clv", without_clv);
  if (without_clv > 0)
    report.headline.emplace_back("without CLV", with_thousands(without_clv) +
                                                    " customers only returned goods: no CLV, P(alive) or churn risk");
}

void add_headline(const RunOutcome& r, RunReport& report) {
  const JobSummary& s = r.summary;
  report.facts.add("input", r.params.input).add("result", r.params.output).add("customers", s.customers)
      .add("k", s.fit.k).add("inertia", s.fit.inertia).add("version", kVersion);
  report.headline = {{"input", r.params.input}, {"result", r.params.output}, {"customers", with_thousands(s.customers)},
                     {"segments", std::to_string(s.fit.k)}, {"kseg", kVersion}};
  if (r.inputs.log) add_transaction_context(r, report);
  if (!r.params.currency.empty()) report.headline.emplace_back("currency", r.params.currency);
  if (r.fitted.previous) report.headline.emplace_back("last quarter", r.params.previous.path);
  report.currency = r.params.currency;
}

}  // namespace

std::string result_stem(const std::string& output) {
  return output.size() > 3 && output.substr(output.size() - 3) == ".h5" ? output.substr(0, output.size() - 3) : output;
}

void write_stage(const RunOutcome& r, RunReport& report, const OutputPaths& paths, const Communicator& comm) {
  write_result_file(paths.result, result_content(r, report), comm);
  if (!comm.is_root()) return;
  add_headline(r, report);
  write_report_json(paths.report_json, report);
  write_segments_csv(paths.segments_csv, report);
  write_report_html(paths.report_html, report);
}

}  // namespace kseg
