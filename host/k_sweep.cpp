#include "host/k_sweep.hpp"

#include "common/errors.hpp"
#include "common/timer.hpp"

namespace kseg {

std::vector<int> parse_k_range(const std::string& text, const std::string& option) {
  const std::size_t dots = text.find("..");
  try {
    if (dots != std::string::npos) {
      const int low = std::stoi(text.substr(0, dots)), high = std::stoi(text.substr(dots + 2));
      if (low >= 1 && low <= high) {
        std::vector<int> ks;
        for (int k = low; k <= high; ++k) ks.push_back(k);
        return ks;
      }
    }
  } catch (const std::exception&) {
  }
  throw InputError(option + " '" + text + "' must look like 2..15", ErrorScope::all_ranks);
}

KSweep sweep_k(const FitContext& ctx, const KMeansParams& params, const std::vector<int>& ks, int sample,
               const Logger& log) {
  KSweep result;
  for (int k : ks) {
    KMeansParams at_k = params;
    at_k.k = k;
    FitObserver quiet;
    Stopwatch clock;
    const KMeansResult fit = fit_kmeans(ctx, at_k, quiet);
    result.sweep.push_back(fit_quality(ctx, fit, sample, at_k.seed));
    const FitQuality& q = result.sweep.back();
    log.line("k=", k, "  inertia ", q.inertia, "  CH ", q.calinski_harabasz, "  DB ", q.davies_bouldin, "  silhouette ",
             q.silhouette, "  ", milliseconds(clock.milliseconds()));
  }
  result.recommended_k = recommended_k(result.sweep);
  log.line("select-k  recommended k = ", result.recommended_k, ": ", kRecommendedKRule);
  return result;
}

}  // namespace kseg
