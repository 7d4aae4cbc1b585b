#include <gtest/gtest.h>

#include "io/timestamp_parse.hpp"

namespace kseg {
namespace {

constexpr int64_t kDec9_2011_1250 = 1323435000;  // 2011-12-09T12:50:00Z (calendar.timegm)
constexpr int64_t kDec9_2011 = 1323388800;       // 2011-12-09T00:00:00Z
constexpr int64_t kHour = 3600;

std::optional<int64_t> parse(const char* text, TimestampFormat format = TimestampFormat::automatic) {
  return parse_timestamp(text, format);
}

TEST(TimestampParse, DaysFromCivilAgreesWithPython) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1600, 2, 29), -135081);
  EXPECT_EQ(days_from_civil(1, 1, 1), -719162);
  EXPECT_EQ(days_from_civil(9999, 12, 31), 2932896);
}

TEST(TimestampParse, DateAndTimeWithASpace) {
  EXPECT_EQ(parse("2011-12-09 12:50:00"), kDec9_2011_1250);
  EXPECT_EQ(parse("2011-12-09 12:50"), kDec9_2011_1250);
  EXPECT_EQ(parse("  2011-12-09 12:50:00 "), kDec9_2011_1250) << "surrounding spaces are ignored";
  EXPECT_EQ(parse("2011-12-09 12:50:00", TimestampFormat::iso), kDec9_2011_1250);
}

TEST(TimestampParse, DateOnlyIsMidnightUtc) {
  EXPECT_EQ(parse("2011-12-09"), kDec9_2011);
  EXPECT_EQ(parse("20111209"), kDec9_2011);
  EXPECT_EQ(parse("20111209", TimestampFormat::ymd), kDec9_2011);
}

TEST(TimestampParse, Iso8601WithZoneOrOffset) {
  EXPECT_EQ(parse("2011-12-09T12:50:00Z"), kDec9_2011_1250);
  EXPECT_EQ(parse("2011-12-09T12:50Z"), kDec9_2011_1250);
  EXPECT_EQ(parse("2011-12-09T12:50:00.750Z"), kDec9_2011_1250) << "fractions of a second are dropped";
  EXPECT_EQ(parse("2011-12-09T12:50:00+01:00"), kDec9_2011_1250 - kHour);
  EXPECT_EQ(parse("2011-12-09T12:50:00-05:00"), kDec9_2011_1250 + 5 * kHour);
  EXPECT_EQ(parse("2011-12-09T12:50:00-0530"), kDec9_2011_1250 + 5 * kHour + 30 * 60);
  EXPECT_EQ(parse("2011-12-09 12:50:00+00"), kDec9_2011_1250);
  EXPECT_EQ(parse("2011-12-09T00:30:00+01:00"), kDec9_2011 - 30 * 60) << "an offset can move the date back";
  EXPECT_EQ(parse("2011-12-09 12:50:00 UTC"), kDec9_2011_1250) << "as clickstream exports write it";
  EXPECT_EQ(parse("2011-12-09 12:50:00 utc"), kDec9_2011_1250);
  EXPECT_EQ(parse("2011-12-09 12:50:00 UTX"), std::nullopt);
  EXPECT_EQ(parse("2011-12-09 12:50:00 UTC+01:00"), std::nullopt) << "one zone only";
}

TEST(TimestampParse, UnixSeconds) {
  EXPECT_EQ(parse("1323435000"), kDec9_2011_1250);
  EXPECT_EQ(parse("0", TimestampFormat::unix_seconds), 0);
  EXPECT_EQ(parse("-1"), -1);
  EXPECT_EQ(parse("99999999999999999999", TimestampFormat::unix_seconds), std::nullopt) << "beyond int64";
  EXPECT_EQ(parse("12a", TimestampFormat::unix_seconds), std::nullopt);
}

TEST(TimestampParse, MonthFirstAsInTheUciOnlineRetailExport) {
  EXPECT_EQ(parse("12/9/2011 12:50"), kDec9_2011_1250);
  EXPECT_EQ(parse("12/09/2011 12:50:00"), kDec9_2011_1250);
  EXPECT_EQ(parse("12/9/2011"), kDec9_2011);
  EXPECT_EQ(parse("1/2/2011", TimestampFormat::mdy), 1293926400);  // 2 January
  EXPECT_EQ(parse("2011/12/09 12:50"), kDec9_2011_1250) << "year first is unambiguous";
}

TEST(TimestampParse, TwelveHourClock) {
  EXPECT_EQ(parse("12/9/2011 12:50 PM"), kDec9_2011_1250);
  EXPECT_EQ(parse("12/9/2011 12:50 AM"), kDec9_2011 + 50 * 60);
  EXPECT_EQ(parse("12/9/2011 1:05:07 pm"), kDec9_2011 + 13 * kHour + 5 * 60 + 7);
  EXPECT_EQ(parse("12/9/2011 13:05 PM"), std::nullopt);
}

TEST(TimestampParse, DayFirstOnlyWhenAskedFor) {
  EXPECT_EQ(parse("1/2/2011", TimestampFormat::dmy), 1296518400);  // 1 February
  EXPECT_EQ(parse("9.12.2011 12:50", TimestampFormat::dmy), kDec9_2011_1250);
  EXPECT_EQ(parse("9/12/2011", TimestampFormat::dmy), kDec9_2011);
}

TEST(TimestampParse, LeapDays) {
  EXPECT_EQ(parse("2012-02-29"), 1330473600);
  EXPECT_EQ(parse("2000-02-29 23:59:59"), 951868799) << "2000 is a leap year (divisible by 400)";
  EXPECT_EQ(parse("20120229"), 1330473600);
  EXPECT_EQ(parse("2/29/2012"), 1330473600);
  EXPECT_EQ(parse("2011-02-29"), std::nullopt);
  EXPECT_EQ(parse("1900-02-29"), std::nullopt) << "1900 is not (divisible by 100)";
  EXPECT_EQ(parse("2100-02-29"), std::nullopt);
}

TEST(TimestampParse, The1970Boundary) {
  EXPECT_EQ(parse("1970-01-01"), 0);
  EXPECT_EQ(parse("19700101"), 0);
  EXPECT_EQ(parse("1970-01-01T00:00:01Z"), 1);
  EXPECT_EQ(parse("1969-12-31 23:59:59"), -1);
  EXPECT_EQ(parse("1970-01-01T00:00:00+00:01"), -60);
}

TEST(TimestampParse, InvalidDatesAreRejected) {
  for (const char* bad : {"2011-02-30", "2011-04-31", "2011-13-01", "2011-00-10", "2011-12-00", "20111332",
                          "13/9/2011", "12/32/2011", "2011-12-09 24:00", "2011-12-09 12:60", "2011-12-09 12:50:60",
                          "2011-12-09T12:50:00+25:00", "2011-12-09T12:50:00+01:60", "2011-12-09x", "12/9/11",
                          "garbage", "", "   ", "2011-12", "2011-12-09T", "12/9/2011 12", "12-9/2011",
                          "2011-12-09 12:50 PM"})
    EXPECT_EQ(parse(bad), std::nullopt) << "'" << bad << "' should be refused";
  EXPECT_EQ(parse("2011-12-09", TimestampFormat::ymd), std::nullopt) << "ymd is the compact form only";
  EXPECT_EQ(parse("12/9/2011", TimestampFormat::iso), std::nullopt);
  EXPECT_EQ(parse("9/13/2011", TimestampFormat::dmy), std::nullopt) << "13th month";
}

TEST(TimestampParse, FormatNamesCoverEveryFormat) {
  EXPECT_EQ(timestamp_format_names().at("auto"), TimestampFormat::automatic);
  EXPECT_EQ(timestamp_format_names().at("unix"), TimestampFormat::unix_seconds);
  EXPECT_EQ(timestamp_format_names().size(), 6u);
}

}  // namespace
}  // namespace kseg
