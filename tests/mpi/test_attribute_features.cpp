// Run under mpiexec with 1, 2 and 4 ranks: attribute features joined from /customers land on the
// rows of the customers they belong to, wherever either table's rows started; indicators are 0/1
// (all 0 for an unknown label), quantities NaN where unknown and then filled with the exact mean
// of the known values; a categorical block is scaled to a total variance of 1 and --weight scales
// by √W; a label the model was not fitted with is counted as unseen.
#include <gtest/gtest.h>

#include <cmath>

#include "customers/attribute_features.hpp"
#include "customers/transforms.hpp"
#include "common/errors.hpp"
#include "common/exact_sum.hpp"
#include "io/row_partition.hpp"

namespace kseg {
namespace {

constexpr int64_t kCustomers = 3001;
const std::vector<std::string> kRegions = {"north", "south", "east"};

// Customer i has id 10 + 7i; /customers knows every customer but each fifth, plus ids no customer has.
int64_t id_of(int64_t i) { return 10 + 7 * i; }
bool in_table(int64_t i) { return i % 5 != 0; }
double age_of(int64_t i) { return i % 11 == 0 ? NAN : static_cast<double>(20 + i % 50); }
double region_of(int64_t i) { return i % 13 == 0 ? -1.0 : static_cast<double>(i % 3); }

// /customers in reverse customer order, spread over the ranks differently from the customers.
AttributeColumns attribute_table(const Communicator& comm) {
  AttributeColumns a;
  a.rows = {"shop.h5:/customers", 2, {}, {}};
  a.names = {"age", "region"};
  a.labels = {{}, kRegions};
  const int64_t rows = kCustomers + 100;
  const RowBlock block = row_block(rows, comm.size(), comm.size() - 1 - comm.rank());
  for (int64_t r = block.first; r < block.first + block.count; ++r) {
    const int64_t i = rows - 1 - r;
    if (i >= kCustomers) {
      a.rows.id.push_back(id_of(i));
      a.rows.values.insert(a.rows.values.end(), {99.0, 0.0});
    } else if (in_table(i)) {
      a.rows.id.push_back(id_of(i));
      a.rows.values.insert(a.rows.values.end(), {age_of(i), region_of(i)});
    }
  }
  return a;
}

struct Customers {
  RowBlock block;
  std::vector<int64_t> id;
  std::vector<float> matrix;  ///< one column: recency, i
  std::vector<std::string> names = {"recency"};
};

Customers customers(const Communicator& comm) {
  Customers c;
  c.block = row_block(kCustomers, comm.size(), comm.rank());
  for (int64_t i = c.block.first; i < c.block.first + c.block.count; ++i) {
    c.id.push_back(id_of(i));
    c.matrix.push_back(static_cast<float>(i));
  }
  return c;
}

TEST(AttributeFeatures, JoinedOntoTheirCustomersRows) {
  const Communicator world(MPI_COMM_WORLD);
  const AttributeColumns a = attribute_table(world);
  Customers c = customers(world);
  const std::vector<std::string> wanted = expand_attribute_features({"recency", "age", "region"}, c.names, &a);
  ASSERT_EQ(wanted, (std::vector<std::string>{"recency", "age", "region=north", "region=south", "region=east"}));
  EXPECT_TRUE(append_attribute_features({c.id, c.matrix, c.names}, a, wanted, world).empty());
  ASSERT_EQ(c.names, wanted);
  int64_t wrong = 0;
  for (int64_t r = 0; r < c.block.count; ++r) {
    const int64_t i = c.block.first + r;
    const float* row = &c.matrix[r * 5];
    const double age = in_table(i) ? age_of(i) : NAN;
    const double region = in_table(i) ? region_of(i) : -1;
    wrong += row[0] != static_cast<float>(i);
    wrong += std::isnan(age) ? !std::isnan(row[1]) : row[1] != static_cast<float>(age);
    for (int l = 0; l < 3; ++l) wrong += row[2 + l] != (region == l ? 1.0f : 0.0f);
  }
  EXPECT_EQ(world.sum(wrong), 0);
}

TEST(AttributeFeatures, UnknownQuantitiesBecomeTheExactMeanOfTheKnown) {
  const Communicator world(MPI_COMM_WORLD);
  const AttributeColumns a = attribute_table(world);
  Customers c = customers(world);
  append_attribute_features({c.id, c.matrix, c.names}, a, {"recency", "age"}, world);
  int64_t known = 0, sum = 0;
  for (int64_t i = 0; i < kCustomers; ++i)
    if (in_table(i) && !std::isnan(age_of(i))) known += 1, sum += static_cast<int64_t>(age_of(i));
  const std::vector<FeatureTransform> none(2);
  const Scaler s = fit_and_apply_transforms(c.matrix.data(), c.block.count, 2, none, {}, c.id.data(), world, c.names);
  EXPECT_EQ(s.fill[1], static_cast<double>(sum) / static_cast<double>(known));
  int64_t nan_left = 0;
  for (int64_t r = 0; r < c.block.count; ++r) nan_left += std::isnan(c.matrix[r * 2 + 1]);
  EXPECT_EQ(world.sum(nan_left), 0);
}

TEST(AttributeFeatures, BlockWeighsLikeOneStandardizedFeatureAndWeightsScaleBySquareRoot) {
  const Communicator world(MPI_COMM_WORLD);
  const AttributeColumns a = attribute_table(world);
  Customers c = customers(world);
  const std::vector<std::string> wanted = expand_attribute_features({"recency", "region"}, c.names, &a);
  append_attribute_features({c.id, c.matrix, c.names}, a, wanted, world);
  std::vector<int64_t> count(3, 0);
  for (int64_t i = 0; i < kCustomers; ++i)
    if (in_table(i) && region_of(i) >= 0) count[static_cast<std::size_t>(region_of(i))] += 1;
  double variance = 0;
  for (int64_t n : count) variance += (double(n) / kCustomers) * (1 - double(n) / kCustomers);
  const std::vector<double> plain = feature_divisors(c.matrix.data(), c.block.count, c.names, &a, {}, world);
  EXPECT_EQ(plain[0], 1.0);
  for (int l = 1; l <= 3; ++l) EXPECT_DOUBLE_EQ(plain[l], std::sqrt(variance));
  const std::vector<double> weighted =
      feature_divisors(c.matrix.data(), c.block.count, c.names, &a, {"region=4", "recency=0.25"}, world);
  EXPECT_DOUBLE_EQ(weighted[0], 2.0);
  for (int l = 1; l <= 3; ++l) EXPECT_DOUBLE_EQ(weighted[l], std::sqrt(variance) / 2);
  // Transformed with those divisors, the block's columns' variances sum to 1, as one standardized feature's.
  TransformParams params;
  params.divisors = plain;
  fit_and_apply_transforms(c.matrix.data(), c.block.count, 4, std::vector<FeatureTransform>(4), params, c.id.data(),
                           world, c.names);
  std::vector<ExactSum> moments(6);  // Σx and Σx² of each indicator column
  for (int64_t r = 0; r < c.block.count; ++r)
    for (int l = 0; l < 3; ++l) {
      const double x = c.matrix[r * 4 + 1 + l];
      moments[2 * l].add(x), moments[2 * l + 1].add(x * x);
    }
  world.sum(moments.data(), moments.size());
  double total = 0;
  for (int l = 0; l < 3; ++l) {
    const double mean = moments[2 * l].to_double() / kCustomers;
    total += moments[2 * l + 1].to_double() / kCustomers - mean * mean;
  }
  EXPECT_NEAR(total, 1.0, 1e-6);
  for (const std::string bad : {"region", "region=-1", "region=x", "nowhere=2"})
    EXPECT_THROW(feature_divisors(c.matrix.data(), c.block.count, c.names, &a, {bad}, world), InputError) << bad;
}

TEST(AttributeFeatures, LabelTheModelDidNotSeeIsUnknownAndCounted) {
  const Communicator world(MPI_COMM_WORLD);
  const AttributeColumns a = attribute_table(world);
  Customers c = customers(world);
  const std::vector<std::string> model = {"recency", "region=north", "region=south", "region=west"};
  const std::vector<std::string> warnings = append_attribute_features({c.id, c.matrix, c.names}, a, model, world);
  int64_t east = 0;
  for (int64_t i = 0; i < kCustomers; ++i) east += in_table(i) && region_of(i) == 2;
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(std::to_string(east) + " customers have a region label"), std::string::npos) << warnings[0];
  int64_t west = 0;
  for (int64_t r = 0; r < c.block.count; ++r) west += c.matrix[r * 4 + 3] != 0.0f;
  EXPECT_EQ(world.sum(west), 0) << "a model label this file lacks is 0 for everyone";
}

}  // namespace
}  // namespace kseg
