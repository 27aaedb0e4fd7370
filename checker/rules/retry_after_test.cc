// retry_after.ignored on synthetic journals.
#include "checker/testing/journal_builder.h"
#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

using testing::ChainSpec;
using testing::JournalBuilder;
using testing::RuleOf;
using testing::Summary;
using testing::ViolationsOf;

constexpr char kRule[] = "retry_after.ignored";

// A 429 with Retry-After 2 s answered at 1.01 s, retried `gap` later.
pimsim::v1::Report RetryAfter429(double gap, bool http_date = false) {
  JournalBuilder j;
  j.Background();
  j.Chain({.start = 1, .delays = {gap}, .fail_status = 429, .retry_after = 2});
  if (http_date) {
    j.input().limits["main"].set_retry_after(pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE);
  }
  return j.Check();
}

TEST(RetryAfterTest, WaitingExactlyRetryAfterPasses) {
  const auto r = RetryAfter429(2.0);
  EXPECT_EQ(ViolationsOf(r, kRule), 0u) << Summary(r);
  EXPECT_EQ(RuleOf(r, kRule).samples(), 1u);
}

TEST(RetryAfterTest, ToleratesEpsilonOfClockNoise) {
  // D - epsilon + 1 ms passes, D - epsilon - 1 ms fails.
  EXPECT_EQ(ViolationsOf(RetryAfter429(1.981), kRule), 0u);
  EXPECT_EQ(ViolationsOf(RetryAfter429(1.980), kRule), 0u);
  const auto r = RetryAfter429(1.979);
  ASSERT_EQ(ViolationsOf(r, kRule), 1u);
  const auto v = testing::FirstViolation(r, kRule);
  EXPECT_EQ(v.message(),
            "retried after 1.979 s; Retry-After was 2 s (GET /api/rest/v1/products/sku-1)");
  EXPECT_EQ(v.event_ids_size(), 2);
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_FAIL);
}

TEST(RetryAfterTest, ImmediateRetryAfterRetryAfterFails) {
  const auto r = RetryAfter429(0.41);
  ASSERT_EQ(ViolationsOf(r, kRule), 1u);
  EXPECT_EQ(testing::FirstViolation(r, kRule).message(),
            "retried after 0.41 s; Retry-After was 2 s (GET /api/rest/v1/products/sku-1)");
}

TEST(RetryAfterTest, HttpDateFormAllowsOneSecondOfTruncation) {
  EXPECT_EQ(ViolationsOf(RetryAfter429(1.0, true), kRule), 0u);
  EXPECT_EQ(ViolationsOf(RetryAfter429(0.999, true), kRule), 1u);
}

TEST(RetryAfterTest, EveryRetryInTheChainIsJudged) {
  JournalBuilder j;
  j.Background();
  j.Chain({.start = 1, .delays = {3, 0.5, 3}, .fail_status = 503, .retry_after = 3});
  EXPECT_EQ(ViolationsOf(j.Check(), kRule), 1u);
}

TEST(RetryAfterTest, OtherRequestsAfterA429AreNotRetries) {
  JournalBuilder j;
  j.Send("GET", "/api/rest/v1/products/a").At(1).Status(429).RetryAfter(2);
  j.Send("GET", "/api/rest/v1/products/b").At(1.1);
  j.Send("GET", "/api/rest/v1/products/a").Connection("other").At(1.2);
  const auto r = j.Check();
  EXPECT_EQ(ViolationsOf(r, kRule), 0u);
  EXPECT_EQ(RuleOf(r, kRule).samples(), 1u);  // the 429, never retried
  EXPECT_EQ(RuleOf(r, kRule).outcome(), pimsim::v1::RULE_OUTCOME_PASSED);
}

TEST(RetryAfterTest, WithoutBackgroundAnEarlyReturnIsUndecided) {
  // One early return of a client whose repeat habits are unknown (too few
  // requests): it may be a retry or an independent repeat.
  JournalBuilder j;
  j.Chain({.start = 1, .delays = {0.41}, .fail_status = 429, .retry_after = 2});
  const auto r = j.Check();
  EXPECT_EQ(ViolationsOf(r, kRule), 0u);
  EXPECT_EQ(RuleOf(r, kRule).outcome(), pimsim::v1::RULE_OUTCOME_UNDECIDED) << Summary(r);
}

TEST(RetryAfterTest, FailuresWithoutRetryAfterAreNotJudged) {
  JournalBuilder j;
  j.Chain({.start = 1, .delays = {0.001}, .fail_status = 429});
  EXPECT_EQ(RuleOf(j.Check(), kRule).samples(), 0u);
}

}  // namespace
}  // namespace pimsim::checker
