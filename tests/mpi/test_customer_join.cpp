// Run under mpiexec with 1, 2 and 4 ranks: the distributed join by customer id visits every id of
// either table exactly once, with the right rows, wherever the rows started; the migration matrix
// built on it equals one process's; a repeated id is refused on every rank.
#include <gtest/gtest.h>

#include <map>

#include "customers/customer_join.hpp"
#include "customers/quarter_comparison.hpp"
#include "common/errors.hpp"
#include "io/row_partition.hpp"

namespace kseg {
namespace {

// Ids 3i for i < n, this rank's row block of them, payload (segment i % 3, value i / 2).
KeyedRows table(const std::string& name, int64_t n, int64_t id_step, const Communicator& comm) {
  const RowBlock block = row_block(n, comm.size(), comm.rank());
  KeyedRows rows{name, 2, {}, {}};
  for (int64_t i = block.first; i < block.first + block.count; ++i) {
    rows.id.push_back(i * id_step);
    rows.values.insert(rows.values.end(), {double(i % 3), i / 2.0});
  }
  return rows;
}

TEST(CustomerJoin, VisitsEveryIdOnceWithItsRows) {
  const Communicator world(MPI_COMM_WORLD);
  const KeyedRows left = table("left", 3000, 3, world), right = table("right", 2000, 5, world);
  int64_t both = 0, left_only = 0, right_only = 0, wrong = 0, previous = -1, unordered = 0;
  join_by_customer(left, right, world, [&](int64_t id, const double* l, const double* r) {
    unordered += id <= previous;
    previous = id;
    both += l && r, left_only += l && !r, right_only += !l && r;
    wrong += (l && (l[1] != (id / 3) / 2.0 || id % 3 != 0)) || (r && (r[1] != (id / 5) / 2.0 || id % 5 != 0));
  });
  // Ids below 9000 that are multiples of 15 are in both: 600 of them.
  EXPECT_EQ(world.sum(both), 600);
  EXPECT_EQ(world.sum(left_only), 2400);
  EXPECT_EQ(world.sum(right_only), 1400);
  EXPECT_EQ(world.sum(wrong), 0);
  EXPECT_EQ(world.sum(unordered), 0) << "each rank visits its ids in increasing order";
}

TEST(CustomerJoin, RepeatedIdIsRefusedOnEveryRank) {
  const Communicator world(MPI_COMM_WORLD);
  KeyedRows left = table("q1.h5:/segments", 100, 1, world);
  if (world.rank() == world.size() - 1) left.id.back() = 7, left.id.front() = 7;
  const KeyedRows right = table("right", 10, 1, world);
  try {
    join_by_customer(left, right, world, [](int64_t, const double*, const double*) {});
    FAIL() << "a repeated id was joined";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "q1.h5:/segments: customer_id 7 appears twice");
    EXPECT_EQ(e.scope(), ErrorScope::all_ranks);
  }
}

TEST(MigrationMatrix, DistributedEqualsOneProcess) {
  const Communicator world(MPI_COMM_WORLD), self(MPI_COMM_SELF);
  const std::vector<int32_t> ids = {0, 1, 2};
  const MigrationMatrix spread = migration_matrix(table("before", 3000, 3, world), table("after", 2000, 5, world), ids,
                                                  ids, world);
  const MigrationMatrix one = migration_matrix(table("before", 3000, 3, self), table("after", 2000, 5, self), ids, ids,
                                               self);
  EXPECT_EQ(spread.customers, one.customers);
  EXPECT_EQ(spread.revenue, one.revenue) << "fixed-point revenue sums: the same bits for any number of ranks";
  int64_t total = 0;
  for (int64_t c : one.customers) total += c;
  EXPECT_EQ(total, 600 + 2400 + 1400);
  EXPECT_EQ(one.customers.back(), 0) << "no customer is both new and gone";
}

}  // namespace
}  // namespace kseg
