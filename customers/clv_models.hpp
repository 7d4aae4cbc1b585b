#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/communicator.hpp"

namespace kseg {

/// One customer's repeat-purchase summary (Fader, Hardie & Lee 2005), in one time unit.
struct RepeatSummary {
  double x = 0;     ///< repeat purchase periods
  double t_x = 0;   ///< time of the last purchase, from the first
  double T = 0;     ///< age at the end of the calibration period
  double zbar = 0;  ///< mean value of the repeat purchases (0 when x = 0)
  bool purchased = true;  ///< false: the customer only returned goods, so has no purchases to model
};

/// Customers alike in what a model reads of them (a projection of their summaries), and how many
/// there are: a model's likelihood term is the same for each of them.
struct AlikeCustomers {
  RepeatSummary summary;
  int64_t count;
};

/// A customer the spend model (Gamma-Gamma) is fitted on: one who bought, with repeat purchases of
/// positive value.
inline bool is_repeat_buyer(const RepeatSummary& c) { return c.purchased && c.x > 0 && c.zbar > 0; }

/// BG/NBD: purchases follow Poisson(λ), λ ~ Gamma(r, α); after each purchase a customer drops
/// out with probability p, p ~ Beta(a, b).
struct BgNbd {
  double r = 1, alpha = 1, a = 1, b = 1;
};

/// Gamma-Gamma spend model of repeat buyers: mean spend ν ~ Gamma(q, γ); here (p, q, v).
struct GammaGamma {
  double p = 1, q = 1, v = 1;
};

/// The parts of a customer's log-likelihood that depend on its repeat count x alone. A fit sums
/// the terms of customers sorted by x, so it computes these once per distinct x (a 10M-customer
/// retailer has about 600,000 distinct histories and a few hundred distinct x); a model then
/// completes them per customer in the very order of floating-point operations of a term computed
/// whole, so that either way gives the same bits.
struct RepeatCountTerms {
  double x = NAN;   ///< the repeat count they belong to
  double head = 0;  ///< the term's leading x-only sum
  double tail = 0;  ///< a second x-only part, where the model has one (0 otherwise)
};

RepeatCountTerms bgnbd_repeat_count_terms(const BgNbd& m, double x);
double bgnbd_log_likelihood(const BgNbd& m, const RepeatSummary& c, const RepeatCountTerms& of_x);
double bgnbd_log_likelihood(const BgNbd& m, const RepeatSummary& c);
RepeatCountTerms gamma_gamma_repeat_count_terms(const GammaGamma& m, double x);
double gamma_gamma_log_likelihood(const GammaGamma& m, const RepeatSummary& c, const RepeatCountTerms& of_x);
double gamma_gamma_log_likelihood(const GammaGamma& m, const RepeatSummary& c);  ///< c.x > 0

template <typename Model>
struct Fit {
  Model model;
  double log_likelihood = 0;
  int evaluations = 0;
  bool converged = true;  ///< the simplex met its tolerance before the iteration cap
};

/// E[purchases in the next t | x, t_x, T] (Fader, Hardie & Lee 2005, eq. 10).
double bgnbd_expected_purchases(const BgNbd& m, const RepeatSummary& c, double t);
/// P(alive | x, t_x, T).
double bgnbd_probability_alive(const BgNbd& m, const RepeatSummary& c);
/// P(no purchase in the next t | x, t_x, T): dead already, or alive and no Poisson event in t
/// (BG/NBD drops out only at a purchase): 1 − P(alive) + P(alive)·((α+T)/(α+T+t))^(r+x).
/// Unlike 1 − P(alive), it is high for a one-time buyer who has not come back for long.
double bgnbd_probability_no_purchase(const BgNbd& m, const RepeatSummary& c, double t);
/// E[mean spend | x, zbar] (Fader, Hardie & Lee 2005, "RFM and CLV"): the population mean
/// p·v/(q−1) shrunk towards the customer's own zbar as x grows.
double gamma_gamma_expected_spend(const GammaGamma& m, const RepeatSummary& c);

/// Each of `n` customers' repeat-purchase summary from the feature columns bgnbd_x, bgnbd_t_x,
/// bgnbd_T and bgnbd_zbar of `rows` (n × names.size()); refuses, naming `source`, a table
/// without one of them. A frequency of 0, where the table has that column, marks a customer who
/// never bought.
std::vector<RepeatSummary> repeat_summaries(const float* rows, int64_t n, const std::vector<std::string>& names,
                                            const std::string& source);

/// Collective maximum-likelihood fits over every rank's customers: each rank sums its customers'
/// log-likelihood, the sums meet in an exact fixed-point allreduce, and every rank steps the same
/// Nelder-Mead simplex on the log-parameters — so the fit is identical for any number of ranks.
Fit<BgNbd> fit_bgnbd(const std::vector<RepeatSummary>& customers, const Communicator& comm);
/// Over the repeat buyers (is_repeat_buyer) among `customers`.
Fit<GammaGamma> fit_gamma_gamma(const std::vector<RepeatSummary>& customers, const Communicator& comm);

}  // namespace kseg
