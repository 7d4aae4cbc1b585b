#include "host/previous_quarter.hpp"

#include "common/errors.hpp"
#include "host/cli_checks.hpp"

namespace kseg {

void add_previous_options(CLI::App& cmd, PreviousOptions& o) {
  cmd.add_option("--previous", o.path,
                 "Last quarter's result: segments are matched to its segments (Hungarian algorithm on centroid "
                 "distance) so ids and names carry over; adds the migration matrix and drift to the result and "
                 "report. --k defaults to its k")
      ->check(CLI::ExistingFile);
  cmd.add_flag("--warm-start", o.warm_start, "With --previous: restart 1 starts Lloyd from last quarter's centroids instead of an initialisation");
  cmd.add_option("--match-threshold", o.comparison.match_threshold,
                 "With --previous: a segment whose best match lies further (model units: standard deviations) is "
                 "a new segment")
      ->capture_default_str()->check(at_least(0));
  cmd.add_option("--drift-psi-warning", o.comparison.psi_warning, "Warn when the PSI of segment shares exceeds this")
      ->capture_default_str()->check(at_least(0));
  cmd.add_option("--drift-changed-warning", o.comparison.changed_share_warning,
                 "Warn when more than this share of returning customers changed segment")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  cmd.add_option("--drift-shift-warning", o.comparison.shift_warning,
                 "Warn when a matched centroid moved further than this (model units)")
      ->capture_default_str()->check(at_least(0));
}

PreviousQuarter load_previous_quarter(const std::string& path, const std::vector<std::string>& features,
                                      const Scaler& scaler) {
  PreviousQuarter previous{read_saved_model(path), {}};
  if (previous.model.feature_names != features) {
    std::string theirs, ours;
    for (const std::string& f : previous.model.feature_names) theirs += (theirs.empty() ? "" : ",") + f;
    for (const std::string& f : features) ours += (ours.empty() ? "" : ",") + f;
    throw InputError(path + ": last quarter's model has features " + theirs + " but this run has " + ours +
                         " (use --features to choose the same)",
                     ErrorScope::all_ranks);
  }
  previous.centroids = previous.model.centroids_original;
  scaler.apply(previous.centroids.data(), previous.model.k);
  return previous;
}

ResumePoint warm_start_point(const PreviousQuarter& previous) {
  ResumePoint point;
  point.state.centroids = previous.centroids;
  return point;
}

QuarterComparison compare_with_previous(const PreviousQuarter& previous, const SegmentMatch& match,
                                        const QuarterCustomers& now, const std::vector<int64_t>& sizes,
                                        const ComparisonParams& params, const Communicator& comm) {
  const SavedSegments before = read_saved_segments(previous.model.path, comm);
  KeyedRows last{previous.model.path + ":/segments", 2, before.customer_id, {}};
  for (std::size_t i = 0; i < before.customer_id.size(); ++i)
    last.values.insert(last.values.end(), {double(before.segment[i]), before.monetary.empty() ? 0.0 : before.monetary[i]});
  KeyedRows current{"this quarter's customers", 2, {now.customer_id, now.customer_id + now.n}, {}};
  for (int64_t i = 0; i < now.n; ++i)
    current.values.insert(current.values.end(), {double(now.segment[i]), now.monetary ? now.monetary[i] : 0.0});

  QuarterComparison q;
  q.previous_path = previous.model.path;
  q.match = match;
  q.migration = migration_matrix(last, current, previous.model.segment_ids, match.ids, comm);
  q.drift = measure_drift(match, previous.model.segment_size, sizes, q.migration, params);
  return q;
}

}  // namespace kseg
