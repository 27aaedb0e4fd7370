// Check(): verdicts, rule results, overrides, violation listing, and a
// compliant client's journal that must pass without a single violation.
#include "checker/checker.h"

#include <algorithm>
#include <cstdint>
#include <queue>
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

TEST(CheckTest, AnEmptyJournalPassesWithEveryRuleListed) {
  CheckInput in;
  const pimsim::v1::Report r = Check(in);
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_PASS);
  ASSERT_EQ(r.rules_size(), static_cast<int>(Catalogue().size()));
  for (int i = 0; i < r.rules_size(); ++i) {
    EXPECT_EQ(r.rules(i).rule(), Catalogue()[i].id);
    EXPECT_NE(r.rules(i).outcome(), pimsim::v1::RULE_OUTCOME_UNSPECIFIED);
    EXPECT_NE(r.rules(i).outcome(), pimsim::v1::RULE_OUTCOME_VIOLATED);
  }
  EXPECT_EQ(r.metrics().requests(), 0u);
}

TEST(CheckTest, RunErrorsMakeTheVerdictError) {
  CheckInput in;
  in.run_errors = {"mock died"};
  const pimsim::v1::Report r = Check(in);
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_ERROR);
  ASSERT_EQ(r.errors_size(), 1);
  EXPECT_EQ(r.errors(0), "mock died");
}

TEST(CheckTest, AnOverflowedJournalFailsClosed) {
  JournalBuilder j;
  j.Send("GET", "/api/rest/v1/products/a").At(1);
  j.input().journal_overflowed = 12;
  const pimsim::v1::Report r = j.Check();
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_ERROR);
  EXPECT_EQ(r.journal_overflowed(), 12u);
  ASSERT_EQ(r.errors_size(), 1);
  EXPECT_NE(r.errors(0).find("12 events were lost"), std::string::npos);
}

TEST(CheckTest, InvalidExpectationsAreAnError) {
  CheckInput in;
  in.expectations.add_rules()->set_rule("no.such_rule");
  const pimsim::v1::Report r = Check(in);
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_ERROR);
  EXPECT_EQ(r.errors(0), "invalid expectations: rules[0].rule: unknown rule id \"no.such_rule\"");
}

// Five requests in flight on one connection: a concurrency.connection error.
void FiveInFlight(JournalBuilder& j) {
  for (int i = 0; i < 5; ++i) {
    j.Send("GET", "/api/rest/v1/products/" + std::to_string(i)).At(1 + i * 0.001).Latency(1);
  }
}

TEST(CheckTest, AnErrorViolationFails) {
  JournalBuilder j;
  FiveInFlight(j);
  const pimsim::v1::Report r = j.Check();
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_FAIL);
  EXPECT_EQ(r.violations_size(), 1);
  EXPECT_EQ(r.scenario(), "");
  EXPECT_EQ(r.events(), 5u);
}

TEST(CheckTest, SeverityOverridesAndDisabledRules) {
  JournalBuilder j;
  FiveInFlight(j);
  auto* o = j.input().expectations.add_rules();
  o->set_rule("concurrency.connection");
  o->set_severity(pimsim::v1::SEVERITY_WARNING);
  pimsim::v1::Report r = j.Check();
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_PASS);
  EXPECT_EQ(RuleOf(r, "concurrency.connection").severity(), pimsim::v1::SEVERITY_WARNING);
  EXPECT_EQ(r.violations(0).severity(), pimsim::v1::SEVERITY_WARNING);

  o->set_enabled(false);
  r = j.Check();
  EXPECT_EQ(RuleOf(r, "concurrency.connection").outcome(), pimsim::v1::RULE_OUTCOME_DISABLED);
  EXPECT_EQ(r.violations_size(), 0);
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_PASS);
}

TEST(CheckTest, ListsAtMostFiftyViolationsPerRuleAndCountsTheRest) {
  JournalBuilder j;
  for (int i = 0; i < 60; ++i) {
    const std::string path = "/api/rest/v1/products/" + std::to_string(i);
    j.Send("GET", path).At(100 - i).Status(404);
    j.Send("GET", path).At(100.5 - i);
  }
  const pimsim::v1::Report r = j.Check();
  EXPECT_EQ(ViolationsOf(r, "retry.non_retryable"), 60u);
  EXPECT_EQ(r.violations_size(), 50);
  EXPECT_EQ(r.violations_dropped(), 10u);
  for (int i = 1; i < r.violations_size(); ++i) {
    EXPECT_LE(r.violations(i - 1).time_us(), r.violations(i).time_us());
  }
  uint64_t on_timeline = 0;
  for (const auto& b : r.metrics().timeline()) on_timeline += b.violations();
  EXPECT_EQ(on_timeline, 60u);
}

TEST(CheckTest, ThresholdsComeFromTheExpectations) {
  JournalBuilder j;
  j.Background();
  j.Chain({.start = 1, .delays = {1.5}, .fail_status = 429, .retry_after = 2});
  j.thresholds().mutable_epsilon()->set_nanos(600'000'000);
  EXPECT_EQ(ViolationsOf(j.Check(), "retry_after.ignored"), 0u);
  j.thresholds().mutable_epsilon()->set_nanos(400'000'000);
  EXPECT_EQ(ViolationsOf(j.Check(), "retry_after.ignored"), 1u);
}

// A small deterministic generator (tests must replay).
class Lcg {
 public:
  explicit Lcg(uint64_t seed) : s_(seed) {}
  double Uniform() {  // [0, 1)
    s_ = s_ * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s_ >> 11) / 9007199254740992.0;
  }

 private:
  uint64_t s_;
};

// A compliant client, simulated: 2 connections of 4 workers (<= 4 in flight
// per connection, 8 per instance), ~85 req/s, one token per connection,
// reference data read once and cached, writes batched. Injected 503s (some
// failing 2 or 3 times) are retried with exponential backoff and full
// jitter, U(0, 0.5 s * 2^(k-1)); injected 429s with Retry-After 1 s pause
// the whole connection for 1 s and are retried after 1 s plus jitter.
std::vector<pimsim::v1::JournalEvent> CompliantJournal() {
  JournalBuilder j;
  Lcg rng(42);
  const std::vector<std::string> connections = {"erp", "shop"};
  std::vector<double> paused_until(2, 0);
  for (int c = 0; c < 2; ++c) {
    j.Send("POST", "/api/oauth/v1/token").Connection(connections[c]).Body("grant " +
                                                                          connections[c]).At(0.01 * c);
    int k = 0;
    for (const char* ref : {"/api/rest/v1/channels", "/api/rest/v1/locales",
                            "/api/rest/v1/families?limit=100"}) {
      j.Send("GET", ref).Connection(connections[c]).At(0.1 + 0.05 * k++ + 0.01 * c);
    }
  }
  struct Worker {
    double ready;
    int connection;
  };
  auto later = [](const Worker& a, const Worker& b) { return a.ready > b.ready; };
  std::priority_queue<Worker, std::vector<Worker>, decltype(later)> workers(later);
  for (int w = 0; w < 8; ++w) workers.push({0.5 + 0.01 * w, w % 2});
  int request = 0;
  while (!workers.empty()) {
    Worker w = workers.top();
    workers.pop();
    if (w.ready < paused_until[w.connection]) {
      w.ready = paused_until[w.connection] + 0.001 * rng.Uniform();
      workers.push(w);
      continue;
    }
    if (w.ready > 60) continue;
    const int id = request++;
    const bool batch = id % 10 == 0;
    const std::string path =
        batch ? "/api/rest/v1/products" : "/api/rest/v1/products/sku-" + std::to_string(id);
    const std::string method = batch ? "PATCH" : "GET";
    const std::string body = batch ? "lines " + std::to_string(id) : "";
    // Failures before the success: 503 x1/x2/x3 or one 429.
    int failures = 0;
    bool throttled = false;
    if (id % 97 == 5) failures = 1 + (id / 97) % 3;
    if (id % 311 == 7) throttled = true, failures = 1;
    double t = w.ready;
    for (int attempt = 0; attempt <= failures; ++attempt) {
      const double latency = 0.03 + 0.03 * rng.Uniform();
      auto& e = j.Send(method, path).Connection(connections[w.connection]).At(t).Latency(latency);
      if (!body.empty()) e.Body(body);
      const double response = t + latency;
      if (attempt == failures) {
        t = response;
        break;
      }
      if (throttled) {
        e.Status(429).RetryAfter(1).Fault("forced-429");
        paused_until[w.connection] = std::max(paused_until[w.connection], response + 1.0);
        t = response + 1.0 + 0.2 * rng.Uniform();
      } else {
        e.Status(503).Fault("flaky");
        t = response + 0.5 * (1 << attempt) * rng.Uniform();
      }
    }
    workers.push({t + 0.05, w.connection});
  }
  return j.Build();
}

TEST(CheckTest, ACompliantClientPassesWithoutASingleViolation) {
  const std::vector<pimsim::v1::JournalEvent> events = CompliantJournal();
  ASSERT_GT(events.size(), 4000u);
  CheckInput in;
  in.events = &events;
  const pimsim::v1::Report r = Check(in);
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_PASS);
  EXPECT_EQ(r.violations_size(), 0) << Summary(r);
  // The statistical rules had enough chains to decide.
  for (const char* rule : {"backoff.immediate", "backoff.not_growing", "backoff.no_jitter"}) {
    EXPECT_EQ(RuleOf(r, rule).outcome(), pimsim::v1::RULE_OUTCOME_PASSED) << rule << Summary(r);
  }
  EXPECT_EQ(RuleOf(r, "retry_after.ignored").outcome(), pimsim::v1::RULE_OUTCOME_PASSED);
  EXPECT_GT(RuleOf(r, "retry_after.ignored").samples(), 5u);
  EXPECT_LE(r.metrics().max_in_flight_connection().at("erp"), 4u);
  EXPECT_GT(r.metrics().retries(), 40u);
}

TEST(CheckTest, TheCompliantClientFailsOnceItBreaksARule) {
  std::vector<pimsim::v1::JournalEvent> events = CompliantJournal();
  // Every 429 retried at once.
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].status() != 429) continue;
    for (size_t k = i + 1; k < events.size(); ++k) {
      if (events[k].normalized_path() == events[i].normalized_path() &&
          events[k].connection() == events[i].connection()) {
        const int64_t d = events[k].response_us() - events[k].arrival_us();
        events[k].set_arrival_us(events[i].response_us() + 100'000);
        events[k].set_body_complete_us(events[k].arrival_us());
        events[k].set_response_us(events[k].arrival_us() + d);
        break;
      }
    }
  }
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return a.arrival_us() < b.arrival_us();
  });
  CheckInput in;
  in.events = &events;
  const pimsim::v1::Report r = Check(in);
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_FAIL);
  EXPECT_GT(ViolationsOf(r, "retry_after.ignored"), 5u) << Summary(r);
}

}  // namespace
}  // namespace pimsim::checker
