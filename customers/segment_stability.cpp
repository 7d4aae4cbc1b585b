#include "customers/segment_stability.hpp"

#include <algorithm>

namespace kseg {

const char* stability_reading(double jaccard) {
  if (jaccard >= 0.85) return "highly stable";
  if (jaccard > 0.75) return "stable";
  if (jaccard > 0.5) return "doubtful";
  return "dissolved";
}

std::vector<double> best_jaccard(const std::vector<int32_t>& run_row, const std::vector<int32_t>& refit_row, int k,
                                 const Communicator& comm) {
  const std::size_t kk = static_cast<std::size_t>(k);
  std::vector<int64_t> both(kk * kk, 0);
  for (std::size_t i = 0; i < run_row.size(); ++i) both[static_cast<std::size_t>(run_row[i]) * kk + refit_row[i]] += 1;
  comm.sum(both.data(), both.size());
  std::vector<int64_t> run_size(kk, 0), refit_size(kk, 0);
  for (std::size_t s = 0; s < kk; ++s)
    for (std::size_t t = 0; t < kk; ++t) run_size[s] += both[s * kk + t], refit_size[t] += both[s * kk + t];
  std::vector<double> best(kk, 0.0);
  for (std::size_t s = 0; s < kk; ++s)
    for (std::size_t t = 0; t < kk; ++t) {
      const int64_t common = both[s * kk + t], either = run_size[s] + refit_size[t] - common;
      if (either > 0) best[s] = std::max(best[s], static_cast<double>(common) / static_cast<double>(either));
    }
  return best;
}

}  // namespace kseg
