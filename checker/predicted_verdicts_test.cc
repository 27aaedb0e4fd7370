// The predicted verdicts of reference/client-behaviour.md section 5,
// reproduced on synthetic journals of the clients' documented retry
// schedules. Scenario: 429s with Retry-After 2 s, injected 503s without
// Retry-After, and resets, some after the body was read.
#include <string>
#include <vector>

#include "checker/testing/journal_builder.h"
#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

using testing::ChainSpec;
using testing::JournalBuilder;
using testing::RuleOf;
using testing::Summary;

constexpr int kClients = 6;

// Server-side timing noise (a few hundred microseconds) so that "identical"
// delays are identical only as far as a real journal would show.
double Noise(int i) { return 0.0001 * ((i * 7) % 5); }

bool Violated(const pimsim::v1::Report& r, const std::string& rule) {
  return RuleOf(r, rule).outcome() == pimsim::v1::RULE_OUTCOME_VIOLATED;
}
bool Passed(const pimsim::v1::Report& r, const std::string& rule) {
  return RuleOf(r, rule).outcome() == pimsim::v1::RULE_OUTCOME_PASSED;
}

// Each client process: one GET failing with 503 `failures` times, retried
// after `schedule[k]` (+ noise); one 429 with Retry-After 2 retried after
// `retry_after_wait`; one POST answered 500 after its body was read,
// retried after `post_retry` (< 0: not retried).
struct Client {
  std::vector<double> schedule;
  double retry_after_wait;
  double post_retry;
  int failures = 3;
};

pimsim::v1::Report RunClients(const Client& c) {
  JournalBuilder j;
  for (int p = 0; p < kClients; ++p) {
    const std::string conn = "proc-" + std::to_string(p);
    const double t0 = 1 + 100.0 * p;
    // Requests of its own that it never repeats: what tells a retry of its
    // from an independent repeat (retry_chains.h).
    j.Background(t0 + 50, conn);
    std::vector<double> delays;
    for (int k = 0; k < c.failures; ++k) delays.push_back(c.schedule[k] + Noise(p + k));
    j.Chain({.path = "/api/rest/v1/products/p" + std::to_string(p), .connection = conn,
             .start = t0, .delays = delays});
    j.Chain({.path = "/api/rest/v1/products?page=" + std::to_string(p), .connection = conn,
             .start = t0 + 30, .delays = {c.retry_after_wait + Noise(p)}, .fail_status = 429,
             .retry_after = 2});
    if (c.post_retry >= 0) {
      j.Chain({.method = "POST", .path = "/api/rest/v1/products", .connection = conn,
               .start = t0 + 40, .delays = {c.post_retry + Noise(p)}, .fail_status = 500,
               .body = "{\"identifier\":\"new-" + std::to_string(p) + "\"}"});
    } else {
      j.Send("POST", "/api/rest/v1/products").Connection(conn).At(t0 + 40).Status(500)
          .Body("{\"identifier\":\"new-" + std::to_string(p) + "\"}");
    }
  }
  return j.Check();
}

TEST(PredictedVerdictsTest, CurlRetry5) {
  // 1, 2, 4, 8, 16 s, no jitter, identical across processes; Retry-After
  // used exactly; any method retried on 500.
  const auto r = RunClients({.schedule = {1, 2, 4, 8, 16}, .retry_after_wait = 2.0, .post_retry = 1});
  EXPECT_TRUE(Violated(r, "backoff.no_jitter")) << Summary(r);
  EXPECT_EQ(testing::FirstViolation(r, "backoff.no_jitter").severity(),
            pimsim::v1::SEVERITY_ERROR);
  EXPECT_TRUE(Violated(r, "retry.non_idempotent")) << Summary(r);
  for (const char* rule : {"retry_after.ignored", "backoff.immediate", "backoff.not_growing",
                           "retry.too_many"}) {
    EXPECT_TRUE(Passed(r, rule)) << rule << Summary(r);
  }
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_FAIL);
}

TEST(PredictedVerdictsTest, AxiosRetryDefaults) {
  // 3 retries at 0 ms; Retry-After honoured (4.2+); POST retried at once
  // after a network error or 5xx... here a 500 after the body was read.
  const auto r = RunClients({.schedule = {0.0005, 0.0004, 0.0006}, .retry_after_wait = 2.0,
                      .post_retry = 0.0005});
  for (const char* rule : {"backoff.immediate", "backoff.not_growing", "backoff.no_jitter",
                           "retry.non_idempotent"}) {
    EXPECT_TRUE(Violated(r, rule)) << rule << Summary(r);
  }
  EXPECT_TRUE(Passed(r, "retry_after.ignored")) << Summary(r);
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_FAIL);
}

TEST(PredictedVerdictsTest, Urllib3BackoffFactorHalf) {
  // Retry(5, backoff_factor=0.5): the first retry waits 0 s, then
  // 0.5 * 2^(n-1): 1, 2, 4 s; no jitter; Retry-After honoured; POST not in
  // allowed_methods, so not retried.
  const auto r = RunClients({.schedule = {0.0003, 1, 2, 4}, .retry_after_wait = 2.0, .post_retry = -1,
                      .failures = 4});
  EXPECT_TRUE(Violated(r, "backoff.immediate")) << Summary(r);
  EXPECT_TRUE(Violated(r, "backoff.no_jitter")) << Summary(r);
  for (const char* rule : {"retry_after.ignored", "backoff.not_growing", "retry.too_many",
                           "retry.non_idempotent"}) {
    EXPECT_TRUE(Passed(r, rule)) << rule << Summary(r);
  }
}

TEST(PredictedVerdictsTest, GotDefaultsHaveWeakJitter) {
  // 2^(n-1) s + U(0, 100 ms): CV about 0.03 at the first retry.
  JournalBuilder j;
  for (int p = 0; p < 10; ++p) {
    const double jitter = 0.1 * ((p * 37) % 10) / 10.0;
    j.Chain({.path = "/api/rest/v1/products/g" + std::to_string(p), .start = 1 + 60.0 * p,
             .delays = {1 + jitter, 2 + jitter}});
  }
  const auto r = j.Check();
  ASSERT_TRUE(Violated(r, "backoff.no_jitter")) << Summary(r);
  EXPECT_EQ(testing::FirstViolation(r, "backoff.no_jitter").severity(),
            pimsim::v1::SEVERITY_WARNING);
  EXPECT_TRUE(Passed(r, "backoff.immediate"));
  EXPECT_TRUE(Passed(r, "backoff.not_growing"));
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_PASS);
}

TEST(PredictedVerdictsTest, EveryRetryingClientHasNoBudgetInASustainedOutage) {
  JournalBuilder j;
  for (int p = 0; p < 4; ++p) {
    std::vector<double> delays = {1, 2, 4, 8, 16};
    j.Chain({.path = "/api/rest/v1/products/o" + std::to_string(p), .start = 0.2 * p,
             .delays = delays, .last_fails = true});
  }
  j.Background(40);
  const auto r = j.Check();
  EXPECT_TRUE(Violated(r, "retry.no_budget")) << Summary(r);
}

}  // namespace
}  // namespace pimsim::checker
