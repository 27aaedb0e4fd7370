#include "mock_pim/limits/retry_after.h"

#include "common/http_date.h"
#include "gtest/gtest.h"

namespace pimsim {
namespace {

using pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE;
using pimsim::v1::RETRY_AFTER_FORM_NONE;
using pimsim::v1::RETRY_AFTER_FORM_SECONDS;
using pimsim::v1::RETRY_AFTER_FORM_UNSPECIFIED;

// Sun, 06 Nov 1994 08:49:37 GMT, the RFC 9110 example.
const absl::Time kRfcExample = absl::FromUnixSeconds(784111777);

TEST(RetryAfterTest, SecondsRoundUpWithAMinimumOfOne) {
  EXPECT_EQ(RetryAfterSeconds(absl::ZeroDuration()), 1);
  EXPECT_EQ(RetryAfterSeconds(absl::Seconds(-3)), 1);
  EXPECT_EQ(RetryAfterSeconds(absl::Nanoseconds(1)), 1);
  EXPECT_EQ(RetryAfterSeconds(absl::Milliseconds(10)), 1);
  EXPECT_EQ(RetryAfterSeconds(absl::Seconds(1)), 1);
  EXPECT_EQ(RetryAfterSeconds(absl::Seconds(1) + absl::Nanoseconds(1)), 2);
  EXPECT_EQ(RetryAfterSeconds(absl::Seconds(30)), 30);
  EXPECT_EQ(RetryAfterSeconds(absl::Milliseconds(29500)), 30);
}

TEST(RetryAfterTest, SecondsForm) {
  EXPECT_EQ(RetryAfterHeader(absl::Milliseconds(10), RETRY_AFTER_FORM_SECONDS, kRfcExample),
            "1");
  EXPECT_EQ(RetryAfterHeader(absl::Milliseconds(2500), RETRY_AFTER_FORM_SECONDS, kRfcExample),
            "3");
  EXPECT_EQ(RetryAfterHeader(absl::Seconds(2), RETRY_AFTER_FORM_UNSPECIFIED, kRfcExample), "2");
}

TEST(RetryAfterTest, NoneFormSendsNoHeader) {
  EXPECT_EQ(RetryAfterHeader(absl::Seconds(2), RETRY_AFTER_FORM_NONE, kRfcExample),
            std::nullopt);
  EXPECT_EQ(JournalRetryAfterSeconds(absl::Seconds(2), RETRY_AFTER_FORM_NONE, kRfcExample), -1);
}

TEST(RetryAfterTest, HttpDateFormRoundsUpToTheNextWholeSecond) {
  // Exactly on a second: kept.
  EXPECT_EQ(RetryAfterHeader(absl::Seconds(2), RETRY_AFTER_FORM_HTTP_DATE, kRfcExample),
            "Sun, 06 Nov 1994 08:49:39 GMT");
  // A fraction past: the next second, never earlier than now + wait.
  const absl::Time now = kRfcExample + absl::Milliseconds(300);
  EXPECT_EQ(RetryAfterHeader(absl::Milliseconds(10), RETRY_AFTER_FORM_HTTP_DATE, now),
            "Sun, 06 Nov 1994 08:49:38 GMT");
  EXPECT_EQ(RetryAfterHeader(absl::Milliseconds(1700), RETRY_AFTER_FORM_HTTP_DATE, now),
            "Sun, 06 Nov 1994 08:49:39 GMT");
  EXPECT_EQ(JournalRetryAfterSeconds(absl::Milliseconds(1700), RETRY_AFTER_FORM_HTTP_DATE, now),
            2);  // 1.7 s given, rounded up
  EXPECT_EQ(JournalRetryAfterSeconds(absl::Milliseconds(1700), RETRY_AFTER_FORM_SECONDS, now), 2);
}

TEST(RetryAfterTest, ClientTruncatingTheDateNeverComesBackEarly) {
  for (int ms = 0; ms < 3000; ms += 7) {
    for (int wait_ms : {1, 10, 333, 1000, 1001, 29999}) {
      const absl::Time now = kRfcExample + absl::Milliseconds(ms);
      const absl::Duration wait = absl::Milliseconds(wait_ms);
      const auto header = RetryAfterHeader(wait, RETRY_AFTER_FORM_HTTP_DATE, now);
      ASSERT_TRUE(header.has_value());
      // Exactly the IMF-fixdate a sender must write.
      const auto date = ParseImfFixdate(*header);
      ASSERT_TRUE(date.has_value()) << *header;
      ASSERT_GE(*date, now + wait) << *header;
      ASSERT_LT(*date, now + wait + absl::Seconds(1)) << *header;
      // Delta-seconds too.
      ASSERT_GE(absl::Seconds(RetryAfterSeconds(wait)), wait);
    }
  }
}

}  // namespace
}  // namespace pimsim
