// Run under mpiexec with 1, 2 and 4 ranks: the distributed BG/NBD and Gamma-Gamma fits on the
// CDNOW sample equal the single-process fits bit for bit, and the published parameters.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "customers/clv_models.hpp"
#include "io/row_partition.hpp"

namespace kseg {
namespace {

std::vector<RepeatSummary> cdnow_rows(RowBlock block) {
  std::ifstream in(KSEG_TEST_DATA_DIR "/cdnow/cdnow_customers_summary_with_transactions.csv");
  std::string line;
  std::getline(in, line);
  std::vector<RepeatSummary> rows;
  for (int64_t row = 0; std::getline(in, line); ++row) {
    if (row < block.first || row >= block.first + block.count) continue;
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream fields(line);
    double id;
    RepeatSummary c;
    fields >> id >> c.x >> c.t_x >> c.T >> c.zbar;
    rows.push_back(c);
  }
  return rows;
}

TEST(ClvFit, DistributedEqualsSingleProcessAndThePublishedFit) {
  const Communicator world(MPI_COMM_WORLD), self(MPI_COMM_SELF);
  const std::vector<RepeatSummary> mine = cdnow_rows(row_block(2357, world.size(), world.rank()));
  const std::vector<RepeatSummary> all = cdnow_rows({0, 2357});
  const Fit<BgNbd> a = fit_bgnbd(mine, world), b = fit_bgnbd(all, self);
  EXPECT_EQ(a.model.r, b.model.r);
  EXPECT_EQ(a.model.alpha, b.model.alpha);
  EXPECT_EQ(a.model.a, b.model.a);
  EXPECT_EQ(a.model.b, b.model.b);
  EXPECT_EQ(a.log_likelihood, b.log_likelihood);
  EXPECT_NEAR(a.model.r, 0.243, 0.0005);
  EXPECT_NEAR(a.model.alpha, 4.414, 0.005);
  EXPECT_NEAR(a.model.a, 0.793, 0.0005);
  EXPECT_NEAR(a.model.b, 2.426, 0.005);
  const Fit<GammaGamma> g = fit_gamma_gamma(mine, world), h = fit_gamma_gamma(all, self);
  EXPECT_EQ(g.model.p, h.model.p);
  EXPECT_EQ(g.model.q, h.model.q);
  EXPECT_EQ(g.model.v, h.model.v);
  EXPECT_NEAR(g.model.p, 6.25, 0.005);
  EXPECT_NEAR(g.model.q, 3.74, 0.005);
  EXPECT_NEAR(g.model.v, 15.44, 0.05);
}

}  // namespace
}  // namespace kseg
