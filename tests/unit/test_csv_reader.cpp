#include <gtest/gtest.h>

#include <sstream>

#include "common/errors.hpp"
#include "io/csv_reader.hpp"

namespace kseg {
namespace {

struct Record {
  int64_t line;
  std::vector<std::string> fields;
  bool operator==(const Record& o) const { return line == o.line && fields == o.fields; }
};

std::ostream& operator<<(std::ostream& out, const Record& r) {
  out << "line " << r.line << ":";
  for (const std::string& f : r.fields) out << " [" << f << "]";
  return out;
}

std::vector<Record> read_all(const std::string& text, CsvDialect dialect = {}) {
  std::istringstream in(text);
  CsvReader reader(in, "test.csv", dialect);
  CsvRecord record;
  std::vector<Record> records;
  while (reader.next(record)) {
    Record r{record.line(), {}};
    for (std::size_t i = 0; i < record.size(); ++i) r.fields.emplace_back(record[i]);
    records.push_back(r);
  }
  return records;
}

CsvDialect whitespace() {
  CsvDialect d;
  d.whitespace = true;
  return d;
}

TEST(CsvReader, SplitsOnTheDelimiterAndNumbersLines) {
  EXPECT_EQ(read_all("a,b,c\n1,2,3\n"),
            (std::vector<Record>{{1, {"a", "b", "c"}}, {2, {"1", "2", "3"}}}));
}

TEST(CsvReader, QuotedFieldsHoldDelimitersDoubledQuotesAndLineBreaks) {
  const auto records = read_all("id,name\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,x\n");
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[1], (Record{2, {"1", "a, b"}}));
  EXPECT_EQ(records[2], (Record{3, {"2", "say \"hi\""}}));
  EXPECT_EQ(records[3], (Record{4, {"3", "two\nlines"}}));
  EXPECT_EQ(records[4], (Record{6, {"4", "x"}})) << "a record after a quoted line break starts on the right line";
}

TEST(CsvReader, EmptyFieldsAreKept) {
  EXPECT_EQ(read_all(",a,,\n\"\",b\n"),
            (std::vector<Record>{{1, {"", "a", "", ""}}, {2, {"", "b"}}}));
}

TEST(CsvReader, TakesCrlfLineEndsAndAByteOrderMark) {
  EXPECT_EQ(read_all("\xEF\xBB\xBF" "CustomerID,Amount\r\n17850,2.5\r\n\"q\r\nr\",1\r\n"),
            (std::vector<Record>{{1, {"CustomerID", "Amount"}}, {2, {"17850", "2.5"}}, {3, {"q\nr", "1"}}}));
}

TEST(CsvReader, TakesCrOnlyLineEnds) {
  EXPECT_EQ(read_all("id,amount\r1,2.5\r\r2,\"a\rb\"\r3,4"),
            (std::vector<Record>{{1, {"id", "amount"}}, {2, {"1", "2.5"}}, {4, {"2", "a\rb"}}, {6, {"3", "4"}}}));
}

TEST(CsvReader, SkipsBlankLinesButCountsThem) {
  EXPECT_EQ(read_all("\na,b\n\n   \r\n\t\nc,d"), (std::vector<Record>{{2, {"a", "b"}}, {6, {"c", "d"}}}));
}

TEST(CsvReader, OtherDelimiters) {
  CsvDialect semicolon;
  semicolon.delimiter = ';';
  EXPECT_EQ(read_all("a;b,c\n", semicolon), (std::vector<Record>{{1, {"a", "b,c"}}}));
  CsvDialect tab;
  tab.delimiter = '\t';
  EXPECT_EQ(read_all("a\t b\t\n", tab), (std::vector<Record>{{1, {"a", " b", ""}}}));
}

TEST(CsvReader, QuoteAfterSpacesOpensAQuotedField) {
  EXPECT_EQ(read_all("1, \"a, b\"\n"), (std::vector<Record>{{1, {"1", "a, b"}}}));
  EXPECT_EQ(read_all("1,a\"b\n"), (std::vector<Record>{{1, {"1", "a\"b"}}})) << "a quote inside a field is a character";
}

TEST(CsvReader, WhitespaceModeSplitsOnRunsOfSpacesAndTabs) {
  const std::string cdnow = " 00004 0001 19970101  2   29.33\n\n 00004 0001 19970118\t2   29.73  \r\n";
  EXPECT_EQ(read_all(cdnow, whitespace()),
            (std::vector<Record>{{1, {"00004", "0001", "19970101", "2", "29.33"}},
                                 {3, {"00004", "0001", "19970118", "2", "29.73"}}}));
  EXPECT_EQ(read_all("a \"New York\" \"\" b\n", whitespace()),
            (std::vector<Record>{{1, {"a", "New York", "", "b"}}}));
}

TEST(CsvReader, LastLineWithoutNewline) {
  EXPECT_EQ(read_all("a,b\n1,2"), (std::vector<Record>{{1, {"a", "b"}}, {2, {"1", "2"}}}));
  EXPECT_TRUE(read_all("").empty());
}

TEST(CsvReader, UnclosedQuoteNamesTheLineWhereItOpened) {
  try {
    read_all("a,b\n1,2\n3,\"never closed\n4,5\n");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("test.csv:3"), std::string::npos) << e.what();
  }
}

TEST(CsvReader, RecordsLongerThanTheBufferSurvive) {
  const std::string long_field(3 << 20, 'x');  // three reader buffers
  const auto records = read_all("a," + long_field + "\nb,c\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].fields[1], long_field);
  EXPECT_EQ(records[1], (Record{2, {"b", "c"}}));
}

}  // namespace
}  // namespace kseg
