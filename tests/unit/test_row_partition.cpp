#include <gtest/gtest.h>

#include "io/row_partition.hpp"

namespace kseg {
namespace {

TEST(RowPartition, BlocksTileTheRowsAndOwnerFindsThem) {
  for (int64_t rows : {1, 3, 4, 10, 1001}) {
    for (int ranks : {1, 2, 3, 4, 7}) {
      int64_t next = 0;
      for (int r = 0; r < ranks; ++r) {
        const RowBlock b = row_block(rows, ranks, r);
        EXPECT_EQ(b.first, next);
        EXPECT_LE(b.count, rows / ranks + 1);
        for (int64_t row = b.first; row < b.first + b.count; ++row) EXPECT_EQ(owner_of_row(rows, ranks, row), r);
        next += b.count;
      }
      EXPECT_EQ(next, rows);
    }
  }
}

TEST(RowPartition, HandlesRowCountsBeyond32Bits) {
  const int64_t rows = (int64_t{1} << 40) + 3;
  const RowBlock last = row_block(rows, 3, 2);
  EXPECT_EQ(last.first + last.count, rows);
  EXPECT_EQ(owner_of_row(rows, 3, rows - 1), 2);
}

}  // namespace
}  // namespace kseg
