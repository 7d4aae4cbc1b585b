#pragma once

#include <cstdint>
#include <vector>

#include "common/communicator.hpp"

namespace kseg {

/// One customer's repeat-purchase summary (Fader, Hardie & Lee 2005), in one time unit.
struct RepeatSummary {
  double x = 0;     ///< repeat purchase periods
  double t_x = 0;   ///< time of the last purchase, from the first
  double T = 0;     ///< age at the end of the calibration period
  double zbar = 0;  ///< mean value of the repeat purchases (0 when x = 0)
};

/// BG/NBD: purchases follow Poisson(λ), λ ~ Gamma(r, α); after each purchase a customer drops
/// out with probability p, p ~ Beta(a, b).
struct BgNbd {
  double r = 1, alpha = 1, a = 1, b = 1;
};

/// Gamma-Gamma spend model of repeat buyers: mean spend ν ~ Gamma(q, γ); here (p, q, v).
struct GammaGamma {
  double p = 1, q = 1, v = 1;
};

double bgnbd_log_likelihood(const BgNbd& m, const RepeatSummary& c);
double gamma_gamma_log_likelihood(const GammaGamma& m, const RepeatSummary& c);  ///< c.x > 0

/// E[purchases in the next t | x, t_x, T] (Fader, Hardie & Lee 2005, eq. 10).
double bgnbd_expected_purchases(const BgNbd& m, const RepeatSummary& c, double t);
/// P(alive | x, t_x, T).
double bgnbd_probability_alive(const BgNbd& m, const RepeatSummary& c);

template <typename Model>
struct Fit {
  Model model;
  double log_likelihood = 0;
  int evaluations = 0;
};

/// Collective maximum-likelihood fits over every rank's customers: each rank sums its customers'
/// log-likelihood, the sums meet in an exact fixed-point allreduce, and every rank steps the same
/// Nelder-Mead simplex on the log-parameters — so the fit is identical for any number of ranks.
Fit<BgNbd> fit_bgnbd(const std::vector<RepeatSummary>& customers, const Communicator& comm);
/// Over the repeat buyers (x > 0) among `customers`.
Fit<GammaGamma> fit_gamma_gamma(const std::vector<RepeatSummary>& customers, const Communicator& comm);

}  // namespace kseg
