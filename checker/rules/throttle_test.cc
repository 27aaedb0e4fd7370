// throttle.persistent and throttle.ignored on synthetic journals.
#include "checker/testing/journal_builder.h"
#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

using testing::JournalBuilder;
using testing::RuleOf;
using testing::Summary;
using testing::ViolationsOf;

constexpr char kPersistent[] = "throttle.persistent";
constexpr char kIgnored[] = "throttle.ignored";

// 10 requests a second for `seconds`; every `reject_every`-th one gets a
// limiter 429 (or an injected one).
void Traffic(JournalBuilder& j, int seconds, int reject_every, bool injected = false) {
  for (int i = 0; i < seconds * 10; ++i) {
    auto& e = j.Send("GET", "/api/rest/v1/products/t" + std::to_string(i)).At(i * 0.1);
    if (reject_every > 0 && i % reject_every == 0) {
      if (injected) {
        e.Status(429);
      } else {
        e.Rejected();
      }
    }
  }
}

TEST(ThrottlePersistentTest, ThreeWindowsOverTheShareFail) {
  JournalBuilder j;
  Traffic(j, 30, 5);  // 20% rejected in each of 3 windows
  const auto r = j.Check();
  ASSERT_EQ(ViolationsOf(r, kPersistent), 1u) << Summary(r);
  EXPECT_EQ(testing::FirstViolation(r, kPersistent).message(),
            "429 share above 5% for 3 consecutive 10 s windows on connection pimsim (peak 20% "
            "so far)");
}

TEST(ThrottlePersistentTest, TwoWindowsPass) {
  JournalBuilder j;
  Traffic(j, 20, 5);
  EXPECT_EQ(ViolationsOf(j.Check(), kPersistent), 0u);
}

TEST(ThrottlePersistentTest, AShareOfExactlyFivePercentPasses) {
  JournalBuilder j;
  Traffic(j, 60, 20);  // 5 of 100 per window
  EXPECT_EQ(ViolationsOf(j.Check(), kPersistent), 0u);
  JournalBuilder over;
  Traffic(over, 60, 16);  // 6 or 7 of 100 per window
  EXPECT_EQ(ViolationsOf(over.Check(), kPersistent), 1u);
}

TEST(ThrottlePersistentTest, Injected429sAreNotOverUsage) {
  JournalBuilder j;
  Traffic(j, 60, 5, /*injected=*/true);
  EXPECT_EQ(ViolationsOf(j.Check(), kPersistent), 0u);
}

// A client at 10 req/s that gets a 429 (Retry-After 2 s) at 5.0 s and
// sends `after_per_second` requests a second for the next 2 s.
pimsim::v1::Report After429(double after_per_second) {
  JournalBuilder j;
  for (int i = 0; i < 50; ++i) {
    j.Send("GET", "/api/rest/v1/products/b" + std::to_string(i)).At(i * 0.1);
  }
  j.Send("GET", "/api/rest/v1/products/hot").At(4.99).Latency(0.01).Status(429).RetryAfter(2);
  const int n = static_cast<int>(after_per_second * 2);
  for (int i = 0; i < n; ++i) {
    j.Send("GET", "/api/rest/v1/products/a" + std::to_string(i)).At(5.05 + i * 1.9 / n);
  }
  for (int i = 0; i < 20; ++i) {
    j.Send("GET", "/api/rest/v1/products/c" + std::to_string(i)).At(7.05 + i * 0.1);
  }
  return j.Check();
}

TEST(ThrottleIgnoredTest, KeepingTheRateWarns) {
  const auto r = After429(10);
  ASSERT_EQ(ViolationsOf(r, kIgnored), 1u) << Summary(r);
  const auto v = testing::FirstViolation(r, kIgnored);
  EXPECT_EQ(v.severity(), pimsim::v1::SEVERITY_WARNING);
  EXPECT_EQ(v.message(),
            "kept 10.1 req/s for 1.98 s after a 429 on connection pimsim (11.0 req/s in the "
            "second before)");
}

TEST(ThrottleIgnoredTest, SlowingDownPasses) {
  const auto r = After429(0);
  EXPECT_EQ(ViolationsOf(r, kIgnored), 0u) << Summary(r);
  EXPECT_EQ(RuleOf(r, kIgnored).samples(), 1u);
  EXPECT_EQ(ViolationsOf(After429(4), kIgnored), 0u);
}

TEST(ThrottleIgnoredTest, ASlowClientIsNotJudged) {
  JournalBuilder j;
  for (int i = 0; i < 20; ++i) {
    j.Send("GET", "/api/rest/v1/products/s" + std::to_string(i)).At(i * 0.5);
  }
  j.Send("GET", "/api/rest/v1/products/hot").At(5.2).Status(429).RetryAfter(1);
  const auto r = j.Check();
  EXPECT_EQ(RuleOf(r, kIgnored).samples(), 0u);
  EXPECT_EQ(ViolationsOf(r, kIgnored), 0u);
}

}  // namespace
}  // namespace pimsim::checker
