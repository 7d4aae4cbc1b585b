#include "customers/clv_models.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>

#include "common/named_columns.hpp"
#include "kernels/fixed_point.hpp"

namespace kseg {
namespace {

// Log-likelihood sums are exact across ranks: each customer's term is rounded onto a 2^-40 grid.
constexpr double kLikelihoodScale = 0x1.0p40;

template <std::size_t N>
using Point = std::array<double, N>;

// Nelder-Mead (standard coefficients) minimising f; deterministic, so every rank takes the same
// steps when f returns the same values.
template <std::size_t N>
Point<N> nelder_mead(const std::function<double(const Point<N>&)>& f, Point<N> start, int& evaluations) {
  std::array<Point<N>, N + 1> simplex;
  std::array<double, N + 1> value;
  for (std::size_t i = 0; i <= N; ++i) {
    simplex[i] = start;
    if (i > 0) simplex[i][i - 1] += 0.5;
    value[i] = f(simplex[i]);
  }
  evaluations = N + 1;
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::array<std::size_t, N + 1> order;
    for (std::size_t i = 0; i <= N; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return value[a] < value[b]; });
    const std::size_t best = order[0], worst = order[N], second = order[N - 1];
    if (std::fabs(value[worst] - value[best]) < 1e-12 * (1 + std::fabs(value[best]))) break;
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

// −(global log-likelihood) of a model built from log-parameters; exact sum over ranks.
template <typename Model, std::size_t N, typename Make, typename Term>
Fit<Model> fit(const std::vector<RepeatSummary>& customers, const Communicator& comm, Make make, Term term) {
  auto negative_ll = [&](const Point<N>& log_params) {
    const Model m = make(log_params);
    int128 sum = 0;
    bool outside = false;  // parameters where some customer's likelihood is not finite
    for (const RepeatSummary& c : customers) {
      const double ll = term(m, c);
      if (!std::isfinite(ll)) {
        outside = true;
        break;
      }
      sum += FixedPoint::quantize(ll, kLikelihoodScale);
    }
    if (comm.any(outside)) return static_cast<double>(INFINITY);  // every rank takes the same branch
    return -FixedPoint::to_double(comm.sum(sum), kLikelihoodScale);
  };
  Fit<Model> out;
  const Point<N> best = nelder_mead<N>(negative_ll, Point<N>{}, out.evaluations);
  out.model = make(best);
  out.log_likelihood = -negative_ll(best);
  return out;
}

}  // namespace

double bgnbd_log_likelihood(const BgNbd& m, const RepeatSummary& c) {
  const double a1 = std::lgamma(m.r + c.x) - std::lgamma(m.r) + m.r * std::log(m.alpha);
  const double a2 = std::lgamma(m.a + m.b) + std::lgamma(m.b + c.x) - std::lgamma(m.b) - std::lgamma(m.a + m.b + c.x);
  const double a3 = -(m.r + c.x) * std::log(m.alpha + c.T);
  if (c.x <= 0) return a1 + a2 + a3;
  const double a4 = std::log(m.a) - std::log(m.b + c.x - 1) - (m.r + c.x) * std::log(m.alpha + c.t_x);
  const double top = std::max(a3, a4);
  return a1 + a2 + top + std::log(std::exp(a3 - top) + std::exp(a4 - top));
}

double gamma_gamma_log_likelihood(const GammaGamma& m, const RepeatSummary& c) {
  const double px = m.p * c.x;
  return std::lgamma(px + m.q) - std::lgamma(px) - std::lgamma(m.q) + m.q * std::log(m.v) + (px - 1) * std::log(c.zbar) +
         px * std::log(c.x) - (px + m.q) * std::log(c.x * c.zbar + m.v);
}

double bgnbd_expected_purchases(const BgNbd& m, const RepeatSummary& c, double t) {
  // Gauss hypergeometric 2F1(r+x, b+x; a+b+x−1; z) by its series (z < 1).
  const double p1 = m.r + c.x, p2 = m.b + c.x, p3 = m.a + m.b + c.x - 1, z = t / (m.alpha + c.T + t);
  double term = 1, hypergeometric = 1;
  for (int j = 0; j < 10000 && std::fabs(term) > 1e-15 * hypergeometric; ++j) {
    term *= (p1 + j) * (p2 + j) / ((p3 + j) * (j + 1)) * z;
    hypergeometric += term;
  }
  const double head = (m.a + m.b + c.x - 1) / (m.a - 1) *
                      (1 - std::pow((m.alpha + c.T) / (m.alpha + c.T + t), m.r + c.x) * hypergeometric);
  const double alive_odds =
      c.x > 0 ? m.a / (m.b + c.x - 1) * std::pow((m.alpha + c.T) / (m.alpha + c.t_x), m.r + c.x) : 0.0;
  return head / (1 + alive_odds);
}

double bgnbd_probability_alive(const BgNbd& m, const RepeatSummary& c) {
  if (c.x <= 0) return 1.0;
  return 1.0 / (1.0 + m.a / (m.b + c.x - 1) * std::pow((m.alpha + c.T) / (m.alpha + c.t_x), m.r + c.x));
}

double bgnbd_probability_no_purchase(const BgNbd& m, const RepeatSummary& c, double t) {
  const double alive = bgnbd_probability_alive(m, c);
  return 1 - alive + alive * std::pow((m.alpha + c.T) / (m.alpha + c.T + t), m.r + c.x);
}

double gamma_gamma_expected_spend(const GammaGamma& m, const RepeatSummary& c) {
  const double px = m.p * c.x, population = m.p * m.v / (m.q - 1);
  if (c.x <= 0) return population;
  const double weight = (m.q - 1) / (px + m.q - 1);
  return weight * population + (1 - weight) * c.zbar;
}

std::vector<RepeatSummary> repeat_summaries(const float* rows, int64_t n, const std::vector<std::string>& names,
                                            const std::string& source) {
  const std::size_t x = require_column(names, "bgnbd_x", source), t_x = require_column(names, "bgnbd_t_x", source),
                    T = require_column(names, "bgnbd_T", source), zbar = require_column(names, "bgnbd_zbar", source);
  const std::size_t d = names.size();
  std::vector<RepeatSummary> customers;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = &rows[i * d];
    customers.push_back({row[x], row[t_x], row[T], row[zbar]});
  }
  return customers;
}

CustomerValue customer_value(const std::vector<RepeatSummary>& customers, const ClvOptions& o, const Communicator& comm) {
  CustomerValue v{fit_bgnbd(customers, comm), fit_gamma_gamma(customers, comm), {}, {}, {}, {}, {}};
  const double month = 30.4375 / o.unit_days;  // one month in the summary's unit
  const int whole_months = static_cast<int>(std::ceil(o.horizon_months));
  for (const RepeatSummary& c : customers) {
    const double spend = gamma_gamma_expected_spend(v.gamma_gamma.model, c);
    double clv = 0, before = 0;
    for (int m = 1; m <= whole_months; ++m) {
      const double upto = bgnbd_expected_purchases(v.bgnbd.model, c, std::min<double>(m, o.horizon_months) * month);
      clv += (upto - before) * spend / std::pow(1 + o.monthly_discount, m);
      before = upto;
    }
    v.p_alive.push_back(static_cast<float>(bgnbd_probability_alive(v.bgnbd.model, c)));
    v.churn_risk.push_back(
        static_cast<float>(bgnbd_probability_no_purchase(v.bgnbd.model, c, o.churn_period_days / o.unit_days)));
    v.expected_purchases.push_back(static_cast<float>(before));
    v.expected_spend.push_back(static_cast<float>(spend));
    v.clv.push_back(static_cast<float>(clv));
  }
  return v;
}

Fit<BgNbd> fit_bgnbd(const std::vector<RepeatSummary>& customers, const Communicator& comm) {
  return fit<BgNbd, 4>(
      customers, comm,
      [](const Point<4>& p) { return BgNbd{std::exp(p[0]), std::exp(p[1]), std::exp(p[2]), std::exp(p[3])}; },
      bgnbd_log_likelihood);
}

Fit<GammaGamma> fit_gamma_gamma(const std::vector<RepeatSummary>& customers, const Communicator& comm) {
  std::vector<RepeatSummary> repeat;
  std::copy_if(customers.begin(), customers.end(), std::back_inserter(repeat),
               [](const RepeatSummary& c) { return c.x > 0 && c.zbar > 0; });
  return fit<GammaGamma, 3>(
      repeat, comm, [](const Point<3>& p) { return GammaGamma{std::exp(p[0]), std::exp(p[1]), std::exp(p[2])}; },
      gamma_gamma_log_likelihood);
}

}  // namespace kseg
