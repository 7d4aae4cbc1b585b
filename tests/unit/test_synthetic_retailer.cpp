#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/errors.hpp"
#include "synth/synthetic_retailer.hpp"
#include "io/timestamp_parse.hpp"

namespace kseg {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kCustomers = 5000;

RetailerSpec spec_2023_2024(uint64_t seed = 11) {
  return {seed, days_from_civil(2023, 1, 1) * kDay, days_from_civil(2025, 1, 1) * kDay, 12, 3};
}

// One customer's rows of a generated table: [begin, end).
struct CustomerRows {
  Persona persona;
  std::size_t begin = 0, end = 0;
};

class SyntheticRetailer : public ::testing::Test {
 protected:
  void SetUp() override {
    generate_transactions(model, 0, kCustomers, rows);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      auto [at, added] = customers.try_emplace(rows.customer_id[r]);
      if (added) at->second = {retail_customer(model, rows.customer_id[r] - kFirstRetailCustomerId).persona, r, r};
      ++at->second.end;
    }
  }

  // Customers of one persona, with their rows.
  std::vector<CustomerRows> of(Persona persona) const {
    std::vector<CustomerRows> found;
    for (const auto& [id, c] : customers)
      if (c.persona == persona) found.push_back(c);
    return found;
  }

  const RetailerModel model = make_retailer_model(spec_2023_2024());
  TransactionColumns rows;
  std::map<int64_t, CustomerRows> customers;
};

TEST_F(SyntheticRetailer, EachCustomerDependsOnlyOnTheSeedAndTheirId) {
  // Any split of the customers gives the same rows: what makes the file rank-independent.
  TransactionColumns split;
  const std::vector<int64_t> bounds = {0, 1, 2, 1234, 3001, kCustomers};
  for (std::size_t i = 0; i + 1 < bounds.size(); ++i) generate_transactions(model, bounds[i], bounds[i + 1] - bounds[i], split);
  EXPECT_EQ(split.customer_id, rows.customer_id);
  EXPECT_EQ(split.timestamp, rows.timestamp);
  EXPECT_EQ(split.amount, rows.amount);
  EXPECT_EQ(split.order_id, rows.order_id);
  EXPECT_EQ(split.quantity, rows.quantity);
  EXPECT_EQ(split.category, rows.category);
  EXPECT_EQ(split.channel, rows.channel);
  EXPECT_EQ(split.discount, rows.discount);
  EXPECT_EQ(count_transactions(model, 0, kCustomers), static_cast<int64_t>(rows.size()));

  TransactionColumns other_seed;
  generate_transactions(make_retailer_model(spec_2023_2024(12)), 0, 100, other_seed);
  EXPECT_NE(other_seed.amount, std::vector<double>(rows.amount.begin(), rows.amount.begin() + other_seed.size()));
}

TEST_F(SyntheticRetailer, EveryColumnIsFilledWithValidCodes) {
  ASSERT_GT(rows.size(), static_cast<std::size_t>(kCustomers));
  EXPECT_EQ(customers.size(), static_cast<std::size_t>(kCustomers));  // everyone bought at least once
  for (const std::vector<std::string>* labels : {&model.schema.category_labels, &model.schema.channel_labels})
    EXPECT_FALSE(labels->empty());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    ASSERT_GE(rows.category[r], 0);
    ASSERT_LT(rows.category[r], model.spec.categories);
    ASSERT_GE(rows.channel[r], 0);
    ASSERT_LT(rows.channel[r], model.spec.channels);
    ASSERT_EQ(rows.order_id[r] / kOrderIdsPerCustomer, rows.customer_id[r]);
  }
}

TEST_F(SyntheticRetailer, TimestampsLieInTheWindowInTimeOrderPerCustomer) {
  for (const auto& [id, c] : customers)
    for (std::size_t r = c.begin; r < c.end; ++r) {
      ASSERT_GE(rows.timestamp[r], model.spec.start) << "customer " << id;
      ASSERT_LT(rows.timestamp[r], model.spec.end) << "customer " << id;
      if (r > c.begin) {
        ASSERT_LE(rows.timestamp[r - 1], rows.timestamp[r]) << "customer " << id;
      }
    }
}

TEST_F(SyntheticRetailer, ReturnsAreNegativeLinesOfAnEarlierOrder) {
  std::size_t returns = 0;
  std::map<int64_t, int64_t> bought_at;  // order id → time of purchase
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (rows.quantity[r] > 0) {
      ASSERT_GT(rows.amount[r], 0);
      ASSERT_GE(rows.discount[r], 0);
      bought_at.emplace(rows.order_id[r], rows.timestamp[r]);
      continue;
    }
    ++returns;
    ASSERT_LT(rows.quantity[r], 0) << "row " << r;
    ASSERT_LT(rows.amount[r], 0) << "row " << r;
    ASSERT_LE(rows.discount[r], 0) << "row " << r;
    ASSERT_EQ(bought_at.count(rows.order_id[r]), 1u) << "row " << r << " returns an order not bought before";
    ASSERT_GT(rows.timestamp[r], bought_at[rows.order_id[r]]);
  }
  EXPECT_GT(returns, rows.size() / 100);
  EXPECT_LT(returns, rows.size() / 5);
}

TEST_F(SyntheticRetailer, OneTimeBuyersOrderOnce) {
  const std::vector<CustomerRows> buyers = of(Persona::one_time_buyer);
  ASSERT_GT(buyers.size(), 1000u);
  for (const CustomerRows& c : buyers) {
    const std::set<int64_t> orders(rows.order_id.begin() + c.begin, rows.order_id.begin() + c.end);
    ASSERT_EQ(orders.size(), 1u);
  }
}

TEST_F(SyntheticRetailer, LapsedCustomersBoughtRepeatedlyButNotInTheLastSixMonths) {
  const std::vector<CustomerRows> lapsed = of(Persona::lapsed);
  ASSERT_GT(lapsed.size(), 500u);
  for (const CustomerRows& c : lapsed) {
    std::set<int64_t> orders;
    for (std::size_t r = c.begin; r < c.end; ++r) {
      if (rows.quantity[r] > 0) {
        ASSERT_LT(rows.timestamp[r], model.spec.end - 180 * kDay);
      }
      orders.insert(rows.order_id[r]);
    }
    ASSERT_GE(orders.size(), 2u);
  }
}

TEST_F(SyntheticRetailer, NewCustomersFirstBoughtInTheLastSixtyDays) {
  const std::vector<CustomerRows> recent = of(Persona::new_customer);
  ASSERT_GT(recent.size(), 300u);
  for (const CustomerRows& c : recent) ASSERT_GE(rows.timestamp[c.begin], model.spec.end - 60 * kDay);
  for (const CustomerRows& c : of(Persona::one_time_buyer)) ASSERT_LT(rows.timestamp[c.begin], model.spec.end - 60 * kDay);
}

TEST_F(SyntheticRetailer, SeasonalCustomersBuyMostlyInNovemberAndDecember) {
  const int64_t november_2023 = days_from_civil(2023, 11, 1) * kDay, january_2024 = days_from_civil(2024, 1, 1) * kDay;
  const int64_t november_2024 = days_from_civil(2024, 11, 1) * kDay;
  std::size_t lines = 0, in_season = 0;
  for (const CustomerRows& c : of(Persona::seasonal))
    for (std::size_t r = c.begin; r < c.end; ++r) {
      const int64_t t = rows.timestamp[r];
      ++lines;
      in_season += (t >= november_2023 && t < january_2024) || t >= november_2024;
    }
  EXPECT_GT(static_cast<double>(in_season) / lines, 0.7);
}

TEST_F(SyntheticRetailer, LoyalHighSpendersSpendTheMost) {
  std::vector<double> spend(kPersonas), people(kPersonas);
  for (const auto& [id, c] : customers) {
    for (std::size_t r = c.begin; r < c.end; ++r) spend[static_cast<int>(c.persona)] += rows.amount[r];
    ++people[static_cast<int>(c.persona)];
  }
  const double loyal = spend[0] / people[0];
  for (int p = 1; p < kPersonas; ++p) EXPECT_GT(loyal, 3 * spend[p] / people[p]) << persona_labels()[p];
}

TEST(SyntheticRetailerPersonas, SharesAreAsConfigured) {
  const RetailerModel model = make_retailer_model(spec_2023_2024());
  constexpr int64_t kMany = 200000;
  std::vector<double> seen(kPersonas);
  for (int64_t i = 0; i < kMany; ++i) ++seen[static_cast<int>(retail_customer(model, i).persona)];
  ASSERT_EQ(persona_labels().size(), static_cast<std::size_t>(kPersonas));
  for (int p = 0; p < kPersonas; ++p) EXPECT_NEAR(seen[p] / kMany, persona_shares()[p], 0.005) << persona_labels()[p];
  EXPECT_EQ(retail_customer(model, 0).id, kFirstRetailCustomerId);
  EXPECT_GT(retail_customer(model, 0).acquisition_cost, 0);
}

TEST(SyntheticRetailerPersonas, RefusesAWindowShorterThanAYear) {
  RetailerSpec spec = spec_2023_2024();
  spec.end = spec.start + 200 * kDay;
  EXPECT_THROW(make_retailer_model(spec), InputError);
  spec = spec_2023_2024();
  spec.channels = kMaxChannels + 1;
  EXPECT_THROW(make_retailer_model(spec), InputError);
}

}  // namespace
}  // namespace kseg
