// Scripted client behaviour over real sockets against the mock, judged by the
// checker from the mock's journal: each misbehaviour trips its rule, and a
// well-behaved client trips none.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/barrier.h"
#include "checker/checker.h"
#include "mock_pim/faults/fault_spec.h"
#include "tests/http_test_client.h"
#include "tests/test_server.h"

namespace pimsim::testing {
namespace {

using pimsim::v1::Report;

class ComplianceE2eTest : public ::testing::Test {
 protected:
  void Start(const std::string& instance_extra = "", const std::string& faults = "",
             absl::Duration latency = absl::ZeroDuration()) {
    server_ = std::make_unique<TestServer>(
        "seed: 5 instances { name: 'default' seed { products: 5 } " + instance_extra + " } " + faults +
        FixedLatency(latency));
    token_ = *BearerToken(server_->port());
    if (latency < absl::Milliseconds(100)) Warm();
  }
  // What a client does before the behaviour under test: a dozen requests of
  // its own, none sent twice, which shows the checker that this client does
  // not repeat requests on its own (checker/README.md).
  void Warm() {
    TestClient c(server_->port());
    for (int k = 0; k < 12; ++k) {
      ASSERT_EQ(Get(c, absl::StrCat("/api/rest/v1/locales?warm=", k))->status, 200);
    }
  }
  void AddFault(const std::string& spec) {
    ASSERT_TRUE(server_->pim().faults().AddRule(*ParseFaultSpec(spec)).ok()) << spec;
  }
  absl::StatusOr<TestResponse> Get(TestClient& c, const std::string& path) {
    return c.Call("GET", path, {{"Authorization", token_}});
  }
  // The checker's verdict over everything the mock journaled.
  Report Judge() {
    // Let responses written just now reach the journal.
    absl::SleepFor(absl::Milliseconds(50));
    std::vector<pimsim::v1::JournalEvent> events = server_->pim().journal().Read(0, 10'000'000);
    checker::CheckInput input;
    input.events = &events;
    input.journal_overflowed = server_->pim().journal().overflowed();
    input.limit_changes = server_->pim().journal().LimitChanges();
    std::vector<pimsim::v1::FaultRule> rules = server_->pim().faults().Rules();
    google::protobuf::RepeatedPtrField<pimsim::v1::FaultRule> repeated(rules.begin(), rules.end());
    input.fault_kinds = checker::FaultKindsFromRules(repeated);
    return checker::Check(input);
  }
  static const pimsim::v1::RuleResult& Rule(const Report& r, const std::string& id) {
    for (const auto& rule : r.rules()) {
      if (rule.rule() == id) return rule;
    }
    ADD_FAILURE() << "no rule " << id;
    static pimsim::v1::RuleResult none;
    return none;
  }
  static std::string Summary(const Report& r) {
    std::string out;
    for (const auto& v : r.violations()) absl::StrAppend(&out, v.rule(), ": ", v.message(), "\n");
    return out;
  }
  void ExpectViolated(const Report& r, const std::string& id) {
    EXPECT_EQ(Rule(r, id).outcome(), pimsim::v1::RULE_OUTCOME_VIOLATED) << id << "\n" << Summary(r);
  }

  std::unique_ptr<TestServer> server_;
  std::string token_;
};

TEST_F(ComplianceE2eTest, ImmediateRetriesTripBackoffImmediate) {
  Start("limits { enabled: false }");
  AddFault("status=503,route=get_item,every=2");  // every other attempt fails
  TestClient c(server_->port());
  for (int i = 1; i <= 6; ++i) {
    std::string path = absl::StrCat("/api/rest/v1/products/product_00000", i % 5 + 1, "?n=", i);
    for (int attempt = 0; attempt < 3; ++attempt) {  // retry at once
      absl::StatusOr<TestResponse> r = Get(c, path);
      ASSERT_TRUE(r.ok());
      if (r->status == 200) break;
    }
  }
  Report report = Judge();
  ExpectViolated(report, "backoff.immediate");
  EXPECT_EQ(report.verdict(), pimsim::v1::VERDICT_FAIL);
}

TEST_F(ComplianceE2eTest, ComingBackBeforeRetryAfterTripsRetryAfterIgnored) {
  Start("limits { enabled: false }");
  AddFault("status=429,retry_after=1s,route=get_item,first=1");
  TestClient c(server_->port());
  ASSERT_EQ(Get(c, "/api/rest/v1/products/product_000001")->status, 429);
  absl::SleepFor(absl::Milliseconds(300));
  ASSERT_EQ(Get(c, "/api/rest/v1/products/product_000001")->status, 200);
  Report report = Judge();
  ExpectViolated(report, "retry_after.ignored");
  EXPECT_THAT(Summary(report), ::testing::HasSubstr("Retry-After"));
}

TEST_F(ComplianceE2eTest, LockstepRetriesTripNoJitter) {
  Start("limits { enabled: false }");
  AddFault("status=503,route=get_item,first=6");
  constexpr int kClients = 6;
  absl::Barrier* barrier = new absl::Barrier(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([this, i, barrier] {
      TestClient c(server_->port());
      if (barrier->Block()) delete barrier;
      std::string path = absl::StrCat("/api/rest/v1/products/product_00000", i % 5 + 1, "?c=", i);
      for (int attempt = 0; attempt < 2; ++attempt) {
        absl::StatusOr<TestResponse> r = Get(c, path);
        if (!r.ok() || r->status == 200) break;
        absl::SleepFor(absl::Milliseconds(400));  // the same fixed delay everywhere
      }
    });
  }
  for (auto& t : threads) t.join();
  ExpectViolated(Judge(), "backoff.no_jitter");
}

TEST_F(ComplianceE2eTest, EndlessRetriesTripTooMany) {
  Start("limits { enabled: false }");
  AddFault("status=500,route=get_item");
  TestClient c(server_->port());
  absl::Duration delay = absl::Milliseconds(5);
  for (int attempt = 0; attempt < 12; ++attempt) {
    ASSERT_EQ(Get(c, "/api/rest/v1/products/product_000001")->status, 500);
    absl::SleepFor(delay);
    delay *= 2;
    if (delay > absl::Milliseconds(100)) delay = absl::Milliseconds(100);
  }
  ExpectViolated(Judge(), "retry.too_many");
}

TEST_F(ComplianceE2eTest, RetryingA404TripsNonRetryable) {
  Start("limits { enabled: false }");
  TestClient c(server_->port());
  ASSERT_EQ(Get(c, "/api/rest/v1/products/missing")->status, 404);
  absl::SleepFor(absl::Milliseconds(100));
  ASSERT_EQ(Get(c, "/api/rest/v1/products/missing")->status, 404);
  ExpectViolated(Judge(), "retry.non_retryable");
}

TEST_F(ComplianceE2eTest, BlindPostRetryAfterDisconnectTripsNonIdempotent) {
  Start("limits { enabled: false }");
  AddFault("disconnect=after,close=reset,method=POST,first=1");
  std::string body = R"({"identifier":"blind-1"})";
  {
    TestClient c(server_->port());
    absl::StatusOr<TestResponse> r = c.Call(
        "POST", "/api/rest/v1/products", {{"Authorization", token_}, {"Content-Type", "application/json"}}, body);
    EXPECT_FALSE(r.ok());  // reset: the client cannot tell whether it was applied
  }
  absl::SleepFor(absl::Milliseconds(200));
  TestClient c(server_->port());
  absl::StatusOr<TestResponse> again = c.Call(
      "POST", "/api/rest/v1/products", {{"Authorization", token_}, {"Content-Type", "application/json"}}, body);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 422);  // it had been applied
  ExpectViolated(Judge(), "retry.non_idempotent");
}

TEST_F(ComplianceE2eTest, SixInFlightTripsConcurrencyConnection) {
  Start("", "", absl::Milliseconds(500));
  absl::Barrier* barrier = new absl::Barrier(6);
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([this, barrier] {
      TestClient c(server_->port());
      if (barrier->Block()) delete barrier;
      EXPECT_TRUE(Get(c, "/api/rest/v1/locales").ok());
    });
  }
  for (auto& t : threads) t.join();
  Report report = Judge();
  ExpectViolated(report, "concurrency.connection");
  EXPECT_THAT(Summary(report), ::testing::HasSubstr("limit 4"));
}

TEST_F(ComplianceE2eTest, FloodingTripsRateInstance) {
  Start("limits { max_in_flight_per_connection: 0 max_in_flight_per_instance: 0 }");
  TestClient c(server_->port());
  for (int i = 0; i < 250; ++i) ASSERT_TRUE(Get(c, absl::StrCat("/api/rest/v1/products/product_000001?i=", i)).ok());
  ExpectViolated(Judge(), "rate.instance");
}

// A compliant client: at most 2 in flight, paced well under 100/s, reference
// data fetched once, retries with capped exponential backoff and jitter that
// honour Retry-After, never retrying a 4xx.
TEST_F(ComplianceE2eTest, WellBehavedClientTripsNothing) {
  Start("", "faults { name: 'flaky' trigger { probability: 0.25 } action { status { code: 503 } } "
            "match { route_kinds: ROUTE_KIND_GET_ITEM } }"
            "faults { name: 'busy' trigger { every_nth: 7 } action { status { code: 429 retry_after { nanos: 300000000 } } } "
            "match { route_kinds: ROUTE_KIND_GET_ITEM } }",
        absl::Milliseconds(5));
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([this, w] {
      std::mt19937_64 rng(w + 1);
      TestClient c(server_->port());
      ASSERT_EQ(Get(c, "/api/rest/v1/channels")->status, 200);  // cached from now on
      for (int i = 0; i < 20; ++i) {
        std::string path = absl::StrCat("/api/rest/v1/products/product_00000", i % 5 + 1, "?w=", w, "&i=", i);
        absl::Duration cap = absl::Milliseconds(100);
        for (int attempt = 0; attempt < 6; ++attempt) {
          absl::StatusOr<TestResponse> r = Get(c, path);
          ASSERT_TRUE(r.ok());
          if (r->status < 400 || (r->status >= 400 && r->status < 500 && r->status != 408 && r->status != 429)) break;
          // Equal jitter: half the cap plus a uniform draw over the other half.
          // (Full jitter is compliant too, but on a handful of chains it can
          // draw several near-zero waits; this test must not depend on luck.)
          const int half = static_cast<int>(absl::ToInt64Milliseconds(cap) / 2);
          absl::Duration wait =
              absl::Milliseconds(half + std::uniform_int_distribution<int>(0, half)(rng));
          if (!r->Header("retry-after").empty()) {
            wait = std::max(wait, absl::Seconds(std::stoi(r->Header("retry-after"))) + absl::Milliseconds(20));
          }
          absl::SleepFor(wait);
          cap = std::min(cap * 2, absl::Seconds(2));
        }
        absl::SleepFor(absl::Milliseconds(30));  // pacing: ~30 req/s per worker
      }
    });
  }
  for (auto& t : workers) t.join();
  Report report = Judge();
  EXPECT_EQ(report.verdict(), pimsim::v1::VERDICT_PASS) << Summary(report);
  for (const auto& v : report.violations()) {
    EXPECT_NE(v.severity(), pimsim::v1::SEVERITY_ERROR) << v.rule() << ": " << v.message();
  }
}

// A sync that repeats requests as real ones do: two workers each read every
// product URL twice, four operations apart, and both poll the same list
// page, as independent operations, while the mock fails some reads (503)
// and throttles others (429, Retry-After 1 s). `good` retries with equal
// jitter and honours Retry-After; otherwise it retries at once and comes
// back 30 ms after a 429 whatever Retry-After says.
void RepeatingSync(TestServer& server, const std::string& token, bool good) {
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([&, w] {
      std::mt19937_64 rng(w + 7);
      TestClient c(server.port());
      for (int i = 0; i < 48; ++i) {
        const int block = i / 8, slot = i % 8;
        const std::string path =
            slot == 7 ? "/api/rest/v1/products?limit=2"
                      : absl::StrCat("/api/rest/v1/products/product_00000", (slot % 4) % 5 + 1,
                                     "?w=", w, "&b=", block, "&k=", slot % 4);
        absl::Duration cap = absl::Milliseconds(100);
        for (int attempt = 0; attempt < 5; ++attempt) {
          absl::StatusOr<TestResponse> r = c.Call("GET", path, {{"Authorization", token}});
          ASSERT_TRUE(r.ok());
          if (r->status != 503 && r->status != 429) break;
          absl::Duration wait = absl::Microseconds(200);
          if (good) {
            const int half = static_cast<int>(absl::ToInt64Milliseconds(cap) / 2);
            wait = absl::Milliseconds(half + std::uniform_int_distribution<int>(0, half)(rng));
            if (!r->Header("retry-after").empty()) {
              wait = std::max(wait, absl::Seconds(std::stoi(r->Header("retry-after"))) +
                                        absl::Milliseconds(20));
            }
            cap = std::min(cap * 2, absl::Seconds(2));
          } else if (!r->Header("retry-after").empty()) {
            wait = absl::Milliseconds(30);
          }
          absl::SleepFor(wait);
        }
        absl::SleepFor(absl::Milliseconds(50 + 10 * (i % 3)));
      }
    });
  }
  for (auto& t : workers) t.join();
}

constexpr char kRepeatFaults[] =
    "faults { name: 'flaky' trigger { probability: 0.2 } action { status { code: 503 } } "
    "match { route_kinds: ROUTE_KIND_GET_ITEM route_kinds: ROUTE_KIND_LIST } }"
    "faults { name: 'busy' trigger { every_nth: 9 } action { status { code: 429 retry_after { "
    "seconds: 1 } } } match { route_kinds: ROUTE_KIND_GET_ITEM } }";

TEST_F(ComplianceE2eTest, RepeatingClientThatRetriesWellPasses) {
  Start("", kRepeatFaults, absl::Milliseconds(3));
  RepeatingSync(*server_, token_, /*good=*/true);
  Report report = Judge();
  EXPECT_EQ(report.verdict(), pimsim::v1::VERDICT_PASS) << Summary(report);
  for (const auto& v : report.violations()) {
    EXPECT_NE(v.severity(), pimsim::v1::SEVERITY_ERROR) << v.rule() << ": " << v.message();
  }
  for (const char* rule : {"retry_after.ignored", "retry.non_retryable", "backoff.immediate",
                           "backoff.no_jitter", "retry.too_many"}) {
    EXPECT_NE(Rule(report, rule).outcome(), pimsim::v1::RULE_OUTCOME_VIOLATED) << rule;
  }
}

TEST_F(ComplianceE2eTest, RepeatingClientThatRetriesBadlyFails) {
  Start("", kRepeatFaults, absl::Milliseconds(3));
  RepeatingSync(*server_, token_, /*good=*/false);
  Report report = Judge();
  EXPECT_EQ(report.verdict(), pimsim::v1::VERDICT_FAIL);
  ExpectViolated(report, "backoff.immediate");
  ExpectViolated(report, "retry_after.ignored");
}

}  // namespace
}  // namespace pimsim::testing
