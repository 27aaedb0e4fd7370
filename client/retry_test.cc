#include "client/retry.h"

#include <cmath>

#include "gtest/gtest.h"

namespace pimsim::client {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(RetryTest, OnlyTransientStatusesAreRetried) {
  Policy p;
  for (int s : {408, 429, 500, 502, 503, 504, 599}) EXPECT_TRUE(ShouldRetryStatus(s, p)) << s;
  for (int s : {200, 201, 204, 301, 400, 401, 403, 404, 405, 406, 410, 413, 415, 422}) {
    EXPECT_FALSE(ShouldRetryStatus(s, p)) << s;
  }
  p.retry_4xx = true;
  EXPECT_TRUE(ShouldRetryStatus(422, p));
  EXPECT_FALSE(ShouldRetryStatus(401, p));
}

TEST(RetryAfterTest, DeltaSeconds) {
  EXPECT_EQ(ParseRetryAfter("120", kNow), absl::Seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", kNow), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("86400", kNow), absl::Hours(24));
  // Long waits are kept (the client gives up rather than come back early).
  EXPECT_EQ(ParseRetryAfter("86401", kNow), absl::Seconds(86401));
  EXPECT_EQ(ParseRetryAfter("99999999999999999999", kNow), absl::InfiniteDuration());
}

TEST(RetryAfterTest, HttpDatesInAllThreeForms) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:47 GMT", kNow), absl::Seconds(10));
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:47 GMT", kNow), absl::Seconds(10));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:47 1994", kNow), absl::Seconds(10));
}

TEST(RetryAfterTest, APastDateWaitsNothing) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", kNow), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("Thu, 01 Jan 1970 00:00:00 GMT", kNow), absl::ZeroDuration());
}

TEST(RetryAfterTest, TheServersDateMakesTheWaitLongerNeverShorter) {
  // Our clock is 2 s ahead of the server's: the server's Date says wait 12 s.
  const std::string date = "Sun, 06 Nov 1994 08:49:35 GMT";
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:47 GMT", kNow, &date), absl::Seconds(12));
  const std::string ahead = "Sun, 06 Nov 1994 08:49:45 GMT";
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:47 GMT", kNow, &ahead), absl::Seconds(10));
}

TEST(RetryAfterTest, GarbageIsNoValue) {
  for (const char* bad : {"", "  ", "-5", "1.5", "soon", "120s", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT",
                          "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 UTC",
                          "Sun, 06 Foo 1994 08:49:37 GMT", "Sun 06 Nov 1994", "\xff\xfe"}) {
    EXPECT_EQ(ParseRetryAfter(bad, kNow), std::nullopt) << bad;
  }
}

TEST(BackoffTest, FullJitterIsUniformUnderADoublingCap) {
  Policy p;  // base 0.5 s, cap 30 s
  SplitMix64 rng(42);
  for (int retry = 1; retry <= 9; ++retry) {
    const double cap = std::min(30.0, 0.5 * std::pow(2, retry - 1));
    constexpr int kDraws = 20000;
    double sum = 0, sum2 = 0, lo = 1e9, hi = -1;
    for (int i = 0; i < kDraws; ++i) {
      const double d = absl::ToDoubleSeconds(FullJitterBackoff(p, retry, rng));
      sum += d;
      sum2 += d * d;
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    const double mean = sum / kDraws;
    const double sd = std::sqrt(sum2 / kDraws - mean * mean);
    // Uniform on [0, cap): mean cap/2, standard deviation cap/sqrt(12).
    EXPECT_NEAR(mean, cap / 2, cap * 0.01) << retry;
    EXPECT_NEAR(sd, cap / std::sqrt(12.0), cap * 0.01) << retry;
    EXPECT_GE(lo, 0);
    EXPECT_LT(lo, cap * 0.01);
    EXPECT_LT(hi, cap);
    EXPECT_GT(hi, cap * 0.99);
  }
}

TEST(BackoffTest, PresetsWithoutJitterOrBackoff) {
  SplitMix64 rng(1);
  Policy p;
  p.jitter = false;
  EXPECT_EQ(FullJitterBackoff(p, 1, rng), absl::Milliseconds(500));
  EXPECT_EQ(FullJitterBackoff(p, 3, rng), absl::Seconds(2));
  EXPECT_EQ(FullJitterBackoff(p, 100, rng), absl::Seconds(30));
  p.backoff = false;
  EXPECT_EQ(FullJitterBackoff(p, 3, rng), absl::ZeroDuration());
}

TEST(RetryBudgetTest, SpendsRefillsAndEarnsFromSuccesses) {
  Policy p;
  p.retry_budget_tokens = 3;
  p.retry_budget_success_ratio = 0.5;
  p.retry_budget_refill_per_s = 1;
  absl::Time t = absl::FromUnixSeconds(0);
  RetryBudget b(p, t);
  EXPECT_TRUE(b.TrySpend(t));
  EXPECT_TRUE(b.TrySpend(t));
  EXPECT_TRUE(b.TrySpend(t));
  EXPECT_FALSE(b.TrySpend(t));
  EXPECT_EQ(b.NextToken(t), t + absl::Seconds(1));
  b.OnSuccess();
  b.OnSuccess();  // two successes earn one token
  EXPECT_TRUE(b.TrySpend(t));
  EXPECT_FALSE(b.TrySpend(t));
  t += absl::Milliseconds(500);
  EXPECT_FALSE(b.TrySpend(t));
  t += absl::Milliseconds(500);
  EXPECT_TRUE(b.TrySpend(t));
  t += absl::Hours(1);
  EXPECT_DOUBLE_EQ(b.tokens(t), 3);  // never more than its capacity
  p.retry_budget_tokens = 0;
  RetryBudget off(p, t);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(off.TrySpend(t));
}

}  // namespace
}  // namespace pimsim::client
