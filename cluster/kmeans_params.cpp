#include "cluster/kmeans_params.hpp"

#include "common/errors.hpp"

namespace kseg {

std::string to_string(InitMethod method) {
  switch (method) {
    case InitMethod::kmeans_parallel: return "k-means||";
    case InitMethod::kmeans_plus_plus: return "k-means++";
    case InitMethod::random: return "random";
  }
  return "?";
}

InitMethod parse_init_method(const std::string& text) {
  for (InitMethod m : {InitMethod::kmeans_parallel, InitMethod::kmeans_plus_plus, InitMethod::random})
    if (text == to_string(m)) return m;
  throw InputError("--init '" + text + "' is not one of k-means||, k-means++, random", ErrorScope::all_ranks);
}

void validate(const KMeansParams& p, int64_t total_points) {
  auto fail = [](const std::string& what) { throw InputError(what, ErrorScope::all_ranks); };
  if (p.k < 1) fail("--k " + std::to_string(p.k) + " must be at least 1");
  if (p.k > total_points)
    fail("--k " + std::to_string(p.k) + " exceeds the number of customers (" + std::to_string(total_points) + ")");
  if (p.n_init < 1) fail("--n-init must be at least 1");
  if (p.max_iter < 1) fail("--max-iter must be at least 1");
  if (!(p.tol >= 0)) fail("--tol must be >= 0");
  if (p.oversampling < 1 || p.init_rounds < 1) fail("k-means|| needs oversampling >= 1 and rounds >= 1");
}

}  // namespace kseg
