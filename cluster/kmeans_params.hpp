#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace kseg {

enum class InitMethod {
  kmeans_parallel,   ///< k-means|| (Bahmani et al. 2012): few passes, scales to many ranks
  kmeans_plus_plus,  ///< k-means++ (Arthur & Vassilvitskii 2007): one pass per centroid
  random,            ///< k distinct customers drawn uniformly
};

/// The method's name: "k-means||", "k-means++", "random".
std::string to_string(InitMethod method);
/// The method of that name; none when no method has it.
std::optional<InitMethod> init_method_named(const std::string& name);

/// How Lloyd iterations find each point's nearest centroid; either way the same assignment.
enum class Acceleration {
  none,     ///< every distance of every point, every iteration
  hamerly,  ///< bounds skip the points they prove (Hamerly 2010; kernels/detail/distance_bounds.hpp)
  yinyang,  ///< and per-group bounds narrow the search of the points they leave open (Ding et al. 2015;
            ///< kernels/detail/group_bounds.hpp): slower than hamerly on the CPUs measured (README)
};

/// "none", "hamerly", "yinyang".
std::string to_string(Acceleration acceleration);
/// The acceleration of that name; none when none has it.
std::optional<Acceleration> acceleration_named(const std::string& name);

/// Everything that steers a k-means fit. Defaults follow scikit-learn where it has one.
struct KMeansParams {
  /// Number of segments.
  int k = 8;
  /// Seed of every random choice; draws are keyed by customer id (Philox), never by row position.
  uint64_t seed = 42;
  /// Independent restarts; the fit with the lowest inertia is kept (ties: the earlier restart).
  int n_init = 1;
  /// Upper bound on Lloyd iterations per restart.
  int max_iter = 300;
  /// Converged when max_k ||c_k(new) - c_k(old)||² <= tol · (mean per-feature variance).
  double tol = 1e-4;
  /// How the first centroids are chosen.
  InitMethod init = InitMethod::kmeans_parallel;
  /// k-means||: expected candidates per round = oversampling · k (Bahmani et al.'s l = 2k).
  int oversampling = 2;
  /// k-means||: sampling rounds before the candidates are reclustered into k.
  int init_rounds = 5;
  /// Initialisations tried per restart, each run by Lloyd to convergence on at most
  /// `init_sample` customers: the one with the lowest inertia there starts the restart's Lloyd on
  /// all customers. Used up to 128 segments, where there are at most `init_sample` customers (the
  /// trials run on all of them) or at least 4 times as many (on a sample); between, one
  /// initialisation (cluster/lloyd.cpp, README, Initialisation trials). 1: one initialisation.
  int init_trials = 10;
  /// The most customers the initialisation trials run on; a sample is drawn by customer id
  /// (Philox). 0: always all customers.
  int64_t init_sample = 16384;
  /// Swap refinement after the restarts (cluster/swap_refinement.hpp): it ends after this many
  /// swaps in a row fail to lower the inertia (each 2 passes); 0 keeps Lloyd's answer. Then
  /// Lloyd runs on to convergence from the refined centroids. 20 finds every true cluster of the
  /// 12 sets of Fränti's benchmark (15 left one of S4's unfound) and of bench/quality_suite.py's
  /// generated sets from one k-means|| start; more found no more (README, Benchmarks).
  int swap_patience = 20;
  /// Swaps are tried on this many customers, drawn by customer id (Philox), where there are more
  /// than twice as many; then Lloyd runs on to convergence on all of them. A trial costs two
  /// passes over the customers it runs on, so on millions of customers the refinement costs a
  /// few full passes instead of 2 · (swap_patience + swaps kept) of them; and the same swaps
  /// pay on a sample of this size as on the whole (README, Benchmarks). 0: always all customers.
  int64_t swap_sample = 262144;
  /// Bounds that skip distance computations: results are bit-identical to plain Lloyd's, in a
  /// fraction of the time once few customers change segment (README, Benchmarks).
  Acceleration acceleration = Acceleration::hamerly;
};

/// Throws InputError (on every rank) unless the parameters make sense for `total_points`.
void validate(const KMeansParams& params, int64_t total_points);

}  // namespace kseg
