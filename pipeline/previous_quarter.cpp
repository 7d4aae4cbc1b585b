#include "pipeline/previous_quarter.hpp"

#include "common/errors.hpp"

namespace kseg {

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
