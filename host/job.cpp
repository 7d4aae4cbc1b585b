#include "host/job.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "cluster/attribute_profiles.hpp"
#include "cluster/data_summary.hpp"
#include "cluster/segment_profiles.hpp"
#include "common/errors.hpp"
#include "common/version.hpp"
#include "host/cli_checks.hpp"
#include "host/k_sweep.hpp"
#include "io/atomic_output.hpp"
#include "io/report_files.hpp"
#include "io/report_html.hpp"
#include "io/result_file.hpp"
#include "io/run_report.hpp"

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

class LoggingObserver final : public FitObserver {
 public:
  LoggingObserver(const Logger& log, const KMeansParams& params) : log_(log), params_(params) {}
  void on_init(int restart, double seconds) override {
    log_.line("init      restart ", restart + 1, "/", params_.n_init, "  ", to_string(params_.init), "  ",
              milliseconds(seconds * 1e3));
  }
  void on_iteration(const IterationReport& r) override {
    log_.line("iter ", r.iteration, "  inertia ", r.inertia, "  shift ", r.relative_shift, "  ", milliseconds(r.milliseconds),
              r.reseeded ? "  (re-seeded " + std::to_string(r.reseeded) + " empty segments)" : "");
  }
  void on_restart_done(int restart, double inertia, int iterations, bool converged) override {
    log_.line("restart   ", restart + 1, "/", params_.n_init, "  inertia ", inertia, "  ",
              converged ? "converged after " : "stopped at max-iter after ", iterations, " iterations");
  }

 private:
  const Logger& log_;
  const KMeansParams& params_;
};

std::vector<std::pair<std::string, h5::AttributeValue>> result_attributes(const RunOptions& o, const JobSummary& s,
                                                                          const DataSummary& data) {
  const KMeansParams& p = o.kmeans;
  return {{"k", int64_t{p.k}},
          {"seed", static_cast<int64_t>(p.seed)},
          {"n_init", int64_t{p.n_init}},
          {"max_iter", int64_t{p.max_iter}},
          {"tol", p.tol},
          {"init", to_string(p.init)},
          {"inertia", s.fit.inertia},
          {"iterations", int64_t{s.fit.iterations}},
          {"converged", int64_t{s.fit.converged ? 1 : 0}},
          {"best_restart", int64_t{s.fit.best_restart}},
          {"customers", s.customers},
          {"features", int64_t{s.d}},
          {"ranks", int64_t{s.ranks}},
          {"backend", s.backend},
          {"version", std::string(kVersion)},
          {"input", o.input},
          {"input_checksum", hex(data.checksum)},
          {"created_utc", utc_now()},
          {"elapsed_read_s", s.read_seconds},
          {"elapsed_summarize_s", s.summarize_seconds},
          {"elapsed_init_s", s.fit.init_seconds},
          {"elapsed_lloyd_s", s.fit.lloyd_seconds},
          {"config", o.effective_config}};
}

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
      throw InputError("--segment-name '" + entry + "' must look like 2=VIP with the id of a segment of this run",
                       ErrorScope::all_ranks);
    named->name = entry.substr(eq + 1);
  }
}

// Centroid rows in increasing stable id, so that the model reads in id order.
struct SegmentOrder {
  std::vector<int> source_row;  // new row → the fit's row
  std::vector<int32_t> ids;     // new row → stable id
  SegmentMatch match;           // with --previous, in the new row order

  static SegmentOrder identity(int k) {
    SegmentOrder order;
    for (int i = 0; i < k; ++i) order.source_row.push_back(i), order.ids.push_back(i);
    return order;
  }
  std::vector<float> rows_of(const std::vector<float>& centroids, int d) const {
    std::vector<float> rows;
    for (int row : source_row) rows.insert(rows.end(), &centroids[row * d], &centroids[(row + 1) * d]);
    return rows;
  }
};

SegmentOrder order_by_match(const SegmentMatch& match) {
  SegmentOrder order = SegmentOrder::identity(static_cast<int>(match.ids.size()));
  std::sort(order.source_row.begin(), order.source_row.end(), [&](int a, int b) { return match.ids[a] < match.ids[b]; });
  order.match = match;
  order.match.previous_row.clear(), order.match.paired_row.clear(), order.match.distance.clear(), order.match.ids.clear();
  for (int row : order.source_row) {
    order.match.previous_row.push_back(match.previous_row[row]);
    order.match.paired_row.push_back(match.paired_row[row]);
    order.match.distance.push_back(match.distance[row]);
    order.match.ids.push_back(match.ids[row]);
  }
  order.ids = order.match.ids;
  return order;
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

// CLV columns per customer and the fitted models as attributes.
void add_customer_value(const CustomerValue& v, const ClvOptions& clv, ResultContent& content) {
  content.customer_columns = {{"p_alive", v.p_alive.data()},
                              {"expected_purchases", v.expected_purchases.data()},
                              {"expected_spend", v.expected_spend.data()},
                              {"clv", v.clv.data()}};
  const BgNbd& b = v.bgnbd.model;
  const GammaGamma& g = v.gamma_gamma.model;
  for (const auto& [name, value] : std::vector<std::pair<std::string, double>>{
           {"bgnbd_r", b.r}, {"bgnbd_alpha", b.alpha}, {"bgnbd_a", b.a}, {"bgnbd_b", b.b},
           {"bgnbd_log_likelihood", v.bgnbd.log_likelihood}, {"gamma_gamma_p", g.p}, {"gamma_gamma_q", g.q},
           {"gamma_gamma_v", g.v}, {"clv_horizon_months", clv.horizon_months}, {"clv_monthly_discount", clv.monthly_discount}})
    content.attributes.emplace_back(name, value);
}

}  // namespace

void add_kmeans_options(CLI::App& cmd, RunOptions& o) {
  cmd.add_option("--k", o.kmeans.k, "Number of segments")->capture_default_str()->check(at_least(1));
  cmd.add_option("--seed", o.kmeans.seed, "Seed of every random choice (same seed, same result)")->capture_default_str();
  cmd.add_option("--n-init", o.kmeans.n_init, "Restarts; the lowest inertia wins")->capture_default_str()->check(at_least(1));
  cmd.add_option("--max-iter", o.kmeans.max_iter, "Lloyd iterations per restart, at most")->capture_default_str()->check(at_least(1));
  cmd.add_option("--tol", o.kmeans.tol,
                 "Stop when the largest squared centroid move is below tol x the mean feature variance")
      ->capture_default_str()->check(at_least(0));
  cmd.add_option("--init", o.init, "Initialisation: k-means|| (scalable), k-means++ or random")
      ->capture_default_str()->check(CLI::IsMember({"k-means||", "k-means++", "random"}));
  add_device_options(cmd, o.device);
  cmd.add_option("--threads", o.threads, "OpenMP threads per rank (0: OpenMP's default)")->capture_default_str()->check(at_least(0));
}

void add_output_style_options(CLI::App& cmd, bool& quiet, bool& json) {
  cmd.add_flag("--quiet,-q", quiet, "No progress lines on stderr");
  cmd.add_flag("--json", json, "Print a machine-readable summary on stdout when done");
}

namespace {

// The fit, with --previous (its k, a warm start), --select-k (the sweep picks k) and checkpoints.
struct Fitted {
  std::optional<PreviousQuarter> previous;
  std::optional<KSweep> sweep;
  std::string checkpoint;
};

Fitted fit_segments(RunOptions& o, const FitContext& ctx, const ModelInputs& inputs, JobSummary& s, const Logger& log) {
  Fitted f;
  const Communicator& comm = ctx.comm;
  if (!o.previous.path.empty()) {
    f.previous = load_previous_quarter(o.previous.path, inputs.shard.feature_names, inputs.scaler);
    if (!o.k_given) o.kmeans.k = f.previous->model.k;
    log.line("previous  ", o.previous.path, ": ", f.previous->model.k, " segments");
  }
  if (!o.select_k.empty()) {
    f.sweep = sweep_k(ctx, o.kmeans, parse_k_range(o.select_k, "--select-k"), o.select_k_sample, log);
    if (!o.k_given) o.kmeans.k = f.sweep->recommended_k;
  }
  log.line("backend   ", s.backend, ", ", omp_get_max_threads(), " thread(s) per rank; k=", o.kmeans.k, " init=",
           to_string(o.kmeans.init), " n-init=", o.kmeans.n_init, " seed=", o.kmeans.seed);
  LoggingObserver progress(log, o.kmeans);
  const std::string identity = run_identity(o.kmeans, s.d, ctx.summary.checksum);
  std::optional<ResumePoint> resume = load_resume_point(o.checkpoint, identity, o.kmeans.k, s.d);
  if (resume) {
    log.line("resume    ", o.checkpoint.resume, ": restart ", resume->state.restart + 1, " after iteration ",
             resume->state.iteration);
  } else if (f.previous && o.previous.warm_start) {
    if (f.previous->model.k != o.kmeans.k)
      throw InputError("--warm-start needs --k " + std::to_string(f.previous->model.k) + " (last quarter's), not " +
                           std::to_string(o.kmeans.k), ErrorScope::all_ranks);
    resume = warm_start_point(*f.previous);
    log.line("warm      restart 1 starts from last quarter's centroids");
  }
  f.checkpoint = o.checkpoint.path.empty() ? o.output + ".ckpt" : o.checkpoint.path;
  CheckpointingObserver observer(progress, o.checkpoint, f.checkpoint, identity, comm, log);
  s.fit = fit_kmeans(ctx, o.kmeans, observer, resume ? &*resume : nullptr);
  if (s.fit.interrupted)
    throw Interrupted("stopped on request after a Lloyd iteration; checkpoint " + f.checkpoint +
                          "; continue with the same command plus --resume " + f.checkpoint,
                      ErrorScope::all_ranks);
  log.line("fit       inertia ", s.fit.inertia, " (restart ", s.fit.best_restart + 1, "), ", s.fit.iterations,
           " iterations, ", s.fit.converged ? "converged" : "not converged (raise --max-iter?)");
  return f;
}

// Every customer's segment: the row of the nearest centroid, its stable id, and the distance.
struct Assignment {
  std::vector<int32_t> row, id;
  std::vector<float> distance;
  std::vector<int64_t> sizes;  // per row, all ranks
};

Assignment assign_customers(const FitContext& ctx, const KMeansResult& fit, const SegmentOrder& order) {
  const int64_t n = ctx.shard.n;
  Assignment a{std::vector<int32_t>(n), std::vector<int32_t>(n), std::vector<float>(n), std::vector<int64_t>(fit.k, 0)};
  ctx.backend.assign_and_accumulate(fit.centroids.data(), fit.k, ctx.summary.quantization, nullptr, a.row.data(),
                                    a.distance.data());
  for (float& v : a.distance) v = std::sqrt(v);
  for (int64_t i = 0; i < n; ++i) a.sizes[a.row[i]] += 1, a.id[i] = order.ids[a.row[i]];
  ctx.comm.sum(a.sizes.data(), a.sizes.size());
  return a;
}

void log_comparison(const QuarterComparison& q, const Logger& log) {
  const SegmentMatch& m = q.match;
  log.line("compare   ", q.previous_path, ": ", m.vanished.size(), " vanished, ",
           std::count(m.previous_row.begin(), m.previous_row.end(), -1), " new segment(s); PSI ",
           fixed_decimals(q.drift.psi, 3), ", ", fixed_decimals(100 * q.drift.changed_share, 1),
           "% of returning customers changed segment");
  for (const std::string& warning : q.drift.warnings) log.line("drift     warning: ", warning);
}

// Profiles, names, attributes, the sweep and the comparison with last quarter: what the reports show.
RunReport describe_segments(const RunOptions& o, const ModelInputs& inputs, const Fitted& fitted,
                            const SegmentOrder& order, const Assignment& a, const std::vector<float>& monetary, int k,
                            const Communicator& comm, const Logger& log) {
  const FeatureShard& shard = inputs.shard;
  const float* clv = inputs.value ? inputs.value->clv.data() : nullptr;
  RunReport report;
  report.features = inputs.profiled_names;
  report.profiles = profile_segments({inputs.profiled_names, inputs.profiled_rows(), shard.block.count, a.row.data(), clv,
                                      inputs.value ? inputs.value->p_alive.data() : nullptr,
                                      inputs.retained.empty() ? nullptr : inputs.retained.data()},
                                     k, comm);
  for (SegmentProfile& p : report.profiles) p.segment = order.ids[p.segment];
  if (fitted.previous) {
    carry_names_over(*fitted.previous, order.match, report.profiles);
    report.comparison = compare_with_previous(
        *fitted.previous, order.match,
        {shard.customer_id.data(), a.id.data(), monetary.empty() ? nullptr : monetary.data(), shard.block.count}, a.sizes,
        o.previous.comparison, comm);
    log_comparison(*report.comparison, log);
  }
  rename_segments(o.segment_names, report.profiles);
  if (inputs.attributes)
    report.attributes = profile_attributes(*inputs.attributes, shard.customer_id.data(), a.row.data(), clv,
                                           shard.block.count, k, comm);
  if (fitted.sweep) report.sweep = fitted.sweep->sweep, report.recommended_k = fitted.sweep->recommended_k;
  for (const SegmentProfile& p : report.profiles)
    log.line("segment   ", p.segment, "  ", p.name, "  ", with_thousands(p.customers), " customers",
             inputs.value ? "  mean CLV " + std::to_string(p.mean_clv) : std::string(), p.action.empty() ? "" : "  -> ",
             p.action);
  return report;
}

// The result file's content; points into `inputs`, `a`, `monetary` and `report`, which must outlive it.
ResultContent result_content(const RunOptions& o, const JobSummary& s, const DataSummary& data,
                             const ModelInputs& inputs, const SegmentOrder& order, const Assignment& a,
                             const std::vector<float>& monetary, const RunReport& report) {
  const FeatureShard& shard = inputs.shard;
  ResultContent c;
  c.total_rows = shard.total_rows;
  c.block = shard.block;
  c.customer_id = shard.customer_id.data();
  c.segment = a.id.data();
  c.distance = a.distance.data();
  c.k = s.fit.k;
  c.d = s.d;
  c.centroids = s.fit.centroids;
  c.centroids_original = inputs.scaler.to_original(s.fit.centroids);
  c.scaler = saved_scaler(inputs.scaler);
  c.segment_size = a.sizes;
  c.segment_ids = order.ids;
  if (report.comparison)
    for (int row : order.match.previous_row) c.segment_status.push_back(row >= 0 ? "matched" : "new segment");
  c.comparison = report.comparison ? &*report.comparison : nullptr;
  c.feature_names = shard.feature_names;
  c.attributes = result_attributes(o, s, data);
  if (inputs.value) add_customer_value(*inputs.value, o.model.clv, c);
  if (!monetary.empty()) c.customer_columns.emplace_back("monetary", monetary.data());
  for (const SegmentProfile& p : report.profiles) {
    c.segment_names.push_back(p.name);
    c.segment_actions.push_back(p.action);
  }
  return c;
}

}  // namespace

std::string result_stem(const std::string& output) {
  return output.size() > 3 && output.substr(output.size() - 3) == ".h5" ? output.substr(0, output.size() - 3) : output;
}

JobSummary run_job(const RunOptions& options, const Communicator& comm, const Logger& log) {
  Stopwatch total;
  RunOptions o = options;
  o.kmeans.init = parse_init_method(o.init);
  if (o.threads > 0) omp_set_num_threads(o.threads);
  JobSummary s;
  s.input = o.input;
  s.output = o.output;
  s.ranks = comm.size();
  AtomicOutput output(o.output, o.force, comm);
  const std::string stem = result_stem(o.output);
  AtomicOutput report_json(stem + ".report.json", o.force, comm), segments_csv(stem + ".csv", o.force, comm),
      report_html(stem + ".report.html", o.force, comm);

  const bool cuda = use_cuda(o.device, comm, log);
  o.model.step.use_cuda = cuda;
  Stopwatch phase;
  const ModelInputs inputs = load_model_inputs(o.input, o.model, comm, log);
  const FeatureShard& shard = inputs.shard;
  s.read_seconds = phase.seconds();
  s.customers = shard.total_rows;
  s.d = shard.d;
  s.feature_names = shard.feature_names;
  log.line("inputs    ", with_thousands(s.customers), " customers x ", s.d, " features from ", o.input, " on ",
           comm.size(), " rank(s), ", milliseconds(s.read_seconds * 1e3));
  for (int j = 0; j < s.d; ++j)
    if (to_string(inputs.scaler.steps[j]) != "none")
      log.line("transform ", shard.feature_names[j], ": ", to_string(inputs.scaler.steps[j]));

  phase = Stopwatch();
  const ShardView view = shard.view();
  const DataSummary data = summarize(view, shard.customer_id.data(), comm);
  s.summarize_seconds = phase.seconds();
  std::unique_ptr<Backend> backend = make_backend(cuda, o.device);
  backend->load_shard(view);
  s.backend = backend->name();
  const FitContext ctx{*backend, view, shard.customer_id.data(), data, comm};
  const Fitted fitted = fit_segments(o, ctx, inputs, s, log);

  phase = Stopwatch();
  const SegmentOrder order =
      fitted.previous ? order_by_match(match_segments(fitted.previous->centroids, fitted.previous->model.segment_ids,
                                                      fitted.previous->model.segment_names, s.fit.centroids, s.d,
                                                      o.previous.comparison))
                      : SegmentOrder::identity(s.fit.k);
  s.fit.centroids = order.rows_of(s.fit.centroids, s.d);
  const Assignment assignment = assign_customers(ctx, s.fit, order);
  s.fit.sizes = assignment.sizes;
  const std::vector<float> monetary = inputs.profiled_column("monetary");  // next quarter's migration revenue
  RunReport report = describe_segments(o, inputs, fitted, order, assignment, monetary, s.fit.k, comm, log);
  s.profiles = report.profiles;
  write_result_file(output.partial_path(), result_content(o, s, data, inputs, order, assignment, monetary, report),
                    comm);
  if (comm.is_root()) {
    report.facts.add("input", o.input).add("result", o.output).add("customers", s.customers).add("k", s.fit.k)
        .add("inertia", s.fit.inertia).add("version", kVersion);
    report.headline = {{"input", o.input}, {"result", o.output}, {"customers", with_thousands(s.customers)},
                       {"segments", std::to_string(s.fit.k)}, {"kseg", kVersion}};
    if (fitted.previous) report.headline.emplace_back("last quarter", o.previous.path);
    write_report_json(report_json.partial_path(), report);
    write_segments_csv(segments_csv.partial_path(), report);
    write_report_html(report_html.partial_path(), report);
  }
  output.commit();
  report_json.commit();
  segments_csv.commit();
  report_html.commit();
  if (comm.is_root()) std::remove(fitted.checkpoint.c_str());  // the result supersedes it
  s.write_seconds = phase.seconds();
  s.total_seconds = total.seconds();
  log.line("write     ", o.output, ", ", milliseconds(s.write_seconds * 1e3), "; total ", milliseconds(s.total_seconds * 1e3));
  return s;
}

JsonObject to_json(const JobSummary& s) {
  JsonObject elapsed;
  elapsed.add("read", s.read_seconds).add("summarize", s.summarize_seconds).add("init", s.fit.init_seconds)
      .add("lloyd", s.fit.lloyd_seconds).add("write", s.write_seconds).add("total", s.total_seconds);
  JsonObject out;
  out.add("input", s.input).add("output", s.output).add("backend", s.backend).add("ranks", s.ranks)
      .add("customers", s.customers).add("features", s.d).add("k", s.fit.k).add("inertia", s.fit.inertia)
      .add("iterations", s.fit.iterations).add("converged", s.fit.converged).add("best_restart", s.fit.best_restart)
      .add("segment_size", s.fit.sizes).add("elapsed_s", elapsed).add("version", kVersion);
  return out;
}

}  // namespace kseg
