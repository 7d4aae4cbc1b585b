#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "customers/clv_models.hpp"

namespace kseg {

/// The repeat-purchase models kseg fits; each answers the same questions of a customer.
enum class PurchaseModelKind {
  bgnbd,       ///< BG/NBD (Fader, Hardie & Lee 2005): drop out only after a repeat purchase
  mbgnbd,      ///< MBG/NBD (Batislam, Denizel & Filiztekin 2007): also right after the first purchase
  pareto_nbd,  ///< Pareto/NBD (Schmittlein, Morrison & Colombo 1987): exponential lifetimes at any time
};

/// "bgnbd", "mbgnbd", "pareto-nbd".
std::string to_string(PurchaseModelKind kind);
std::optional<PurchaseModelKind> purchase_model_named(const std::string& name);
inline constexpr PurchaseModelKind kPurchaseModels[] = {PurchaseModelKind::bgnbd, PurchaseModelKind::mbgnbd,
                                                       PurchaseModelKind::pareto_nbd};

/// A fitted purchase model: BG/NBD and MBG/NBD (r, α, a, b), Pareto/NBD (r, α, s, β).
struct PurchaseModel {
  PurchaseModelKind kind = PurchaseModelKind::bgnbd;
  std::array<double, 4> params{1, 1, 1, 1};
  std::array<const char*, 4> param_names() const;
};

/// The parts of the log-likelihood that depend on x alone (RepeatCountTerms), and the whole.
RepeatCountTerms repeat_count_terms(const PurchaseModel& m, double x);
double log_likelihood(const PurchaseModel& m, const RepeatSummary& c, const RepeatCountTerms& of_x);
double log_likelihood(const PurchaseModel& m, const RepeatSummary& c);
double probability_alive(const PurchaseModel& m, const RepeatSummary& c);
/// E[purchases in the next t | x, t_x, T].
double expected_purchases(const PurchaseModel& m, const RepeatSummary& c, double t);
/// P(no purchase in the next t | x, t_x, T), for every model the likelihood ratio
/// L(x, t_x, T + t) / L(x, t_x, T): the same history observed for t longer with nothing new.
double probability_no_purchase(const PurchaseModel& m, const RepeatSummary& c, double t);

/// The prefix of the model's attributes in a result file: "bgnbd_", "mbgnbd_", "pareto_nbd_".
std::string purchase_model_prefix(PurchaseModelKind kind);
/// "BG/NBD r 0.243, alpha 4.414, a 0.793, b 2.426 (log-likelihood -9582.4)", for people.
std::string describe(const Fit<PurchaseModel>& fit);

/// Collective maximum-likelihood fit over every rank's customers (as fit_bgnbd).
Fit<PurchaseModel> fit_purchase_model(PurchaseModelKind kind, const std::vector<RepeatSummary>& customers,
                                      const Communicator& comm);
/// The same fit from the customers' purchase histories (x, t_x, T) already counted, sorted as
/// grouped by detail::group_alike: the same bits as from the customers themselves.
Fit<PurchaseModel> fit_purchase_model(PurchaseModelKind kind, const std::vector<AlikeCustomers>& histories,
                                      const Communicator& comm);

/// Why a fit should not be trusted, one line each: no convergence, a parameter run off to a
/// bound, a dropout process that never fires (every customer "alive" forever). Empty: none.
std::vector<std::string> fit_warnings(const Fit<PurchaseModel>& fit);

}  // namespace kseg
