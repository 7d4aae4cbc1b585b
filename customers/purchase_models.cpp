#include "customers/purchase_models.hpp"

#include <algorithm>
#include <cmath>

#include "common/number_text.hpp"
#include "customers/detail/likelihood_fit.hpp"

namespace kseg {
namespace {

using detail::log_gamma;

BgNbd bgnbd_of(const PurchaseModel& m) { return {m.params[0], m.params[1], m.params[2], m.params[3]}; }

// Gauss hypergeometric 2F1(a, b; c; z) by its series, 0 <= z < 1.
double hypergeometric(double a, double b, double c, double z) {
  double term = 1, sum = 1;
  for (int j = 0; j < 100000 && std::fabs(term) > 1e-15 * std::fabs(sum); ++j) {
    term *= (a + j) * (b + j) / ((c + j) * (j + 1)) * z;
    sum += term;
  }
  return sum;
}

double log_add(double a, double b) {
  const double top = std::max(a, b);
  return top + std::log(std::exp(a - top) + std::exp(b - top));
}

// ---- MBG/NBD ----

RepeatCountTerms mbgnbd_repeat_count_terms(const PurchaseModel& m, double x) {
  const auto [r, alpha, a, b] = m.params;
  const double a1 = log_gamma(r + x) - log_gamma(r) + r * std::log(alpha);
  const double a2 = log_gamma(a + b) + log_gamma(b + x + 1) - log_gamma(b) - log_gamma(a + b + x + 1);
  return {x, a1 + a2, std::log(a) - std::log(b + x)};
}

double mbgnbd_log_likelihood(const PurchaseModel& m, const RepeatSummary& c, const RepeatCountTerms& of_x) {
  const auto [r, alpha, a, b] = m.params;
  const double a3 = -(r + c.x) * std::log(alpha + c.T);
  const double a4 = of_x.tail - (r + c.x) * std::log(alpha + c.t_x);
  return of_x.head + log_add(a3, a4);
}

double mbgnbd_alive(const PurchaseModel& m, const RepeatSummary& c) {
  const auto [r, alpha, a, b] = m.params;
  return 1.0 / (1.0 + a / (b + c.x) * std::pow((alpha + c.T) / (alpha + c.t_x), r + c.x));
}

double mbgnbd_expected(const PurchaseModel& m, const RepeatSummary& c, double t) {
  const auto [r, alpha, a, b] = m.params;
  const double hyp = hypergeometric(r + c.x, b + c.x + 1, a + b + c.x, t / (alpha + c.T + t));
  const double head = (a + b + c.x) / (a - 1) * (1 - hyp * std::pow((alpha + c.T) / (alpha + c.T + t), r + c.x));
  return head * mbgnbd_alive(m, c);
}

// ---- Pareto/NBD (Fader & Hardie's note on its likelihood) ----

// log of (s / (r+s+x)) · A0, the term of the customers who died before T.
double pareto_log_died(const PurchaseModel& m, const RepeatSummary& c) {
  const auto [r, alpha, s, beta] = m.params;
  const double rsx = r + s + c.x;
  const bool alpha_larger = alpha >= beta;
  const double big = alpha_larger ? alpha : beta, other = alpha_larger ? s + 1 : r + c.x, gap = std::fabs(alpha - beta);
  const double at_tx = std::log(hypergeometric(rsx, other, rsx + 1, gap / (big + c.t_x))) - rsx * std::log(big + c.t_x);
  const double at_T = std::log(hypergeometric(rsx, other, rsx + 1, gap / (big + c.T))) - rsx * std::log(big + c.T);
  return std::log(s / rsx) + at_tx + std::log1p(-std::exp(at_T - at_tx));
}

double pareto_log_alive_term(const PurchaseModel& m, const RepeatSummary& c) {
  const auto [r, alpha, s, beta] = m.params;
  return -(r + c.x) * std::log(alpha + c.T) - s * std::log(beta + c.T);
}

RepeatCountTerms pareto_repeat_count_terms(const PurchaseModel& m, double x) {
  const auto [r, alpha, s, beta] = m.params;
  return {x, log_gamma(r + x) - log_gamma(r) + r * std::log(alpha) + s * std::log(beta), 0.0};
}

double pareto_log_likelihood(const PurchaseModel& m, const RepeatSummary& c, const RepeatCountTerms& of_x) {
  const double alive = pareto_log_alive_term(m, c);
  return of_x.head + (c.t_x < c.T ? log_add(alive, pareto_log_died(m, c)) : alive);
}

double pareto_alive(const PurchaseModel& m, const RepeatSummary& c) {
  if (c.t_x >= c.T) return 1.0;
  return 1.0 / (1.0 + std::exp(pareto_log_died(m, c) - pareto_log_alive_term(m, c)));
}

double pareto_expected(const PurchaseModel& m, const RepeatSummary& c, double t) {
  const auto [r, alpha, s, beta] = m.params;
  return pareto_alive(m, c) * (r + c.x) * (beta + c.T) / ((alpha + c.T) * (s - 1)) *
         (1 - std::pow((beta + c.T) / (beta + c.T + t), s - 1));
}

}  // namespace

std::string to_string(PurchaseModelKind kind) {
  switch (kind) {
    case PurchaseModelKind::bgnbd: return "bgnbd";
    case PurchaseModelKind::mbgnbd: return "mbgnbd";
    case PurchaseModelKind::pareto_nbd: return "pareto-nbd";
  }
  return "?";
}

std::optional<PurchaseModelKind> purchase_model_named(const std::string& name) {
  for (PurchaseModelKind kind : kPurchaseModels)
    if (name == to_string(kind)) return kind;
  return std::nullopt;
}

std::string purchase_model_prefix(PurchaseModelKind kind) {
  std::string prefix = to_string(kind) + "_";
  std::replace(prefix.begin(), prefix.end(), '-', '_');
  return prefix;
}

std::string describe(const Fit<PurchaseModel>& f) {
  static const char* const kNames[] = {"BG/NBD", "MBG/NBD", "Pareto/NBD"};
  std::string text = kNames[static_cast<int>(f.model.kind)];
  for (std::size_t i = 0; i < 4; ++i)
    text += std::string(i ? ", " : " ") + f.model.param_names()[i] + " " + fixed_decimals(f.model.params[i], 3);
  return text + " (log-likelihood " + fixed_decimals(f.log_likelihood, 1) + ")";
}

std::array<const char*, 4> PurchaseModel::param_names() const {
  if (kind == PurchaseModelKind::pareto_nbd) return {"r", "alpha", "s", "beta"};
  return {"r", "alpha", "a", "b"};
}

RepeatCountTerms repeat_count_terms(const PurchaseModel& m, double x) {
  switch (m.kind) {
    case PurchaseModelKind::bgnbd: return bgnbd_repeat_count_terms(bgnbd_of(m), x);
    case PurchaseModelKind::mbgnbd: return mbgnbd_repeat_count_terms(m, x);
    case PurchaseModelKind::pareto_nbd: return pareto_repeat_count_terms(m, x);
  }
  return {};
}

double log_likelihood(const PurchaseModel& m, const RepeatSummary& c, const RepeatCountTerms& of_x) {
  switch (m.kind) {
    case PurchaseModelKind::bgnbd: return bgnbd_log_likelihood(bgnbd_of(m), c, of_x);
    case PurchaseModelKind::mbgnbd: return mbgnbd_log_likelihood(m, c, of_x);
    case PurchaseModelKind::pareto_nbd: return pareto_log_likelihood(m, c, of_x);
  }
  return NAN;
}

double log_likelihood(const PurchaseModel& m, const RepeatSummary& c) {
  return log_likelihood(m, c, repeat_count_terms(m, c.x));
}

double probability_alive(const PurchaseModel& m, const RepeatSummary& c) {
  switch (m.kind) {
    case PurchaseModelKind::bgnbd: return bgnbd_probability_alive(bgnbd_of(m), c);
    case PurchaseModelKind::mbgnbd: return mbgnbd_alive(m, c);
    case PurchaseModelKind::pareto_nbd: return pareto_alive(m, c);
  }
  return NAN;
}

double expected_purchases(const PurchaseModel& m, const RepeatSummary& c, double t) {
  switch (m.kind) {
    case PurchaseModelKind::bgnbd: return bgnbd_expected_purchases(bgnbd_of(m), c, t);
    case PurchaseModelKind::mbgnbd: return mbgnbd_expected(m, c, t);
    case PurchaseModelKind::pareto_nbd: return pareto_expected(m, c, t);
  }
  return NAN;
}

double probability_no_purchase(const PurchaseModel& m, const RepeatSummary& c, double t) {
  if (m.kind == PurchaseModelKind::bgnbd) return bgnbd_probability_no_purchase(bgnbd_of(m), c, t);
  RepeatSummary longer = c;
  longer.T += t;
  return std::exp(log_likelihood(m, longer) - log_likelihood(m, c));
}

Fit<PurchaseModel> fit_purchase_model(PurchaseModelKind kind, const std::vector<RepeatSummary>& customers,
                                      const Communicator& comm) {
  return fit_purchase_model(kind, detail::alike_customers(customers, detail::purchase_history), comm);
}

Fit<PurchaseModel> fit_purchase_model(PurchaseModelKind kind, const std::vector<AlikeCustomers>& histories,
                                      const Communicator& comm) {
  return detail::fit<PurchaseModel, 4>(
      histories, comm,
      [kind](const detail::Point<4>& p) {
        return PurchaseModel{kind, {std::exp(p[0]), std::exp(p[1]), std::exp(p[2]), std::exp(p[3])}};
      },
      repeat_count_terms,
      [](const PurchaseModel& m, const RepeatSummary& c, const RepeatCountTerms& of_x) { return log_likelihood(m, c, of_x); });
}

std::vector<std::string> fit_warnings(const Fit<PurchaseModel>& f) {
  std::vector<std::string> warnings;
  const std::string model = to_string(f.model.kind);
  if (!f.converged) warnings.push_back(model + ": the likelihood fit did not converge");
  const std::array<const char*, 4> names = f.model.param_names();
  for (std::size_t i = 0; i < 4; ++i)
    if (f.model.params[i] < 1e-4 || f.model.params[i] > 1e4)
      warnings.push_back(model + ": parameter " + names[i] + " = " + fixed_decimals(f.model.params[i], 6) +
                         " ran off to a bound (a degenerate fit)");
  const auto [r, alpha, third, fourth] = f.model.params;
  const bool never_drops = f.model.kind == PurchaseModelKind::pareto_nbd ? third / fourth < 1e-4  // E[μ] = s/β
                                                                         : third / (third + fourth) < 1e-3;  // E[p]
  if (never_drops)
    warnings.push_back(model + ": the dropout process almost never fires, so P(alive) is near 1 for everyone and churn "
                               "risk rests on purchase rates alone");
  return warnings;
}

}  // namespace kseg
