#include "common/http_date.h"

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"

namespace pimsim {
namespace {

// Sun, 06 Nov 1994 08:49:37 GMT, the RFC 9110 example.
const absl::Time kRfcExample = absl::FromUnixSeconds(784111777);

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

TEST(FormatHttpDateTest, FormatsImfFixdate) {
  EXPECT_EQ(FormatHttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(FormatHttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(FormatHttpDate(kRfcExample), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(FormatHttpDate(kRfcExample + absl::Milliseconds(999)),
            "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(FormatHttpDate(Utc(2026, 11, 27, 19, 34, 13)), "Fri, 27 Nov 2026 19:34:13 GMT");
  EXPECT_EQ(FormatHttpDate(Utc(2024, 2, 29, 23, 59, 59)), "Thu, 29 Feb 2024 23:59:59 GMT");
}

TEST(ParseHttpDateTest, AcceptsAllThreeForms) {
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), kRfcExample);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), kRfcExample);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), kRfcExample);
  // Tolerated as a recipient should: surrounding whitespace, doubled spaces.
  EXPECT_EQ(ParseHttpDate("  Sun,  06 Nov 1994 08:49:37 GMT \t"), kRfcExample);
  // RFC 850's two-digit years: below 70 is this century.
  EXPECT_EQ(ParseHttpDate("Tuesday, 01-Dec-26 00:00:00 GMT"), Utc(2026, 12, 1, 0, 0, 0));
}

TEST(ParseHttpDateTest, RefusesWhatIsNoDate) {
  for (const char* bad :
       {"", "2", "soon", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:60:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT", "Sun 06 Nov 1994", "Sun, 06 Nov 1994 08:49:37 GMT x",
        "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun Nov 6 08:49:37 94", "\xff\xfe"}) {
    EXPECT_EQ(ParseHttpDate(bad), std::nullopt) << bad;
  }
}

TEST(ParseImfFixdateTest, OnlyTheFormASenderWrites) {
  EXPECT_EQ(ParseImfFixdate("Sun, 06 Nov 1994 08:49:37 GMT"), kRfcExample);
  EXPECT_FALSE(ParseImfFixdate("Sunday, 06-Nov-94 08:49:37 GMT").has_value());
  EXPECT_FALSE(ParseImfFixdate("Sun Nov  6 08:49:37 1994").has_value());
  EXPECT_FALSE(ParseImfFixdate("2").has_value());
  // The weekday must be the date's, and no space may be added.
  EXPECT_FALSE(ParseImfFixdate("Mon, 06 Nov 1994 08:49:37 GMT").has_value());
  EXPECT_FALSE(ParseImfFixdate(" Sun, 06 Nov 1994 08:49:37 GMT").has_value());
  EXPECT_FALSE(ParseImfFixdate("Sun,  06 Nov 1994 08:49:37 GMT").has_value());
}

TEST(HttpDateTest, EverySecondOfAYearRoundTrips) {
  // A year's worth of instants, one every 997 s (a prime, so every hour,
  // minute and weekday is hit), including a leap day.
  for (int64_t t = 1'709'251'200 - 86'400 * 200; t < 1'709'251'200 + 86'400 * 200; t += 997) {
    const std::string text = FormatHttpDate(t);
    ASSERT_EQ(ParseImfFixdate(text), absl::FromUnixSeconds(t)) << text;
    ASSERT_EQ(ParseHttpDate(text), absl::FromUnixSeconds(t)) << text;
  }
}

}  // namespace
}  // namespace pimsim
