#pragma once

// Maximum-likelihood fits of the purchase and spend models, shared by clv_models.cpp and
// purchase_models.cpp: a deterministic Nelder-Mead over log-parameters on a deterministic global sum.

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <vector>
#include <math.h>  // lgamma_r (POSIX)

#include "common/communicator.hpp"
#include "common/stop_request.hpp"
#include "common/thread_runs.hpp"
#include "customers/clv_models.hpp"
#include "customers/detail/alike_customers.hpp"
#include "kernels/fixed_point.hpp"

namespace kseg::detail {

// log Γ(x) without the global sign std::lgamma writes: the likelihood terms run on many threads.
inline double log_gamma(double x) {
  int sign = 0;
  return lgamma_r(x, &sign);
}

// Log-likelihood sums are exact across ranks: each customer's term is rounded onto a 2^-40 grid.
inline constexpr double kLikelihoodScale = 0x1.0p40;

template <std::size_t N>
using Point = std::array<double, N>;

// Nelder-Mead (standard coefficients) minimising f; deterministic, so every rank takes the same
// steps when f returns the same values.
template <std::size_t N>
Point<N> nelder_mead(const std::function<double(const Point<N>&)>& f, Point<N> start, int& evaluations,
                     bool& converged) {
  std::array<Point<N>, N + 1> simplex;
  std::array<double, N + 1> value;
  for (std::size_t i = 0; i <= N; ++i) {
    simplex[i] = start;
    if (i > 0) simplex[i][i - 1] += 0.5;
    value[i] = f(simplex[i]);
  }
  evaluations = N + 1;
  converged = false;
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::array<std::size_t, N + 1> order;
    for (std::size_t i = 0; i <= N; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return value[a] < value[b]; });
    const std::size_t best = order[0], worst = order[N], second = order[N - 1];
    if (std::fabs(value[worst] - value[best]) < 1e-12 * (1 + std::fabs(value[best]))) {
      converged = true;
      break;
    }
    Point<N> centre{};
    for (std::size_t i = 0; i <= N; ++i)
      if (i != worst)
        for (std::size_t j = 0; j < N; ++j) centre[j] += simplex[i][j] / N;
    auto along = [&](double t) {
      Point<N> p;
      for (std::size_t j = 0; j < N; ++j) p[j] = centre[j] + t * (simplex[worst][j] - centre[j]);
      return p;
    };
    const Point<N> reflected = along(-1.0);
    const double fr = f(reflected);
    ++evaluations;
    if (fr < value[best]) {
      const Point<N> expanded = along(-2.0);
      const double fe = f(expanded);
      ++evaluations;
      simplex[worst] = fe < fr ? expanded : reflected;
      value[worst] = std::min(fe, fr);
    } else if (fr < value[second]) {
      simplex[worst] = reflected, value[worst] = fr;
    } else {
      const Point<N> contracted = along(fr < value[worst] ? -0.5 : 0.5);
      const double fc = f(contracted);
      ++evaluations;
      if (fc < std::min(fr, value[worst])) {
        simplex[worst] = contracted, value[worst] = fc;
      } else {  // shrink towards the best
        for (std::size_t i = 0; i <= N; ++i) {
          if (i == best) continue;
          for (std::size_t j = 0; j < N; ++j) simplex[i][j] = simplex[best][j] + 0.5 * (simplex[i][j] - simplex[best][j]);
          value[i] = f(simplex[i]);
          ++evaluations;
        }
      }
    }
  }
  return simplex[std::min_element(value.begin(), value.end()) - value.begin()];
}

// This rank's customers as `reads` projects them (the fields a model's term reads, the others
// zeroed), each distinct projection once with its count: a term is the same for every customer
// of a projection, and its sum is exact either way (each term is rounded onto the grid first),
// so the fit is bit for bit that over every customer, for a fraction of the terms.
template <typename Reads>
std::vector<AlikeCustomers> alike_customers(const std::vector<RepeatSummary>& customers, Reads reads) {
  const AlikeGroups groups = group_alike(customers, reads);
  std::vector<AlikeCustomers> alike;
  for (int64_t g = 0; g < groups.groups(); ++g) alike.push_back({reads(groups.any_of(customers, g)), groups.size(g)});
  return alike;
}

// This rank's exact sum of the customers' terms over the threads (integer sums: the same for any
// number of threads); false in `finite` when some customer's term is not finite. The customers
// come sorted by x (group_alike), so each thread computes the x-only parts of its terms
// (RepeatCountTerms) once per run of equal x.
template <typename Model, typename PerRepeatCount, typename Term>
int128 sum_of_terms(const std::vector<AlikeCustomers>& customers, const Model& m, PerRepeatCount per_repeat_count,
                    Term term, bool& finite) {
  struct Part {
    int128 sum = 0;
    bool finite = true;
    RepeatCountTerms of_x;  // of the last x met (NaN: none yet)
  };
  const Part total = fold_over_threads(
      static_cast<int64_t>(customers.size()), Part{},
      [&](Part& part, int64_t i) {
        if (!part.finite) return;
        const RepeatSummary& c = customers[i].summary;
        if (!(c.x == part.of_x.x)) part.of_x = per_repeat_count(m, c.x);
        const double ll = term(m, c, part.of_x);
        if (std::isfinite(ll)) part.sum += static_cast<int128>(FixedPoint::quantize(ll, kLikelihoodScale)) * customers[i].count;
        else part.finite = false;
      },
      [](Part& sum, const Part& part) { sum.sum += part.sum, sum.finite = sum.finite && part.finite; });
  finite = total.finite;
  return total.sum;
}

// −(global log-likelihood) of a model built from log-parameters; exact sum over ranks. Hundreds
// of evaluations over every distinct customer (as `reads` projects them): the threads share each one.
// `customers`: alike_customers() of every customer the model is fitted on, in its order (by x).
template <typename Model, std::size_t N, typename Make, typename PerRepeatCount, typename Term>
Fit<Model> fit(const std::vector<AlikeCustomers>& customers, const Communicator& comm, Make make,
               PerRepeatCount per_repeat_count, Term term) {
  auto negative_ll = [&](const Point<N>& log_params) {
    stop_if_requested(comm, "fitting the CLV models");
    bool finite = true;  // false at parameters where some customer's likelihood is not finite
    const int128 sum = sum_of_terms(customers, make(log_params), per_repeat_count, term, finite);
    if (comm.any(!finite)) return static_cast<double>(INFINITY);  // every rank takes the same branch
    return -FixedPoint::to_double(comm.sum(sum), kLikelihoodScale);
  };
  Fit<Model> out;
  const Point<N> best = nelder_mead<N>(negative_ll, Point<N>{}, out.evaluations, out.converged);
  out.model = make(best);
  out.log_likelihood = -negative_ll(best);
  return out;
}

}  // namespace kseg::detail
