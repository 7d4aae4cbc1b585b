// The feature kernels on hand-made order lines whose features are known.
#include <gtest/gtest.h>

#include "customers/customer_features.hpp"
#include "common/errors.hpp"
#include "kernels/feature_kernels.hpp"

namespace kseg {
namespace {

constexpr int64_t kDay = 86400;

struct Line {
  int64_t customer;
  int64_t day;
  double amount;
  int64_t order;
  int32_t quantity;
  int32_t category;
  int32_t channel;
  double discount;
};

TransactionColumns columns_of(const std::vector<Line>& lines, const TransactionSchema& schema) {
  TransactionColumns c;
  c.resize(schema, lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    c.customer_id[i] = lines[i].customer;
    c.timestamp[i] = lines[i].day * kDay + 3600 * static_cast<int64_t>(i % 5);  // times within the day vary
    c.amount[i] = lines[i].amount;
    if (schema.order_id) c.order_id[i] = lines[i].order;
    if (schema.quantity) c.quantity[i] = lines[i].quantity;
    if (schema.category) c.category[i] = lines[i].category;
    if (schema.channel) c.channel[i] = lines[i].channel;
    if (schema.discount) c.discount[i] = lines[i].discount;
  }
  return c;
}

double feature(const CustomerFeatureTable& t, int64_t customer, const std::string& name) {
  const std::size_t row = std::find(t.customer_id.begin(), t.customer_id.end(), customer) - t.customer_id.begin();
  const std::size_t col = std::find(t.names.begin(), t.names.end(), name) - t.names.begin();
  EXPECT_LT(row, t.customer_id.size()) << customer;
  EXPECT_LT(col, t.names.size()) << name;
  return t.matrix[row * t.names.size() + col];
}

class CustomerFeaturesTest : public ::testing::Test {
 protected:
  TransactionSchema full() {
    TransactionSchema s;
    s.order_id = s.quantity = s.category = s.channel = s.discount = true;
    s.category_labels = {"books", "music", "toys"};
    s.channel_labels = {"web", "store"};
    return s;
  }
  CustomerFeatureTable run(const std::vector<Line>& lines, const TransactionSchema& schema, int64_t as_of,
                           double unit = 1.0, int top = 2) {
    FeatureOptions options;
    options.as_of_day = as_of;
    options.time_unit_days = unit;
    options.top_categories = top;
    return build_customer_features(columns_of(lines, schema), schema, options, "test", Communicator(MPI_COMM_SELF));
  }
};

TEST_F(CustomerFeaturesTest, RfmOrdersReturnsSharesAndBgNbdInputs) {
  // Customer 7: order 1 on day 100 (two lines, books + music, web), a return on day 101, order 2 on
  // day 110 (toys, store), order 3 on day 130 (books, web, 10 discount), and a line after as-of.
  const std::vector<Line> lines = {
      {7, 110, 30.0, 2, 1, 2, 1, 0.0}, {7, 100, 20.0, 1, 2, 0, 0, 0.0}, {7, 100, 10.0, 1, 1, 1, 0, 0.0},
      {7, 101, -5.0, 1, -1, 1, 0, 0.0}, {7, 130, 40.0, 3, 4, 0, 0, 10.0}, {7, 200, 99.0, 4, 1, 0, 0, 0.0},
      {9, 120, 15.0, 5, 1, 0, 1, 0.0}};
  const CustomerFeatureTable t = run(lines, full(), /*as_of=*/140);
  EXPECT_EQ(t.total_customers, 2);
  EXPECT_EQ(t.lines_after_as_of, 1);
  EXPECT_EQ(feature(t, 7, "recency_days"), 10);
  EXPECT_EQ(feature(t, 7, "tenure_days"), 40);
  EXPECT_EQ(feature(t, 7, "frequency"), 3);          // distinct orders among purchases
  EXPECT_FLOAT_EQ(feature(t, 7, "monetary"), 95.0);  // net: 100 bought, 5 returned
  EXPECT_FLOAT_EQ(feature(t, 7, "aov"), 100.0 / 3);
  EXPECT_FLOAT_EQ(feature(t, 7, "items_per_order"), 8.0 / 3);
  EXPECT_FLOAT_EQ(feature(t, 7, "return_rate"), 0.05);
  EXPECT_FLOAT_EQ(feature(t, 7, "discount_share"), 10.0 / 110.0);
  EXPECT_FLOAT_EQ(feature(t, 7, "gap_mean_days"), 15.0);  // gaps 10 and 20
  EXPECT_FLOAT_EQ(feature(t, 7, "gap_std_days"), 5.0);
  // Top 2 categories by purchase lines: books (3 lines), then music and toys tie at 1: music (smaller code).
  EXPECT_FLOAT_EQ(feature(t, 7, "category_share_books"), 0.6);
  EXPECT_FLOAT_EQ(feature(t, 7, "category_share_music"), 0.1);
  EXPECT_FLOAT_EQ(feature(t, 7, "category_share_other"), 0.3);
  EXPECT_FLOAT_EQ(feature(t, 7, "channel_share_web"), 0.7);
  EXPECT_FLOAT_EQ(feature(t, 7, "channel_share_store"), 0.3);
  EXPECT_EQ(feature(t, 7, "bgnbd_x"), 2);
  EXPECT_EQ(feature(t, 7, "bgnbd_t_x"), 30);
  EXPECT_EQ(feature(t, 7, "bgnbd_T"), 40);
  EXPECT_FLOAT_EQ(feature(t, 7, "bgnbd_zbar"), 35.0);  // (30 + 40) / 2
  EXPECT_EQ(feature(t, 9, "frequency"), 1);
  EXPECT_EQ(feature(t, 9, "bgnbd_zbar"), 0);
  EXPECT_EQ(t.customer_id, (std::vector<int64_t>{7, 9}));
}

TEST_F(CustomerFeaturesTest, WithoutOrderIdsFrequencyCountsPurchaseDaysAndWeeksScaleBgNbd) {
  TransactionSchema minimal;
  const std::vector<Line> lines = {{3, 0, 5, 0, 0, 0, 0, 0}, {3, 0, 6, 0, 0, 0, 0, 0}, {3, 14, 7, 0, 0, 0, 0, 0}};
  const CustomerFeatureTable t = run(lines, minimal, /*as_of=*/21, /*unit=*/7.0);
  EXPECT_EQ(feature(t, 3, "frequency"), 2);  // two purchase days; same-day lines merged
  EXPECT_EQ(feature(t, 3, "bgnbd_x"), 1);
  EXPECT_EQ(feature(t, 3, "bgnbd_t_x"), 2);  // 14 days in weeks
  EXPECT_EQ(feature(t, 3, "bgnbd_T"), 3);
  EXPECT_EQ(feature(t, 3, "bgnbd_zbar"), 7);
  EXPECT_EQ(std::count(t.names.begin(), t.names.end(), "items_per_order"), 0) << "no quantities, no basket size";
}

TEST_F(CustomerFeaturesTest, AsOfBeforeEveryTransactionIsRefused) {
  const std::vector<Line> lines = {{1, 100, 5, 0, 0, 0, 0, 0}};
  try {
    run(lines, TransactionSchema{}, 50);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("before every transaction (the first is on 1970-04-11)"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace kseg
