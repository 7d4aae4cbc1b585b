// Run under mpiexec with 1, 2 and 4 ranks: features built from transactions spread over the ranks,
// and the transforms fitted on them, equal bit for bit those of one process holding everything.
#include <gtest/gtest.h>

#include <random>

#include "customers/customer_features.hpp"
#include "customers/transforms.hpp"
#include "io/row_partition.hpp"

namespace kseg {
namespace {

TransactionSchema schema() {
  TransactionSchema s;
  s.order_id = s.quantity = s.category = s.channel = true;
  return s;
}

// Lines [first, first + count) of a synthetic log: ids deliberately interleaved, so a customer's
// lines sit on several ranks before the shuffle.
TransactionColumns lines(int64_t first, int64_t count) {
  TransactionColumns c;
  c.resize(schema(), count);
  for (int64_t k = 0; k < count; ++k) {
    std::mt19937_64 rng(static_cast<uint64_t>(first + k));
    c.customer_id[k] = 1000 + static_cast<int64_t>(rng() % 613);
    c.timestamp[k] = 1600000000 + static_cast<int64_t>(rng() % (400 * 86400));
    c.amount[k] = (rng() % 10 == 0 ? -1.0 : 1.0) * static_cast<double>(rng() % 10000) / 100.0;
    c.order_id[k] = static_cast<int64_t>(rng() % 3000);
    c.quantity[k] = 1 + static_cast<int32_t>(rng() % 4);
    c.category[k] = static_cast<int32_t>(rng() % 7);
    c.channel[k] = static_cast<int32_t>(rng() % 3);
  }
  return c;
}

TEST(DistributedFeatures, EqualSingleProcessBitForBit) {
  const Communicator world(MPI_COMM_WORLD), self(MPI_COMM_SELF);
  const int64_t total = 9001;
  const RowBlock mine = row_block(total, world.size(), world.rank());
  FeatureOptions options;
  options.as_of_day = 1600000000 / 86400 + 300;  // some lines fall after it
  options.time_unit_days = 7.0;
  options.top_categories = 3;
  const CustomerFeatureTable got = build_customer_features(lines(mine.first, mine.count), schema(), options, "t", world);
  const CustomerFeatureTable want = build_customer_features(lines(0, total), schema(), options, "t", self);

  EXPECT_EQ(got.total_customers, want.total_customers);
  EXPECT_EQ(got.lines_after_as_of, want.lines_after_as_of);
  EXPECT_EQ(got.names, want.names);
  const std::size_t f = want.names.size(), first = static_cast<std::size_t>(got.first_row);
  ASSERT_LE(first + got.customer_id.size(), want.customer_id.size());
  EXPECT_TRUE(std::equal(got.customer_id.begin(), got.customer_id.end(), want.customer_id.begin() + first));
  EXPECT_TRUE(std::equal(got.matrix.begin(), got.matrix.end(), want.matrix.begin() + first * f));

  // Transforms fitted over the ranks equal those fitted on everything.
  std::vector<float> distributed = got.matrix, single = want.matrix;
  const std::vector<FeatureTransform> steps(f, parse_feature_transform("log1p+winsorize+standardize"));
  const Scaler a = fit_and_apply_transforms(distributed.data(), static_cast<int64_t>(got.customer_id.size()),
                                            static_cast<int>(f), steps, {}, got.customer_id.data(), world);
  const Scaler b = fit_and_apply_transforms(single.data(), want.total_customers, static_cast<int>(f), steps, {},
                                            want.customer_id.data(), self);
  EXPECT_EQ(a.clip_low, b.clip_low);
  EXPECT_EQ(a.clip_high, b.clip_high);
  EXPECT_EQ(a.center, b.center);
  EXPECT_EQ(a.scale, b.scale);
  EXPECT_TRUE(std::equal(distributed.begin(), distributed.end(), single.begin() + first * f));
}

}  // namespace
}  // namespace kseg
