#include "customers/transforms.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "cluster/data_summary.hpp"
#include "common/errors.hpp"
#include "common/exact_sum.hpp"

namespace kseg {
namespace {

constexpr int kBins = 1024;

double signed_log1p(double x) { return std::copysign(std::log1p(std::fabs(x)), x); }
double signed_expm1(double y) { return std::copysign(std::expm1(std::fabs(y)), y); }

// Counts of a column's values in kBins equal bins over [low, high]; values outside are ignored.
std::vector<int64_t> histogram(const float* rows, int64_t n, int d, int column, double low, double high,
                               const Communicator& comm) {
  std::vector<int64_t> counts(kBins, 0);
  const double width = (high - low) / kBins;
  for (int64_t i = 0; i < n; ++i) {
    const double v = rows[i * d + column];
    if (v < low || v > high) continue;
    const int bin = width > 0 ? std::min(kBins - 1, static_cast<int>((v - low) / width)) : 0;
    counts[bin] += 1;
  }
  comm.sum(counts.data(), counts.size());
  return counts;
}

// The bin holding the value of the given rank (0-based, among the counted values), and the
// rank of that value within the bin.
int bin_of_rank(const std::vector<int64_t>& counts, int64_t& rank) {
  for (int bin = 0; bin < kBins; ++bin) {
    if (rank < counts[bin]) return bin;
    rank -= counts[bin];
  }
  return kBins - 1;
}

// Per column, the exact mean of its known (non-NaN) values; refuses a column with none.
std::vector<double> known_means(const float* rows, int64_t n, int d, const Communicator& comm,
                                const std::vector<std::string>& names) {
  std::vector<ExactSum> sums(d);
  std::vector<int64_t> known(d, 0);
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < d; ++j)
      if (const float v = rows[i * d + j]; !std::isnan(v)) sums[j].add(v), known[j] += 1;
  comm.sum(sums.data(), sums.size());
  comm.sum(known.data(), known.size());
  std::vector<double> mean(d);
  for (int j = 0; j < d; ++j) {
    if (known[j] == 0 && comm.sum(n) > 0)
      refuse("feature '" + (names.empty() ? std::to_string(j + 1) : names[j]) + "' has no known value for any customer: it cannot be clustered on");
    mean[j] = known[j] > 0 ? sums[j].to_double() / static_cast<double>(known[j]) : 0.0;
  }
  return mean;
}

}  // namespace

FeatureTransform parse_feature_transform(const std::string& steps) {
  FeatureTransform t;
  std::istringstream parts(steps);
  std::string step;
  while (std::getline(parts, step, '+')) {
    if (step == "log1p") t.log1p = true;
    else if (step == "winsorize") t.winsorize = true;
    else if (step == "standardize") t.standardize = true;
    else if (step != "none")
      throw InputError("transform step '" + step + "' is not one of log1p, winsorize, standardize, none",
                       ErrorScope::all_ranks);
  }
  return t;
}

std::string to_string(const FeatureTransform& t) {
  std::string out;
  for (const auto& [on, name] : {std::pair{t.log1p, "log1p"}, {t.winsorize, "winsorize"}, {t.standardize, "standardize"}})
    if (on) out += (out.empty() ? "" : "+") + std::string(name);
  return out.empty() ? "none" : out;
}

double global_quantile(const float* rows, int64_t n, int d, int column, double q, const Communicator& comm) {
  double range[2] = {INFINITY, -INFINITY};
  for (int64_t i = 0; i < n; ++i) {
    range[0] = std::min(range[0], static_cast<double>(rows[i * d + column]));
    range[1] = std::max(range[1], static_cast<double>(rows[i * d + column]));
  }
  comm.min(&range[0], 1);
  comm.max(&range[1], 1);
  const int64_t total = comm.sum(n);
  int64_t rank = static_cast<int64_t>(std::floor(q * static_cast<double>(total - 1)));
  double low = range[0], high = range[1];
  for (int level = 0; level < 2 && high > low; ++level) {  // zoom into the bin holding the rank
    const int bin = bin_of_rank(histogram(rows, n, d, column, low, high, comm), rank);
    const double width = (high - low) / kBins;
    low += bin * width;
    high = bin == kBins - 1 ? high : low + width;
  }
  return low;
}

// The three stages, each rounding to float, shared by fitting and applying so that a saved
// model transforms its own training data to exactly the same bits.
float fill_stage(const Scaler& s, int j, float v) { return std::isnan(v) ? static_cast<float>(s.fill[j]) : v; }
float log_stage(const Scaler& s, int j, float v) { return s.steps[j].log1p ? static_cast<float>(signed_log1p(v)) : v; }
float clip_stage(const Scaler& s, int j, float v) {
  return static_cast<float>(std::clamp<double>(v, s.clip_low[j], s.clip_high[j]));
}
float scale_stage(const Scaler& s, int j, float v) { return static_cast<float>((v - s.center[j]) / s.scale[j]); }

template <typename Stage>
void apply_stage(const Scaler& s, float* rows, int64_t n, int d, int j, Stage stage) {
  for (int64_t i = 0; i < n; ++i) rows[i * d + j] = stage(s, j, rows[i * d + j]);
}

void Scaler::apply(float* rows, int64_t n) const {
  const int d = static_cast<int>(steps.size());
  for (int j = 0; j < d; ++j)
    for (auto stage : {fill_stage, log_stage, clip_stage, scale_stage}) apply_stage(*this, rows, n, d, j, stage);
}

std::vector<float> Scaler::to_original(const std::vector<float>& centroids) const {
  const std::size_t d = steps.size();
  std::vector<float> original(centroids.size());
  for (std::size_t i = 0; i < centroids.size(); ++i) {
    const std::size_t j = i % d;
    const double v = centroids[i] * scale[j] + center[j];
    original[i] = static_cast<float>(steps[j].log1p ? signed_expm1(v) : v);
  }
  return original;
}

Scaler fit_and_apply_transforms(float* rows, int64_t n, int d, const std::vector<FeatureTransform>& steps,
                                const TransformParams& params, const int64_t* ids, const Communicator& comm,
                                const std::vector<std::string>& names) {
  Scaler s;
  s.steps = steps;
  s.fill = known_means(rows, n, d, comm, names);
  s.clip_low.assign(d, -INFINITY);
  s.clip_high.assign(d, INFINITY);
  s.center.assign(d, 0.0);
  s.scale.assign(d, 1.0);
  for (int j = 0; j < d; ++j) {
    apply_stage(s, rows, n, d, j, fill_stage);
    apply_stage(s, rows, n, d, j, log_stage);
    if (!steps[j].winsorize) continue;
    s.clip_low[j] = global_quantile(rows, n, d, j, params.winsor_low, comm);
    s.clip_high[j] = global_quantile(rows, n, d, j, params.winsor_high, comm);
    apply_stage(s, rows, n, d, j, clip_stage);
  }
  const DataSummary moments = summarize({rows, n, d}, ids, comm);
  for (int j = 0; j < d; ++j) {
    if (steps[j].standardize) {
      s.center[j] = moments.mean[j];
      s.scale[j] = moments.variance[j] > 0 ? std::sqrt(moments.variance[j]) : 1.0;
    }
    if (!params.divisors.empty()) s.scale[j] *= params.divisors[j];
    if (s.center[j] != 0.0 || s.scale[j] != 1.0) apply_stage(s, rows, n, d, j, scale_stage);
  }
  return s;
}

}  // namespace kseg
