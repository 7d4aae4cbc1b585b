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

std::optional<InitMethod> init_method_named(const std::string& name) {
  for (InitMethod m : {InitMethod::kmeans_parallel, InitMethod::kmeans_plus_plus, InitMethod::random})
    if (name == to_string(m)) return m;
  return std::nullopt;
}

std::string to_string(Acceleration acceleration) {
  switch (acceleration) {
    case Acceleration::none: return "none";
    case Acceleration::hamerly: return "hamerly";
    case Acceleration::yinyang: return "yinyang";
  }
  return "?";
}

std::optional<Acceleration> acceleration_named(const std::string& name) {
  for (Acceleration a : {Acceleration::none, Acceleration::hamerly, Acceleration::yinyang})
    if (name == to_string(a)) return a;
  return std::nullopt;
}

void validate(const KMeansParams& p, int64_t total_points) {
  if (p.k < 1) refuse("k = " + std::to_string(p.k) + " segments: must be at least 1");
  if (p.k > total_points)
    refuse("k = " + std::to_string(p.k) + " segments exceeds the number of customers (" + std::to_string(total_points) +
           ")");
  if (p.n_init < 1) refuse("n_init (restarts) must be at least 1");
  if (p.max_iter < 1) refuse("max_iter (Lloyd iterations) must be at least 1");
  if (!(p.tol >= 0)) refuse("tol must be >= 0");
  if (p.oversampling < 1 || p.init_rounds < 1) refuse("k-means|| needs oversampling >= 1 and rounds >= 1");
  if (p.init_trials < 1) refuse("init trials must be at least 1");
  if (p.init_sample < 0) refuse("init sample must be >= 0");
  if (p.swap_patience < 0) refuse("swap patience must be >= 0");
  if (p.swap_sample < 0) refuse("swap sample must be >= 0");
}

}  // namespace kseg
