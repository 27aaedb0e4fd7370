// The client core in simulated time, against FakePim: exact pacing, the
// in-flight limits, token reuse/refresh/single-flight, 429 pauses, retries
// and their bounds, read-back of ambiguous creates, batches with per-line
// retries, pagination and the reference-data cache.
#include "client/akeneo_client.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/batch_upserter.h"
#include "client/pager.h"
#include "common/scheduler.h"
#include "client/testing/fake_pim.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace pimsim::client {
namespace {

using testing::FakePim;

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

Credentials Cred(int i) {
  return Credentials{FakePim::kBaseUrl, absl::StrCat("client-", i), "secret",
                     absl::StrCat("user-", i), "password"};
}

struct World {
  explicit World(Policy policy = Policy{}, int connections = 1,
                 absl::Duration latency = absl::Milliseconds(50))
      : scheduler(kStart), pim(scheduler, latency) {
    std::vector<Credentials> creds;
    for (int i = 0; i < connections; ++i) creds.push_back(Cred(i));
    client = std::make_unique<AkeneoClient>(scheduler, pim, policy, creds, /*seed=*/7);
  }
  // Sends and runs to the end; returns the outcome.
  Outcome Do(const std::string& method, const std::string& target, const std::string& body = "") {
    Call c;
    c.method = method;
    c.target = target;
    c.body = body;
    Outcome out;
    bool done = false;
    client->Send(c, [&](const Outcome& o) {
      out = o;
      done = true;
    });
    scheduler.RunUntilIdle();
    EXPECT_TRUE(done);
    return out;
  }
  VirtualScheduler scheduler;
  FakePim pim;
  std::unique_ptr<AkeneoClient> client;
};

Policy Unpaced() {
  Policy p;
  p.instance_rate = 0;
  return p;
}

TEST(AkeneoClientTest, PacesRequestsAtTheRateLessTheMargin) {
  World w;
  w.pim.set_latency(absl::Milliseconds(1));
  int done = 0;
  for (int i = 0; i < 30; ++i) {
    Call c;
    c.target = absl::StrCat("/api/rest/v1/products/p", i);
    w.client->Send(c, [&](const Outcome&) { ++done; });
  }
  w.scheduler.RunUntilIdle();
  EXPECT_EQ(done, 30);
  const auto& log = w.pim.log();
  ASSERT_EQ(log.size(), 31u);  // the token, then the calls
  const absl::Duration gap = absl::Seconds(1.0 / 98);
  for (size_t i = 1; i < log.size(); ++i) {
    EXPECT_EQ(log[i].sent - log[i - 1].sent, gap) << i;
  }
  EXPECT_EQ(log[0].sent, kStart);
}

TEST(AkeneoClientTest, AttributeOptionWritesArePacedUnderThreePerSecond) {
  World w;
  w.pim.set_latency(absl::Milliseconds(1));
  for (int i = 0; i < 6; ++i) {
    Call c;
    c.method = "PATCH";
    c.target = absl::StrCat("/api/rest/v1/attributes/color/options/o", i);
    c.body = "{}";
    w.client->Send(c, [](const Outcome&) {});
  }
  w.scheduler.RunUntilIdle();
  const auto writes = w.pim.Requests("PATCH", "/api/rest/v1/attributes/color/options/");
  ASSERT_EQ(writes.size(), 6u);
  for (size_t i = 1; i < writes.size(); ++i) {
    EXPECT_EQ(writes[i].sent - writes[i - 1].sent, absl::Seconds(1.0 / (3 * 0.98))) << i;
  }
}

// Per-connection peaks from the fake's log (requests overlapping in time).
std::map<std::string, int> PeakInFlight(const std::vector<FakePim::Sent>& log, int* instance) {
  std::map<std::string, int> peak;
  *instance = 0;
  for (const FakePim::Sent& s : log) {
    std::map<std::string, int> now;
    int all = 0;
    for (const FakePim::Sent& o : log) {
      if (o.sent <= s.sent && o.answered > s.sent) {
        ++now[o.authorization];
        ++all;
      }
    }
    for (const auto& [k, v] : now) peak[k] = std::max(peak[k], v);
    *instance = std::max(*instance, all);
  }
  return peak;
}

TEST(AkeneoClientTest, AtMostFourPerConnectionAndTenPerInstance) {
  World w(Unpaced(), /*connections=*/3, absl::Milliseconds(200));
  int done = 0;
  for (int i = 0; i < 120; ++i) {
    Call c;
    c.target = absl::StrCat("/api/rest/v1/products/p", i);
    w.client->Send(c, [&](const Outcome&) { ++done; });
  }
  w.scheduler.RunUntilIdle();
  EXPECT_EQ(done, 120);
  int instance = 0;
  for (const auto& [auth, peak] : PeakInFlight(w.pim.log(), &instance)) {
    EXPECT_LE(peak, 4) << auth;
  }
  EXPECT_EQ(instance, 10);
  EXPECT_EQ(w.pim.tokens_issued(), 3);  // one token per connection, reused
}

TEST(AkeneoClientTest, ConcurrentUnauthorizedCallsShareOneNewToken) {
  World w(Unpaced(), 1, absl::Milliseconds(100));
  w.Do("GET", "/api/rest/v1/products/warm-up");
  ASSERT_EQ(w.pim.tokens_issued(), 1);
  w.pim.RevokeTokens();
  int ok = 0;
  for (int i = 0; i < 4; ++i) {
    Call c;
    c.target = absl::StrCat("/api/rest/v1/channels?page=", i);
    c.target = absl::StrCat("/api/rest/v1/products/p", i);
    w.client->Send(c, [&](const Outcome& o) { ok += o.status == 404; });
  }
  w.scheduler.RunUntilIdle();
  EXPECT_EQ(ok, 4);  // each answered (404: no such product) with the new token
  EXPECT_EQ(w.pim.tokens_issued(), 2);
  EXPECT_EQ(w.pim.Requests("POST", "/api/oauth/v1/token").size(), 2u);
}

TEST(AkeneoClientTest, RefreshesTheTokenBeforeItExpires) {
  World w(Unpaced());
  w.pim.set_token_lifetime(absl::Seconds(120));
  for (int i = 0; i < 10; ++i) {
    w.scheduler.RunAt(kStart + absl::Seconds(30 * i), [&w, i] {
      Call c;
      c.target = absl::StrCat("/api/rest/v1/products/p", i);
      w.client->Send(c, [](const Outcome&) {});
    });
  }
  w.scheduler.RunUntilIdle();
  for (const FakePim::Sent& s : w.pim.log()) EXPECT_NE(s.status, 401) << s.path;
  const auto tokens = w.pim.Requests("POST", "/api/oauth/v1/token");
  ASSERT_GE(tokens.size(), 3u);
  EXPECT_NE(tokens[1].body.find("refresh_token"), std::string::npos);
}

TEST(AkeneoClientTest, ATransientTokenFailureIsRetried) {
  World w(Unpaced(), 2, absl::Milliseconds(10));
  w.pim.SetFault([](const HttpRequest& r, uint64_t n) -> std::optional<FakePim::Fault> {
    if (n == 0) return FakePim::Fault::Status(503);
    if (n == 1) return FakePim::Fault::Drop(false);
    return std::nullopt;
  });
  int answered = 0;
  for (int i = 0; i < 8; ++i) {
    Call c;
    c.target = absl::StrCat("/api/rest/v1/products/p", i);
    w.client->Send(c, [&](const Outcome& o) { answered += o.status == 404; });
  }
  w.scheduler.RunUntilIdle();
  EXPECT_EQ(answered, 8);
  EXPECT_EQ(w.pim.tokens_issued(), 2);
  EXPECT_EQ(w.client->stats().token_requests, 4u);
}

TEST(AkeneoClientTest, RefusedCredentialsFailEveryCallOfTheConnection) {
  World w(Unpaced(), 1, absl::Milliseconds(10));
  w.pim.SetFault([](const HttpRequest& r, uint64_t n) -> std::optional<FakePim::Fault> {
    if (r.url.find("/oauth/") != std::string::npos) return FakePim::Fault::Status(422);
    return std::nullopt;
  });
  std::vector<Outcome> out;
  for (int i = 0; i < 3; ++i) {
    Call c;
    c.target = absl::StrCat("/api/rest/v1/products/p", i);
    w.client->Send(c, [&](const Outcome& o) { out.push_back(o); });
  }
  w.scheduler.RunUntilIdle();
  ASSERT_EQ(out.size(), 3u);
  for (const Outcome& o : out) {
    EXPECT_EQ(o.status, 422);
    EXPECT_NE(o.message.find("token request"), std::string::npos) << o.message;
  }
  EXPECT_EQ(w.pim.log().size(), 1u);  // one token request, never retried
  EXPECT_TRUE(w.client->idle());
}

TEST(AkeneoClientTest, A429PausesTheWholeConnectionUntilRetryAfter) {
  World w(Unpaced(), 1, absl::Milliseconds(10));
  w.pim.SetFault([](const HttpRequest& r, uint64_t n) -> std::optional<FakePim::Fault> {
    if (n == 1) return FakePim::Fault::Throttle("3");
    return std::nullopt;
  });
  for (int i = 0; i < 3; ++i) {
    Call c;
    c.target = absl::StrCat("/api/rest/v1/products/p", i);
    w.client->Send(c, [](const Outcome&) {});
  }
  w.scheduler.RunUntilIdle();
  const auto& log = w.pim.log();
  // token, p0 (429), p1, p2 in flight together; then nothing for 3 s.
  ASSERT_EQ(log[1].status, 429);
  ASSERT_GE(log.size(), 5u);
  EXPECT_GE(log[4].sent - log[1].answered, absl::Seconds(3));
  EXPECT_EQ(w.client->stats().throttled, 1u);
}

TEST(AkeneoClientTest, ARetryAfterPastTheTimeLimitGivesUpRatherThanComeBackEarly) {
  World w(Unpaced(), 1, absl::Milliseconds(10));
  w.pim.SetFault([](const HttpRequest& r, uint64_t n) -> std::optional<FakePim::Fault> {
    if (n == 1) return FakePim::Fault::Throttle("3600");
    return std::nullopt;
  });
  const Outcome o = w.Do("GET", "/api/rest/v1/products/x");
  EXPECT_TRUE(o.gave_up);
  EXPECT_EQ(o.status, 429);
  EXPECT_EQ(w.pim.Requests("GET", "/api/rest/v1/products/x").size(), 1u);
}

TEST(AkeneoClientTest, ATokenRequestHonoursRetryAfter) {
  World w(Unpaced(), 1, absl::Milliseconds(10));
  w.pim.SetFault([](const HttpRequest& r, uint64_t n) -> std::optional<FakePim::Fault> {
    if (n == 0) {
      FakePim::Fault f = FakePim::Fault::Status(503);
      f.headers.emplace_back("retry-after", "7");
      return f;
    }
    return std::nullopt;
  });
  EXPECT_EQ(w.Do("GET", "/api/rest/v1/products/x").status, 404);
  const auto tokens = w.pim.Requests("POST", "/api/oauth/v1/token");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_GE(tokens[1].sent - tokens[0].answered, absl::Seconds(7));
}

TEST(AkeneoClientTest, AShortLivedTokenIsStillUsedAndRefreshed) {
  World w(Unpaced(), 1, absl::Milliseconds(10));
  w.pim.set_token_lifetime(absl::Seconds(2));
  int ok = 0;
  for (int i = 0; i < 5; ++i) {
    w.scheduler.RunAt(kStart + absl::Seconds(i), [&w, &ok, i] {
      Call c;
      c.target = absl::StrCat("/api/rest/v1/products/p", i);
      w.client->Send(c, [&ok](const Outcome& o) { ok += o.status == 404; });
    });
  }
  w.scheduler.RunUntilIdle();
  EXPECT_EQ(ok, 5);
  for (const FakePim::Sent& s : w.pim.log()) EXPECT_NE(s.status, 401) << s.path;
  EXPECT_LE(w.pim.tokens_issued(), 5);
}

TEST(AkeneoClientTest, CallsAvoidAConnectionWhoseCredentialsWereRefused) {
  World w(Unpaced(), 2, absl::Milliseconds(10));
  w.pim.SetFault([](const HttpRequest& r, uint64_t n) -> std::optional<FakePim::Fault> {
    if (n == 0) return FakePim::Fault::Status(422);  // connection 0's token request
    return std::nullopt;
  });
  w.Do("GET", "/api/rest/v1/products/first");  // fails: connection 0 is refused
  int ok = 0;
  for (int i = 0; i < 10; ++i) {
    Call c;
    c.target = absl::StrCat("/api/rest/v1/products/p", i);
    w.client->Send(c, [&ok](const Outcome& o) { ok += o.status == 404; });
  }
  w.scheduler.RunUntilIdle();
  EXPECT_EQ(ok, 10);
}

TEST(AkeneoClientTest, RetriesTransientFailuresWithGrowingJitteredBackoff) {
  World w(Unpaced(), 1, absl::Milliseconds(10));
  w.pim.SetFault([](const HttpRequest& r, uint64_t n) -> std::optional<FakePim::Fault> {
    if (n >= 1 && n <= 4) return FakePim::Fault::Status(n % 2 ? 503 : 500);
    return std::nullopt;
  });
  const Outcome o = w.Do("GET", "/api/rest/v1/products/x");
  EXPECT_EQ(o.status, 404);
  EXPECT_EQ(o.attempts, 5);
  const auto tries = w.pim.Requests("GET", "/api/rest/v1/products/x");
  ASSERT_EQ(tries.size(), 5u);
  for (size_t i = 1; i < tries.size(); ++i) {
    const absl::Duration cap = absl::Milliseconds(500) * (1 << (i - 1));
    EXPECT_LE(tries[i].sent - tries[i - 1].answered, cap) << i;
  }
}

TEST(AkeneoClientTest, GivesUpAfterNineAttemptsAndSaysSo) {
  World w(Unpaced(), 1, absl::Milliseconds(10));
  w.pim.SetFault([](const HttpRequest& r, uint64_t n) -> std::optional<FakePim::Fault> {
    if (n >= 1) return FakePim::Fault::Drop(false);
    return std::nullopt;
  });
  int alerts = 0;
  w.client->OnGaveUp([&](const Call&, const Outcome&) { ++alerts; });
  const Outcome o = w.Do("GET", "/api/rest/v1/products/x");
  EXPECT_TRUE(o.gave_up);
  EXPECT_EQ(o.attempts, 9);
  EXPECT_EQ(alerts, 1);
  EXPECT_EQ(w.client->stats().gave_up, 1u);
}

TEST(AkeneoClientTest, NeverRetriesAClientErrorUnlessThePresetSaysSo) {
  for (bool broken : {false, true}) {
    Policy p = Unpaced();
    p.retry_4xx = broken;
    World w(p, 1, absl::Milliseconds(10));
    const Outcome o = w.Do("PATCH", "/api/rest/v1/products/x", "{\"values\": \"bad\"}");
    // The fake answers 201 to a single PATCH; a 422 comes from a batch line,
    // so a 404 route stands in for a 4xx here.
    const Outcome missing = w.Do("GET", "/api/rest/v1/products/none");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.attempts, broken ? 9 : 1) << broken;
    (void)o;
  }
}

TEST(AkeneoClientTest, AnAmbiguousCreateIsReadBackBeforeItIsSentAgain) {
  for (bool applied : {true, false}) {
    World w(Unpaced(), 1, absl::Milliseconds(10));
    w.pim.SetFault([applied](const HttpRequest& r, uint64_t n) -> std::optional<FakePim::Fault> {
      if (n == 1) return FakePim::Fault::Drop(applied);
      return std::nullopt;
    });
    const Outcome o = w.Do("POST", "/api/rest/v1/products", "{\"identifier\":\"new-1\"}");
    EXPECT_TRUE(o.ok()) << applied << " " << o.status << " " << o.message;
    EXPECT_EQ(o.recovered, applied);
    const auto posts = w.pim.Requests("POST", "/api/rest/v1/products");
    const auto reads = w.pim.Requests("GET", "/api/rest/v1/products/new-1");
    EXPECT_EQ(posts.size(), applied ? 1u : 2u);
    ASSERT_EQ(reads.size(), 1u);
    EXPECT_GE(reads[0].sent, posts[0].answered);
    if (!applied) EXPECT_GE(posts[1].sent, reads[0].answered);
    EXPECT_EQ(w.pim.products().count("new-1"), 1u);
  }
}

TEST(AkeneoClientTest, TheBlindPresetResendsACreateWithoutReadingItBack) {
  absl::StatusOr<Policy> p = PolicyPreset("blind-post-retry");
  ASSERT_TRUE(p.ok());
  p->instance_rate = 0;
  World w(*p, 1, absl::Milliseconds(10));
  w.pim.SetFault([](const HttpRequest& r, uint64_t n) -> std::optional<FakePim::Fault> {
    if (n == 1) return FakePim::Fault::Drop(true);
    return std::nullopt;
  });
  const Outcome o = w.Do("POST", "/api/rest/v1/products", "{\"identifier\":\"new-1\"}");
  EXPECT_EQ(o.status, 422);  // the second POST found it created by the first
  EXPECT_EQ(w.pim.Requests("GET", "/api/rest/v1/products/").size(), 0u);
}

TEST(AkeneoClientTest, ARetryBudgetSlowsRetriesDuringAnOutage) {
  Policy p = Unpaced();
  p.retry_budget_tokens = 5;
  p.retry_budget_refill_per_s = 1;
  World w(p, 1, absl::Milliseconds(10));
  w.pim.SetFault([&w](const HttpRequest& r, uint64_t n) -> std::optional<FakePim::Fault> {
    if (n >= 1 && w.scheduler.Now() < kStart + absl::Seconds(60)) return FakePim::Fault::Status(503);
    return std::nullopt;
  });
  int done = 0;
  for (int i = 0; i < 20; ++i) {
    Call c;
    c.target = absl::StrCat("/api/rest/v1/products/p", i);
    w.client->Send(c, [&](const Outcome&) { ++done; });
  }
  w.scheduler.RunUntilIdle();
  EXPECT_EQ(done, 20);
  EXPECT_GT(w.client->stats().budget_exhausted, 0u);
  // Without the budget, 20 calls x up to 9 attempts; with it, at most the
  // 5 tokens plus one a second.
  size_t during = 0;
  for (const FakePim::Sent& s : w.pim.log()) during += s.sent < kStart + absl::Seconds(60);
  EXPECT_LE(during, 1u + 20u + 5u + 60u);
}

TEST(BatchUpserterTest, BatchesOfAHundredAndOnlyTransientLinesAreRetried) {
  World w(Unpaced(), 2, absl::Milliseconds(20));
  w.pim.SetLineHook([](const std::string& id, uint64_t batch) {
    if (id == "sku-7" && batch <= 3) return 503;
    if (id == "sku-9") return 422;
    return 0;
  });
  BatchUpserter up(w.scheduler, *w.client, "/api/rest/v1/products", 100);
  int next = 0;
  std::map<std::string, ItemResult::State> results;
  bool finished = false;
  up.Run(
      [&](UpsertItem* item) {
        if (next == 250) return false;
        item->key = absl::StrCat("sku-", next++);
        item->json = nlohmann::json{{"identifier", item->key}}.dump();
        return true;
      },
      [&](const ItemResult& r) { results[r.item.key] = r.state; },
      [&] { finished = true; });
  w.scheduler.RunUntilIdle();
  EXPECT_TRUE(finished);
  EXPECT_EQ(results.size(), 250u);
  EXPECT_EQ(results["sku-7"], ItemResult::kApplied);
  EXPECT_EQ(results["sku-9"], ItemResult::kRejected);
  EXPECT_EQ(w.pim.products().size(), 249u);
  EXPECT_EQ(up.lines_retried(), 1u);
  EXPECT_EQ(up.batches_sent(), 4u);  // 100 + 100 + 50, then sku-7 alone
}

TEST(BatchUpserterTest, SingleUpsertsAreOnePatchEach) {
  World w(Unpaced(), 1, absl::Milliseconds(5));
  BatchUpserter up(w.scheduler, *w.client, "/api/rest/v1/products", 1);
  int next = 0, applied = 0;
  up.Run(
      [&](UpsertItem* item) {
        if (next == 20) return false;
        item->key = absl::StrCat("a b/", next++);  // encoded in the URL
        item->json = nlohmann::json{{"identifier", item->key}}.dump();
        return true;
      },
      [&](const ItemResult& r) { applied += r.state == ItemResult::kApplied; },
      [] {});
  w.scheduler.RunUntilIdle();
  EXPECT_EQ(applied, 20);
  EXPECT_EQ(w.pim.Requests("PATCH", "/api/rest/v1/products/a%20b%2F").size(), 20u);
}

TEST(PagerTest, FollowsNextLinksToTheEnd) {
  World w(Unpaced(), 1, absl::Milliseconds(5));
  for (int i = 0; i < 250; ++i) {
    w.pim.mutable_products()[absl::StrCat("p", 1000 + i)] =
        nlohmann::json{{"identifier", absl::StrCat("p", 1000 + i)}}.dump();
  }
  int items = 0;
  Outcome last;
  ListAll(*w.client, "/api/rest/v1/products?limit=100", [&](const nlohmann::json&) { ++items; },
          [&](const Outcome& o) { last = o; });
  w.scheduler.RunUntilIdle();
  EXPECT_TRUE(last.ok());
  EXPECT_EQ(items, 250);
  EXPECT_EQ(w.pim.Requests("GET", "/api/rest/v1/products").size(), 3u);
}

TEST(AkeneoClientTest, ReferenceDataIsCachedAndConcurrentReadsShareOneRequest) {
  World w(Unpaced(), 1, absl::Milliseconds(5));
  int hits = 0;
  for (int i = 0; i < 3; ++i) {
    Call c;
    c.target = "/api/rest/v1/channels";
    w.client->Send(c, [&](const Outcome& o) { hits += o.from_cache; });
  }
  w.scheduler.RunUntilIdle();
  EXPECT_TRUE(w.Do("GET", "/api/rest/v1/channels").from_cache);
  EXPECT_EQ(hits, 2);
  EXPECT_EQ(w.pim.Requests("GET", "/api/rest/v1/channels").size(), 1u);
  // After the TTL it is read again.
  w.scheduler.RunUntil(w.scheduler.Now() + absl::Minutes(6));
  EXPECT_FALSE(w.Do("GET", "/api/rest/v1/channels").from_cache);
  EXPECT_TRUE(w.client->idle());
}

TEST(AkeneoClientTest, TheNaivePresetFetchesATokenPerRequestAndIgnoresLimits) {
  absl::StatusOr<Policy> p = PolicyPreset("naive");
  ASSERT_TRUE(p.ok());
  World w(*p, 1, absl::Milliseconds(100));
  for (int i = 0; i < 16; ++i) {
    Call c;
    c.target = absl::StrCat("/api/rest/v1/products/p", i);
    w.client->Send(c, [](const Outcome&) {});
  }
  w.scheduler.RunUntilIdle();
  EXPECT_EQ(w.pim.tokens_issued(), 16);
  EXPECT_GT(w.pim.max_in_flight(), 4);
  EXPECT_FALSE(PolicyPreset("careful").ok());
}

}  // namespace
}  // namespace pimsim::client
