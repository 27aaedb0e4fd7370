// retry.too_many, retry.non_retryable, retry.non_idempotent,
// retry.abandoned and retry.no_budget on synthetic journals.
#include <functional>

#include "checker/testing/journal_builder.h"
#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

using testing::ChainSpec;
using testing::JournalBuilder;
using testing::RuleOf;
using testing::Summary;
using testing::ViolationsOf;

constexpr char kTooMany[] = "retry.too_many";
constexpr char kNonRetryable[] = "retry.non_retryable";
constexpr char kNonIdempotent[] = "retry.non_idempotent";
constexpr char kAbandoned[] = "retry.abandoned";
constexpr char kBudget[] = "retry.no_budget";

TEST(RetryTooManyTest, NineAttemptsPassTenFail) {
  for (int attempts : {9, 10}) {
    JournalBuilder j;
    j.Background();
    j.Chain({.start = 1, .delays = std::vector<double>(attempts - 1, 1.0)});
    const auto r = j.Check();
    EXPECT_EQ(ViolationsOf(r, kTooMany), attempts == 10 ? 1u : 0u) << Summary(r);
    if (attempts == 10) {
      const auto v = testing::FirstViolation(r, kTooMany);
      EXPECT_EQ(v.message(),
                "10 attempts in 9.09 s of GET /api/rest/v1/products/sku-1 (limit 9 attempts, "
                "600 s)");
      EXPECT_EQ(v.event_ids_size(), 10);
    }
  }
}

TEST(RetryTooManyTest, RetryingLongerThanTenMinutesFails) {
  for (double last : {599.97, 600.03}) {  // span = 0.01 + 1 + 0.01 + last - 1
    JournalBuilder j;
    j.Background();
    j.Chain({.start = 1, .delays = {1, last - 1}});
    EXPECT_EQ(ViolationsOf(j.Check(), kTooMany), last > 600 ? 1u : 0u) << last;
  }
}

TEST(RetryTooManyTest, ARepeatAfterSuccessStartsANewChain) {
  JournalBuilder j;
  j.Background();
  double t = j.Chain({.start = 1, .delays = std::vector<double>(5, 1.0)});
  j.Chain({.start = t + 1, .delays = std::vector<double>(5, 1.0)});
  EXPECT_EQ(ViolationsOf(j.Check(), kTooMany), 0u);
}

TEST(RetryNonRetryableTest, RetryingA404WithinAMinuteFails) {
  for (double gap : {59.0, 61.0}) {
    JournalBuilder j;
    j.Background();
    j.Send("GET", "/api/rest/v1/products/gone").At(1).Status(404);
    j.Send("GET", "/api/rest/v1/products/gone").At(1.01 + gap);
    const auto r = j.Check();
    EXPECT_EQ(ViolationsOf(r, kNonRetryable), gap < 60 ? 1u : 0u) << gap;
    if (gap < 60) {
      EXPECT_EQ(testing::FirstViolation(r, kNonRetryable).message(),
                "retried GET /api/rest/v1/products/gone 59 s after a 404");
    }
  }
}

TEST(RetryNonRetryableTest, ResendingARejectedPayloadFails) {
  JournalBuilder j;
  j.Background();
  j.Send("PATCH", "/api/rest/v1/products/a").Body("{bad}").At(1).Status(422);
  j.Send("PATCH", "/api/rest/v1/products/a").Body("{bad}").At(2);
  // A corrected payload is a different request.
  j.Send("PATCH", "/api/rest/v1/products/b").Body("{bad}").At(3).Status(422);
  j.Send("PATCH", "/api/rest/v1/products/b").Body("{good}").At(4);
  EXPECT_EQ(ViolationsOf(j.Check(), kNonRetryable), 1u);
}

TEST(RetryNonRetryableTest, A401IsRetryableAfterANewToken) {
  JournalBuilder j;
  j.Background();
  j.Send("GET", "/api/rest/v1/products/a").Connection("").At(1).Status(401);
  j.Send("POST", "/api/oauth/v1/token").Body("refresh").At(1.1);
  j.Send("GET", "/api/rest/v1/products/a").Connection("").At(1.2);
  EXPECT_EQ(ViolationsOf(j.Check(), kNonRetryable), 0u);

  JournalBuilder blind;
  blind.Background(0, "");
  blind.Send("GET", "/api/rest/v1/products/a").Connection("").At(1).Status(401);
  blind.Send("GET", "/api/rest/v1/products/a").Connection("").At(1.2);
  const auto r = blind.Check();
  ASSERT_EQ(ViolationsOf(r, kNonRetryable), 1u);
  EXPECT_EQ(testing::FirstViolation(r, kNonRetryable).message(),
            "retried GET /api/rest/v1/products/a 0.19 s after a 401 without requesting a new "
            "token");
}

TEST(RetryNonRetryableTest, A413IsRetryableOnlyWithRetryAfter) {
  JournalBuilder j;
  j.Background();
  j.Send("POST", "/api/rest/v1/products").Body("big").At(1).Status(413).RetryAfter(1);
  j.Send("POST", "/api/rest/v1/products").Body("big").At(3);
  j.Send("POST", "/api/rest/v1/products").Body("big2").At(4).Status(413);
  j.Send("POST", "/api/rest/v1/products").Body("big2").At(5);
  EXPECT_EQ(ViolationsOf(j.Check(), kNonRetryable), 1u);
}

TEST(RetryNonRetryableTest, AGetAfterA404IsFineOnceTheClientCreatedTheItem) {
  JournalBuilder j;
  j.Background();
  j.Send("GET", "/api/rest/v1/products/new").At(1).Status(404);
  j.Send("POST", "/api/rest/v1/products").Body("{new}").At(2).Status(201);
  j.Send("GET", "/api/rest/v1/products/new").At(3);
  EXPECT_EQ(ViolationsOf(j.Check(), kNonRetryable), 0u);
}

TEST(RetryNonRetryableTest, TransientStatusesAreRetryable) {
  JournalBuilder j;
  j.Background();
  for (uint32_t s : {408u, 429u, 500u, 503u}) {
    j.Chain({.path = "/p" + std::to_string(s), .start = s * 1.0, .delays = {2}, .fail_status = s});
  }
  const auto r = j.Check();
  EXPECT_EQ(ViolationsOf(r, kNonRetryable), 0u) << Summary(r);
  EXPECT_EQ(RuleOf(r, kNonRetryable).samples(), 0u);
}

// A POST whose first attempt ended as `first` was set up, re-sent 1 s later.
pimsim::v1::Report Resent(const std::function<void(testing::EventSpec&)>& first,
                          const std::string& method = "POST",
                          const std::string& path = "/api/rest/v1/products") {
  JournalBuilder j;
  j.Background();
  first(j.Send(method, path).Body("{\"identifier\":\"a\"}").At(1).Latency(0.05));
  j.Send(method, path).Body("{\"identifier\":\"a\"}").At(2);
  return j.Check();
}

TEST(RetryNonIdempotentTest, ResendingAPostAfterADroppedConnectionFails) {
  const auto r = Resent([](testing::EventSpec& e) { e.Dropped(); });
  ASSERT_EQ(ViolationsOf(r, kNonIdempotent), 1u) << Summary(r);
  EXPECT_EQ(testing::FirstViolation(r, kNonIdempotent).message(),
            "re-sent POST /api/rest/v1/products without Idempotency-Key 0.95 s after a dropped "
            "connection once its body had been read");
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_FAIL);
}

TEST(RetryNonIdempotentTest, AmbiguousFailuresFail) {
  EXPECT_EQ(ViolationsOf(Resent([](testing::EventSpec& e) { e.Status(500); }), kNonIdempotent),
            1u);
  EXPECT_EQ(ViolationsOf(Resent([](testing::EventSpec& e) { e.Status(502); }), kNonIdempotent),
            1u);
  EXPECT_EQ(ViolationsOf(Resent([](testing::EventSpec& e) { e.Status(504); }), kNonIdempotent),
            1u);
  EXPECT_EQ(
      ViolationsOf(Resent([](testing::EventSpec& e) { e.ClientAborted(); }), kNonIdempotent),
      1u);
}

TEST(RetryNonIdempotentTest, FailuresThatSayNothingWasDoneAreFine) {
  EXPECT_EQ(ViolationsOf(Resent([](testing::EventSpec& e) { e.Status(503); }), kNonIdempotent),
            0u);
  EXPECT_EQ(ViolationsOf(Resent([](testing::EventSpec& e) { e.Rejected(); }), kNonIdempotent),
            0u);
  EXPECT_EQ(ViolationsOf(Resent([](testing::EventSpec& e) { e.Status(408); }), kNonIdempotent),
            0u);
  EXPECT_EQ(ViolationsOf(Resent([](testing::EventSpec& e) { e.Dropped().BodyIncomplete(); }),
                         kNonIdempotent),
            0u);
}

TEST(RetryNonIdempotentTest, IdempotentRequestsMayBeResent) {
  EXPECT_EQ(ViolationsOf(Resent([](testing::EventSpec& e) { e.Dropped().IdempotencyKey("k1"); }),
                         kNonIdempotent),
            0u);
  EXPECT_EQ(ViolationsOf(Resent([](testing::EventSpec& e) { e.Dropped(); }, "PATCH",
                                "/api/rest/v1/products/a"),
                         kNonIdempotent),
            0u);
  EXPECT_EQ(ViolationsOf(Resent([](testing::EventSpec& e) { e.Dropped(); }, "POST",
                                "/api/oauth/v1/token"),
                         kNonIdempotent),
            0u);
}

// A client that reads the resource back after the ambiguous failure and
// sends the POST again only when the read-back says it is absent (404) did
// right; a read-back that itself failed told it nothing.
TEST(RetryNonIdempotentTest, AReadBackBeforeTheResendExcusesIt) {
  for (int read_back : {404, 200, 503}) {
    JournalBuilder j;
    j.Background();
    j.Send("POST", "/api/rest/v1/products").Body("{\"identifier\":\"a\"}").At(1).Latency(0.05)
        .Dropped();
    j.Send("GET", "/api/rest/v1/products/a").At(1.5).Status(read_back);
    j.Send("POST", "/api/rest/v1/products").Body("{\"identifier\":\"a\"}").At(2);
    const auto r = j.Check();
    EXPECT_EQ(ViolationsOf(r, kNonIdempotent), read_back == 503 ? 1u : 0u)
        << read_back << Summary(r);
  }
}

TEST(RetryNonIdempotentTest, ATruncatedResponseCountsWhenTheFaultKindIsKnown) {
  for (bool known : {false, true}) {
    JournalBuilder j;
    j.Background();
    j.Send("POST", "/api/rest/v1/products").Body("x").At(1).Status(201).Fault("cut,slow");
    j.Send("POST", "/api/rest/v1/products").Body("x").At(2);
    if (known) j.input().fault_kinds["cut"] = pimsim::v1::FaultAction::kTruncate;
    j.input().fault_kinds["slow"] = pimsim::v1::FaultAction::kLatency;
    EXPECT_EQ(ViolationsOf(j.Check(), kNonIdempotent), known ? 1u : 0u) << known;
  }
}

// Background traffic: one successful GET every 0.5 s over [0, 100 s).
void Background(JournalBuilder& j) {
  for (int i = 0; i < 200; ++i) {
    j.Send("GET", "/api/rest/v1/products/bg" + std::to_string(i)).At(i * 0.5);
  }
}

TEST(RetryAbandonedTest, AnIsolatedFailureNeverRetriedWarns) {
  JournalBuilder j;
  Background(j);
  j.Send("GET", "/api/rest/v1/products/x").At(20.2).Status(503);
  const auto r = j.Check();
  ASSERT_EQ(ViolationsOf(r, kAbandoned), 1u) << Summary(r);
  EXPECT_EQ(testing::FirstViolation(r, kAbandoned).severity(), pimsim::v1::SEVERITY_WARNING);
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_PASS);
}

TEST(RetryAbandonedTest, RetriedWithinTheHorizonPasses) {
  for (double later : {59.0, 61.0}) {
    JournalBuilder j;
    Background(j);
    j.Send("GET", "/api/rest/v1/products/x").At(20.2).Status(503);
    j.Send("GET", "/api/rest/v1/products/x").At(20.21 + later);
    EXPECT_EQ(ViolationsOf(j.Check(), kAbandoned), later < 60 ? 0u : 1u) << later;
  }
  // Retry-After longer than 60 s stretches the horizon.
  JournalBuilder j;
  Background(j);
  j.Send("GET", "/api/rest/v1/products/x").At(20.2).Status(429).RetryAfter(70);
  j.Send("GET", "/api/rest/v1/products/x").At(20.21 + 69);
  EXPECT_EQ(ViolationsOf(j.Check(), kAbandoned), 0u);
}

TEST(RetryAbandonedTest, MoreThanHalfAbandonedWarns) {
  for (int abandoned : {2, 3}) {
    JournalBuilder j;
    Background(j);
    for (int k = 0; k < 4; ++k) {
      const std::string path = "/api/rest/v1/products/f" + std::to_string(k);
      j.Send("GET", path).At(11.2 + 11 * k).Status(503);
      if (k >= abandoned) j.Send("GET", path).At(12.2 + 11 * k);
    }
    const auto r = j.Check();
    EXPECT_EQ(ViolationsOf(r, kAbandoned), abandoned == 3 ? 1u : 0u) << Summary(r);
    EXPECT_EQ(RuleOf(r, kAbandoned).samples(), 4u);
  }
}

TEST(RetryAbandonedTest, FailuresDuringAnOutageAreNotIsolated) {
  JournalBuilder j;
  for (int i = 0; i < 40; ++i) {
    j.Send("GET", "/api/rest/v1/products/o" + std::to_string(i)).At(i * 0.5).Status(503);
  }
  const auto r = j.Check();
  EXPECT_EQ(RuleOf(r, kAbandoned).samples(), 1u);  // only the very first is isolated
}

TEST(RetryAbandonedTest, NotResendingAnAmbiguousPostIsRight) {
  JournalBuilder j;
  Background(j);
  j.Send("POST", "/api/rest/v1/products").Body("x").At(20.2).Dropped();
  const auto r = j.Check();
  EXPECT_EQ(ViolationsOf(r, kAbandoned), 0u);
  EXPECT_EQ(RuleOf(r, kAbandoned).samples(), 0u);
}

TEST(RetryAbandonedTest, ALiveJournalDoesNotJudgeTheLastMinute) {
  JournalBuilder j;
  Background(j);
  j.Send("GET", "/api/rest/v1/products/x").At(80).Status(503);
  j.input().live = true;
  EXPECT_EQ(RuleOf(j.Check(), kAbandoned).samples(), 0u);
  j.input().live = false;
  EXPECT_EQ(ViolationsOf(j.Check(), kAbandoned), 1u);
}

// `clients` requests failing with 503 from t=0 for `outage` seconds, each
// retried every `every` seconds until the outage ends.
void Outage(JournalBuilder& j, int clients, double outage, double every) {
  for (int c = 0; c < clients; ++c) {
    std::vector<double> delays;
    for (double t = every; t < outage; t += every) delays.push_back(every - 0.01);
    j.Chain({.path = "/api/rest/v1/products/c" + std::to_string(c), .start = 0.1 * c,
             .delays = delays});
  }
}

TEST(RetryNoBudgetTest, RetryingAsMuchLateAsEarlyWarns) {
  JournalBuilder j;
  Outage(j, 3, 30, 1);
  j.Background(31);
  const auto r = j.Check();
  ASSERT_EQ(ViolationsOf(r, kBudget), 1u) << Summary(r);
  EXPECT_NE(testing::FirstViolation(r, kBudget).message().find("3 first attempts"),
            std::string::npos);
  EXPECT_EQ(RuleOf(r, kBudget).samples(), 1u);
}

TEST(RetryNoBudgetTest, AShortOutageIsNotJudged) {
  JournalBuilder j;
  Outage(j, 3, 15, 1);
  const auto r = j.Check();
  EXPECT_EQ(ViolationsOf(r, kBudget), 0u);
  EXPECT_EQ(RuleOf(r, kBudget).detail(), "no outage");
}

TEST(RetryNoBudgetTest, AClientWithABudgetPasses) {
  // New work keeps arriving (4 first attempts a second); only the first
  // few failures are retried, then the budget is spent.
  JournalBuilder j;
  for (int i = 0; i < 120; ++i) {
    const std::string path = "/api/rest/v1/products/n" + std::to_string(i);
    j.Send("GET", path).At(i * 0.25).Status(503);
    if (i < 20) j.Send("GET", path).At(i * 0.25 + 0.2).Status(503);
  }
  const auto r = j.Check();
  EXPECT_EQ(RuleOf(r, kBudget).samples(), 1u) << Summary(r);
  EXPECT_EQ(ViolationsOf(r, kBudget), 0u) << Summary(r);
}

}  // namespace
}  // namespace pimsim::checker
