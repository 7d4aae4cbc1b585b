// BG/NBD and Gamma-Gamma against the published CDNOW fits (Fader, Hardie & Lee 2005; BTYD).
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <tuple>
#include <sstream>

#include "common/errors.hpp"
#include "customers/clv_models.hpp"
#include "customers/customer_value.hpp"
#include "customers/purchase_models.hpp"

namespace kseg {
namespace {

std::vector<RepeatSummary> cdnow_summary() {
  std::ifstream in(KSEG_TEST_DATA_DIR "/cdnow/cdnow_customers_summary_with_transactions.csv");
  std::vector<RepeatSummary> customers;
  std::string line;
  std::getline(in, line);  // header: ID,x,t_x,T,zbar
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, x, t_x, T, zbar;
    std::getline(fields, id, ','), std::getline(fields, x, ','), std::getline(fields, t_x, ',');
    std::getline(fields, T, ','), std::getline(fields, zbar, ',');
    customers.push_back({std::stod(x), std::stod(t_x), std::stod(T), std::stod(zbar)});
  }
  return customers;
}

void expect_3_significant(double got, double published, const char* name) {
  EXPECT_LT(std::fabs(got - published), 0.5e-2 * std::pow(10.0, std::floor(std::log10(std::fabs(published)))))
      << name << " = " << got << ", published " << published;
}

TEST(ClvModels, BgNbdMatchesThePublishedCdnowFit) {
  const std::vector<RepeatSummary> customers = cdnow_summary();
  ASSERT_EQ(customers.size(), 2357u);
  const Fit<BgNbd> fit = fit_bgnbd(customers, Communicator(MPI_COMM_SELF));
  expect_3_significant(fit.model.r, 0.243, "r");
  expect_3_significant(fit.model.alpha, 4.414, "alpha");
  expect_3_significant(fit.model.a, 0.793, "a");
  expect_3_significant(fit.model.b, 2.426, "b");
  EXPECT_NEAR(fit.log_likelihood, -9582.43, 0.01);
  EXPECT_NEAR(bgnbd_expected_purchases(fit.model, {2, 30.43, 38.86, 0}, 39), 1.226, 0.0005);
}

TEST(ClvModels, GammaGammaMatchesThePublishedCdnowFit) {
  const Fit<GammaGamma> fit = fit_gamma_gamma(cdnow_summary(), Communicator(MPI_COMM_SELF));
  expect_3_significant(fit.model.p, 6.25, "p");
  expect_3_significant(fit.model.q, 3.74, "q");
  expect_3_significant(fit.model.v, 15.44, "v");
}

TEST(ClvModels, ParetoNbdAndMbgNbdMatchThePublishedCdnowFits) {
  const std::vector<RepeatSummary> customers = cdnow_summary();
  const Communicator self(MPI_COMM_SELF);
  const Fit<PurchaseModel> pareto = fit_purchase_model(PurchaseModelKind::pareto_nbd, customers, self);
  for (const auto& [got, published, name] : std::vector<std::tuple<double, double, const char*>>{
           {pareto.model.params[0], 0.553, "r"}, {pareto.model.params[1], 10.578, "alpha"},
           {pareto.model.params[2], 0.606, "s"}, {pareto.model.params[3], 11.669, "beta"}})
    expect_3_significant(got, published, name);
  const Fit<PurchaseModel> mbg = fit_purchase_model(PurchaseModelKind::mbgnbd, customers, self);
  for (const auto& [got, published, name] : std::vector<std::tuple<double, double, const char*>>{
           {mbg.model.params[0], 0.525, "r"}, {mbg.model.params[1], 6.183, "alpha"},
           {mbg.model.params[2], 0.891, "a"}, {mbg.model.params[3], 1.614, "b"}})
    expect_3_significant(got, published, name);
  EXPECT_TRUE(pareto.converged && mbg.converged);
  EXPECT_TRUE(fit_warnings(pareto).empty() && fit_warnings(mbg).empty());
  // The generic BG/NBD is the published one too, and its no-purchase probability the closed form.
  const Fit<PurchaseModel> bg = fit_purchase_model(PurchaseModelKind::bgnbd, customers, self);
  expect_3_significant(bg.model.params[2], 0.793, "a");
  for (const PurchaseModel& m : {pareto.model, mbg.model, bg.model}) {
    const RepeatSummary c{2, 30.43, 38.86, 0};
    EXPECT_NEAR(probability_no_purchase(m, c, 0), 1.0, 1e-12) << to_string(m.kind);
    EXPECT_GT(probability_no_purchase(m, c, 10), probability_no_purchase(m, c, 40)) << to_string(m.kind);
    EXPECT_GT(probability_alive(m, c), 0.0);
    EXPECT_GT(expected_purchases(m, c, 39), expected_purchases(m, c, 10)) << to_string(m.kind);
  }
}

// Customers who buy at Poisson rates and never leave: the fitted dropout must be flagged, not
// shown as a silent churn of zero.
TEST(ClvModels, ADropoutThatNeverFiresIsWarnedAbout) {
  std::mt19937_64 random(11);
  std::gamma_distribution<double> rate(2.0, 1.0 / 10.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<RepeatSummary> customers;
  for (int i = 0; i < 5000; ++i) {
    const double lambda = rate(random), T = 52;
    RepeatSummary c{0, 0, T, 0};
    for (double now = -std::log(1 - uniform(random)) / lambda; now <= T; now += -std::log(1 - uniform(random)) / lambda)
      c.x += 1, c.t_x = now;
    customers.push_back(c);
  }
  const Fit<PurchaseModel> fit = fit_purchase_model(PurchaseModelKind::bgnbd, customers, Communicator(MPI_COMM_SELF));
  const std::vector<std::string> warnings = fit_warnings(fit);
  ASSERT_FALSE(warnings.empty()) << describe(fit);
  EXPECT_NE(warnings.back().find("dropout process almost never fires"), std::string::npos) << warnings.back();
  EXPECT_TRUE(fit_warnings(fit_purchase_model(PurchaseModelKind::bgnbd, cdnow_summary(), Communicator(MPI_COMM_SELF)))
                  .empty());
}

// Customers drawn from a BG/NBD with known parameters, each observed for T after its first
// purchase and then for t more: the predicted probability of no purchase in (T, T + t] must equal
// the share that made none, for each calibration frequency (what 1 − P(alive) gets wrong: a
// one-time buyer is "alive" by definition, yet most of them never buy again).
TEST(ClvModels, ProbabilityOfNoPurchaseMatchesWhatSimulatedCustomersDidNext) {
  const BgNbd m{0.6, 8.0, 0.8, 2.5};
  const double T = 40, t = 13;
  std::mt19937_64 random(2026);
  std::gamma_distribution<double> rate(m.r, 1.0 / m.alpha);
  std::gamma_distribution<double> beta_a(m.a, 1.0), beta_b(m.b, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::map<int, std::pair<double, double>> by_x;  // x (4: 4 or more) → (Σ predicted, Σ no purchase)
  std::map<int, int> customers;
  for (int i = 0; i < 200000; ++i) {
    const double lambda = rate(random), ga = beta_a(random), p = ga / (ga + beta_b(random));
    RepeatSummary c{0, 0, T, 0};
    bool bought_later = false;
    for (double now = 0;;) {
      if (uniform(random) < p && now > 0) break;  // drops out after a repeat purchase
      now += -std::log(1 - uniform(random)) / lambda;
      if (now > T + t) break;
      if (now > T) { bought_later = true; break; }
      c.x += 1, c.t_x = now;
    }
    const int bucket = std::min(4, static_cast<int>(c.x));
    by_x[bucket].first += bgnbd_probability_no_purchase(m, c, t);
    by_x[bucket].second += bought_later ? 0 : 1;
    customers[bucket] += 1;
  }
  for (const auto& [x, sums] : by_x) {
    const double predicted = sums.first / customers[x], actual = sums.second / customers[x];
    EXPECT_NEAR(predicted, actual, 4 * std::sqrt(actual * (1 - actual) / customers[x]) + 1e-3)
        << "x = " << x << " (" << customers[x] << " customers)";
  }
  EXPECT_DOUBLE_EQ(bgnbd_probability_no_purchase(m, {0, 0, T, 0}, 0), 1.0);
  EXPECT_DOUBLE_EQ(bgnbd_probability_no_purchase(m, {0, 0, T, 0}, t), std::pow((m.alpha + T) / (m.alpha + T + t), m.r));
}

// The columns are found by name, wherever they stand; before they were, a table without the
// bgnbd_* columns was read at the past-the-end column, out of bounds.
TEST(ClvModels, RepeatSummariesReadTheNamedColumns) {
  const std::vector<std::string> names = {"monetary", "bgnbd_zbar", "bgnbd_T", "bgnbd_t_x", "bgnbd_x"};
  const std::vector<float> rows = {50, 12.5f, 38, 30, 2, 10, 0, 20, 0, 0};
  const std::vector<RepeatSummary> customers = repeat_summaries(rows.data(), 2, names, "features.h5");
  ASSERT_EQ(customers.size(), 2u);
  EXPECT_EQ(customers[0].x, 2);
  EXPECT_EQ(customers[0].t_x, 30);
  EXPECT_EQ(customers[0].T, 38);
  EXPECT_EQ(customers[0].zbar, 12.5);
  EXPECT_EQ(customers[1].T, 20);
}

TEST(ClvModels, RepeatSummariesRefuseATableWithoutTheBgNbdColumns) {
  const std::vector<std::string> names = {"recency_days", "frequency", "monetary"};
  const std::vector<float> rows = {1, 2, 3};
  try {
    repeat_summaries(rows.data(), 1, names, "features.h5");
    FAIL() << "a table without bgnbd_x was read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("features.h5: no feature 'bgnbd_x'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("available: recency_days, frequency, monetary"), std::string::npos) << e.what();
  }
}

// The figures are computed once per purchase history and handed to every customer who has it:
// each customer, wherever it sits among the others and with any thread count, must get the
// purchase model's figures for its own history and CLV from its own spend, and a customer who
// never bought none.
TEST(CustomerValue, EveryCustomerGetsTheFiguresOfItsOwnHistory) {
  const std::vector<RepeatSummary> cdnow = cdnow_summary();
  std::vector<RepeatSummary> customers;
  for (int copy = 0; copy < 3; ++copy)  // each history three times, in three orders
    for (std::size_t i = 0; i < cdnow.size(); ++i) customers.push_back(cdnow[(i * (2 * copy + 1) + copy) % cdnow.size()]);
  for (std::size_t i = 0; i < customers.size(); i += 7) customers[i].purchased = false;
  const ClvOptions o;
  const Communicator self(MPI_COMM_SELF);
  omp_set_num_threads(1);
  const CustomerValue one = customer_value(customers, o, self);
  omp_set_num_threads(3);
  const CustomerValue three = customer_value(customers, o, self);
  omp_set_num_threads(2);
  const double month = 30.4375 / o.unit_days;
  for (std::size_t i = 0; i < customers.size(); ++i) {
    const RepeatSummary& c = customers[i];
    const std::string at = "customer " + std::to_string(i);
    if (!c.purchased) {
      EXPECT_TRUE(std::isnan(one.p_alive[i]) && std::isnan(one.clv[i])) << at << ": never bought";
      continue;
    }
    const PurchaseModel& m = one.purchases.model;
    ASSERT_EQ(one.p_alive[i], static_cast<float>(probability_alive(m, c))) << at;
    ASSERT_EQ(one.churn_risk[i], static_cast<float>(probability_no_purchase(m, c, o.churn_period_days))) << at;
    ASSERT_EQ(one.expected_purchases[i], static_cast<float>(expected_purchases(m, c, o.horizon_months * month))) << at;
    const double spend = gamma_gamma_expected_spend(one.gamma_gamma.model, c);
    ASSERT_EQ(one.expected_spend[i], static_cast<float>(spend)) << at;
    double clv = 0, before = 0;
    for (int month_ahead = 1; month_ahead <= 12; ++month_ahead) {
      const double upto = expected_purchases(m, c, month_ahead * month);
      clv += (upto - before) * spend / std::pow(1 + o.monthly_discount, month_ahead);
      before = upto;
    }
    ASSERT_EQ(one.clv[i], static_cast<float>(clv)) << at;
  }
  for (const auto& [name, a, b] : {std::make_tuple("p_alive", &one.p_alive, &three.p_alive),
                                   std::make_tuple("churn_risk", &one.churn_risk, &three.churn_risk),
                                   std::make_tuple("clv", &one.clv, &three.clv)})
    EXPECT_EQ(0, std::memcmp(a->data(), b->data(), sizeof(float) * a->size())) << name << ": 1 and 3 threads";
}

// One valuation serves every purchase model (--clv-model auto): each model's fit and figures are
// those of fitting it alone on the customers who bought, though the histories it is fitted on are
// counted from groups that hold customers who never bought too, and the spend model is fitted once.
TEST(CustomerValue, OneValuationGivesEachModelItsOwnFit) {
  const std::vector<RepeatSummary> bought = cdnow_summary();
  std::vector<RepeatSummary> customers = bought;  // and, alike to every fifth buyer, one who never bought
  for (std::size_t i = 0; i < bought.size(); i += 5) customers.push_back(bought[i]), customers.back().purchased = false;
  const Communicator self(MPI_COMM_SELF);
  const Fit<GammaGamma> spend = fit_gamma_gamma(bought, self);
  ClvOptions o;
  const CustomerValuation valuation(customers, o, self);
  for (PurchaseModelKind kind : kPurchaseModels) {
    const CustomerValue shared = valuation.value(kind);
    const Fit<PurchaseModel> alone = fit_purchase_model(kind, bought, self);
    EXPECT_EQ(shared.purchases.model.params, alone.model.params) << to_string(kind);
    EXPECT_EQ(shared.purchases.log_likelihood, alone.log_likelihood) << to_string(kind);
    EXPECT_EQ(shared.gamma_gamma.model.p, spend.model.p) << to_string(kind);
    EXPECT_EQ(shared.gamma_gamma.model.q, spend.model.q) << to_string(kind);
    o.model = kind;
    const CustomerValue fresh = customer_value(customers, o, self);
    EXPECT_EQ(0, std::memcmp(shared.clv.data(), fresh.clv.data(), sizeof(float) * fresh.clv.size())) << to_string(kind);
  }
}

}  // namespace
}  // namespace kseg
