#include "customers/clv_models.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <iterator>
#include <optional>

#include "common/named_columns.hpp"
#include "customers/detail/likelihood_fit.hpp"

namespace kseg {

using detail::fit;
using detail::log_gamma;
using detail::Point;

RepeatCountTerms bgnbd_repeat_count_terms(const BgNbd& m, double x) {
  const double a1 = log_gamma(m.r + x) - log_gamma(m.r) + m.r * std::log(m.alpha);
  const double a2 = log_gamma(m.a + m.b) + log_gamma(m.b + x) - log_gamma(m.b) - log_gamma(m.a + m.b + x);
  return {x, a1 + a2, x > 0 ? std::log(m.a) - std::log(m.b + x - 1) : 0.0};
}

double bgnbd_log_likelihood(const BgNbd& m, const RepeatSummary& c, const RepeatCountTerms& of_x) {
  const double a3 = -(m.r + c.x) * std::log(m.alpha + c.T);
  if (c.x <= 0) return of_x.head + a3;
  const double a4 = of_x.tail - (m.r + c.x) * std::log(m.alpha + c.t_x);
  const double top = std::max(a3, a4);
  return of_x.head + top + std::log(std::exp(a3 - top) + std::exp(a4 - top));
}

double bgnbd_log_likelihood(const BgNbd& m, const RepeatSummary& c) {
  return bgnbd_log_likelihood(m, c, bgnbd_repeat_count_terms(m, c.x));
}

RepeatCountTerms gamma_gamma_repeat_count_terms(const GammaGamma& m, double x) {
  const double px = m.p * x;
  return {x, log_gamma(px + m.q) - log_gamma(px) - log_gamma(m.q) + m.q * std::log(m.v), px * std::log(x)};
}

double gamma_gamma_log_likelihood(const GammaGamma& m, const RepeatSummary& c, const RepeatCountTerms& of_x) {
  const double px = m.p * c.x;
  return of_x.head + (px - 1) * std::log(c.zbar) + of_x.tail - (px + m.q) * std::log(c.x * c.zbar + m.v);
}

double gamma_gamma_log_likelihood(const GammaGamma& m, const RepeatSummary& c) {
  return gamma_gamma_log_likelihood(m, c, gamma_gamma_repeat_count_terms(m, c.x));
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
  const std::optional<std::size_t> frequency = find_column(names, "frequency");
  const std::size_t d = names.size();
  std::vector<RepeatSummary> customers;
  customers.reserve(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const float* row = &rows[i * d];
    customers.push_back({row[x], row[t_x], row[T], row[zbar], !frequency || row[*frequency] > 0});
  }
  return customers;
}

Fit<BgNbd> fit_bgnbd(const std::vector<RepeatSummary>& customers, const Communicator& comm) {
  return fit<BgNbd, 4>(
      detail::alike_customers(customers, detail::purchase_history), comm,
      [](const Point<4>& p) { return BgNbd{std::exp(p[0]), std::exp(p[1]), std::exp(p[2]), std::exp(p[3])}; },
      bgnbd_repeat_count_terms,
      [](const BgNbd& m, const RepeatSummary& c, const RepeatCountTerms& of_x) { return bgnbd_log_likelihood(m, c, of_x); });
}

Fit<GammaGamma> fit_gamma_gamma(const std::vector<RepeatSummary>& customers, const Communicator& comm) {
  std::vector<RepeatSummary> repeat;
  std::copy_if(customers.begin(), customers.end(), std::back_inserter(repeat),
               is_repeat_buyer);
  return fit<GammaGamma, 3>(
      detail::alike_customers(repeat, detail::spend_history), comm,
      [](const Point<3>& p) { return GammaGamma{std::exp(p[0]), std::exp(p[1]), std::exp(p[2])}; },
      gamma_gamma_repeat_count_terms,
      [](const GammaGamma& m, const RepeatSummary& c, const RepeatCountTerms& of_x) {
        return gamma_gamma_log_likelihood(m, c, of_x);
      });
}

}  // namespace kseg
