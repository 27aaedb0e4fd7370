// backoff.immediate, backoff.not_growing, backoff.no_jitter on synthetic
// journals: shares and statistics over retry chains, with their boundaries.
#include <vector>

#include "checker/testing/journal_builder.h"
#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

using testing::ChainSpec;
using testing::JournalBuilder;
using testing::RuleOf;
using testing::Summary;
using testing::ViolationsOf;

constexpr char kImmediate[] = "backoff.immediate";
constexpr char kGrowing[] = "backoff.not_growing";
constexpr char kJitter[] = "backoff.no_jitter";

// One chain per entry of `delays`, on its own path, 60 s apart.
pimsim::v1::Report Chains(const std::vector<std::vector<double>>& delays, int64_t retry_after = -1) {
  JournalBuilder j;
  for (size_t c = 0; c < delays.size(); ++c) {
    j.Chain({.path = "/api/rest/v1/products/p" + std::to_string(c),
             .start = 1 + 60.0 * c,
             .delays = delays[c],
             .retry_after = retry_after});
  }
  return j.Check();
}

// `n` chains whose first retry comes after `gap`, then `rest`.
std::vector<std::vector<double>> Same(int n, std::vector<double> delays) {
  return std::vector<std::vector<double>>(n, delays);
}

TEST(BackoffImmediateTest, HalfTheFirstRetriesImmediateFails) {
  std::vector<std::vector<double>> d;
  for (int i = 0; i < 10; ++i) d.push_back({i < 5 ? 0.005 : 0.5});
  const auto r = Chains(d);
  ASSERT_EQ(ViolationsOf(r, kImmediate), 1u) << Summary(r);
  EXPECT_EQ(testing::FirstViolation(r, kImmediate).message(),
            "5 of 10 first retries came sooner than 0.02 s (50%; limit 50%)");
  EXPECT_EQ(RuleOf(r, kImmediate).detail(), "first-retry immediate share 50% (5/10)");
}

TEST(BackoffImmediateTest, UnderHalfImmediatePasses) {
  // Full jitter draws near 0 now and then: a share, not single events.
  std::vector<std::vector<double>> d;
  for (int i = 0; i < 10; ++i) d.push_back({i < 4 ? 0.001 : 0.5});
  EXPECT_EQ(ViolationsOf(Chains(d), kImmediate), 0u);
}

TEST(BackoffImmediateTest, ARetryAtExactlyEpsilonIsNotImmediate) {
  EXPECT_EQ(ViolationsOf(Chains(Same(10, {0.020})), kImmediate), 0u);
  EXPECT_EQ(ViolationsOf(Chains(Same(10, {0.019})), kImmediate), 1u);
}

TEST(BackoffImmediateTest, UndecidedUnderMinChains) {
  const auto r = Chains(Same(4, {0}));
  EXPECT_EQ(RuleOf(r, kImmediate).outcome(), pimsim::v1::RULE_OUTCOME_UNDECIDED);
  EXPECT_EQ(RuleOf(r, kImmediate).detail(),
            "only 4 retry chains whose first failure had no Retry-After (needs 5)");
  EXPECT_EQ(ViolationsOf(Chains(Same(5, {0})), kImmediate), 1u);
}

TEST(BackoffImmediateTest, RetriesDrivenByRetryAfterAreNotScored) {
  const auto r = Chains(Same(10, {2}), /*retry_after=*/2);
  EXPECT_EQ(RuleOf(r, kImmediate).outcome(), pimsim::v1::RULE_OUTCOME_UNDECIDED);
  EXPECT_EQ(RuleOf(r, kGrowing).outcome(), pimsim::v1::RULE_OUTCOME_UNDECIDED);
  EXPECT_EQ(RuleOf(r, kJitter).outcome(), pimsim::v1::RULE_OUTCOME_UNDECIDED);
  EXPECT_NE(RuleOf(r, kJitter).detail().find("10 retries after Retry-After not scored"),
            std::string::npos);
}

TEST(BackoffNotGrowingTest, ConstantDelaysFail) {
  const auto r = Chains(Same(6, {1, 1, 1}));
  ASSERT_EQ(ViolationsOf(r, kGrowing), 1u) << Summary(r);
  EXPECT_EQ(testing::FirstViolation(r, kGrowing).message(),
            "retry delays do not grow: mean delays 1 s, 1 s, 1 s (ratios 1.00, 1.00; need > 1.2)");
  EXPECT_EQ(testing::FirstViolation(r, kGrowing).event_ids_size(), 3);
}

// A client that pauses its whole connection on a 429 (as Akeneo asks) holds
// a retry that was waiting meanwhile: that delay is the 429's, not the
// client's backoff, and is not scored. Here the first retry of each chain
// waits out another request's 429 (2 s), the second is the client's own
// (0.3 to 0.8 s): judged on the held delay, the delays would look shrinking.
TEST(BackoffNotGrowingTest, RetriesHeldByAnotherRequestsThrottleAreNotScored) {
  for (bool throttled : {true, false}) {
    JournalBuilder j;
    for (int c = 0; c < 6; ++c) {
      const double start = 1 + 60.0 * c;
      j.Chain({.path = "/api/rest/v1/products/p" + std::to_string(c),
               .start = start,
               .delays = {2, 0.3 + 0.1 * c}});
      if (throttled) {
        j.Send("GET", "/api/rest/v1/products/other" + std::to_string(c))
            .At(start + 0.5)
            .Status(429)
            .RetryAfter(2);
      }
    }
    const auto r = j.Check();
    EXPECT_EQ(ViolationsOf(r, kGrowing), throttled ? 0u : 1u) << throttled << Summary(r);
    if (throttled) {
      EXPECT_EQ(RuleOf(r, kGrowing).outcome(), pimsim::v1::RULE_OUTCOME_UNDECIDED) << Summary(r);
      EXPECT_EQ(ViolationsOf(r, kJitter), 0u) << Summary(r);
    }
  }
}

TEST(BackoffNotGrowingTest, ExponentialDelaysPass) {
  const auto r = Chains(Same(6, {1, 2, 4}));
  EXPECT_EQ(ViolationsOf(r, kGrowing), 0u) << Summary(r);
  EXPECT_EQ(RuleOf(r, kGrowing).outcome(), pimsim::v1::RULE_OUTCOME_PASSED);
}

TEST(BackoffNotGrowingTest, GrowthRatioBoundary) {
  EXPECT_EQ(ViolationsOf(Chains(Same(6, {1, 1.2})), kGrowing), 1u);
  EXPECT_EQ(ViolationsOf(Chains(Same(6, {1, 1.25})), kGrowing), 0u);
}

TEST(BackoffNotGrowingTest, ImmediateRetriesDoNotGrow) {
  EXPECT_EQ(ViolationsOf(Chains(Same(6, {0.001, 0.001, 0.002})), kGrowing), 1u);
}

TEST(BackoffNotGrowingTest, DelaysAtTheCapAreSkipped) {
  const auto r = Chains(Same(6, {30, 30, 30}));
  EXPECT_EQ(RuleOf(r, kGrowing).outcome(), pimsim::v1::RULE_OUTCOME_UNDECIDED) << Summary(r);
  // Growth then a cap: judged on the growing part.
  EXPECT_EQ(ViolationsOf(Chains(Same(6, {8, 16, 30, 30})), kGrowing), 0u);
}

TEST(BackoffNotGrowingTest, UndecidedUnderMinChains) {
  const auto r = Chains(Same(4, {1, 1, 1}));
  EXPECT_EQ(RuleOf(r, kGrowing).outcome(), pimsim::v1::RULE_OUTCOME_UNDECIDED);
  EXPECT_EQ(RuleOf(r, kGrowing).detail(),
            "only 4 retry chains with 3 or more attempts (needs 5)");
}

// 10 chains whose first retry delays are 1 s -/+ cv (population CV = cv).
pimsim::v1::Report WithCv(double cv) {
  std::vector<std::vector<double>> d;
  for (int i = 0; i < 10; ++i) d.push_back({i % 2 ? 1 + cv : 1 - cv});
  return Chains(d);
}

TEST(BackoffNoJitterTest, LockstepFails) {
  const auto r = WithCv(0.01);
  ASSERT_EQ(ViolationsOf(r, kJitter), 1u) << Summary(r);
  const auto v = testing::FirstViolation(r, kJitter);
  EXPECT_EQ(v.severity(), pimsim::v1::SEVERITY_ERROR);
  EXPECT_EQ(v.message(),
            "retries in lockstep: delays of retry 1 have CV 0.010 over 10 chains (mean 1 s; "
            "violation under 0.02)");
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_FAIL);
}

TEST(BackoffNoJitterTest, WeakJitterIsAWarning) {
  const auto r = WithCv(0.03);
  ASSERT_EQ(ViolationsOf(r, kJitter), 1u) << Summary(r);
  EXPECT_EQ(testing::FirstViolation(r, kJitter).severity(), pimsim::v1::SEVERITY_WARNING);
  EXPECT_EQ(RuleOf(r, kJitter).outcome(), pimsim::v1::RULE_OUTCOME_VIOLATED);
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_PASS);
}

TEST(BackoffNoJitterTest, RealJitterIsClean) {
  const auto r = WithCv(0.5);
  EXPECT_EQ(ViolationsOf(r, kJitter), 0u) << Summary(r);
  EXPECT_EQ(RuleOf(r, kJitter).detail(), "retry 1 delay CV 0.500 over 10 chains (mean 1 s)");
  EXPECT_EQ(ViolationsOf(WithCv(0.15), kJitter), 0u);
  EXPECT_EQ(ViolationsOf(WithCv(0.149), kJitter), 1u);
}

TEST(BackoffNoJitterTest, UndecidedUnderMinChains) {
  std::vector<std::vector<double>> d = Same(4, {1});
  const auto r = Chains(d);
  EXPECT_EQ(RuleOf(r, kJitter).outcome(), pimsim::v1::RULE_OUTCOME_UNDECIDED);
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_PASS);
}

TEST(BackoffNoJitterTest, ClockNoiseOnImmediateRetriesIsNotJitter) {
  std::vector<std::vector<double>> d;
  for (int i = 0; i < 10; ++i) d.push_back({0.0005 + 0.0001 * i});
  EXPECT_EQ(ViolationsOf(Chains(d), kJitter), 1u);
}

TEST(BackoffNoJitterTest, SeverityOverrideAppliesToWeakJitterToo) {
  std::vector<std::vector<double>> d;
  for (int i = 0; i < 10; ++i) d.push_back({i % 2 ? 1.03 : 0.97});
  JournalBuilder j;
  for (size_t c = 0; c < d.size(); ++c) {
    j.Chain({.path = "/p" + std::to_string(c), .start = 1 + 60.0 * c, .delays = d[c]});
  }
  auto* o = j.input().expectations.add_rules();
  o->set_rule(kJitter);
  o->set_severity(pimsim::v1::SEVERITY_ADVICE);
  const auto r = j.Check();
  EXPECT_EQ(testing::FirstViolation(r, kJitter).severity(), pimsim::v1::SEVERITY_ADVICE);
}

}  // namespace
}  // namespace pimsim::checker
