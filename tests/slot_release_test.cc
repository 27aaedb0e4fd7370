// The admission slot of a request is free by the time its client can see
// the response end: a client that keeps exactly max_in_flight_per_connection
// requests in flight with zero think time, on separate sockets, is never
// rejected for concurrency, whatever faults end its exchanges and however
// many event loops serve it.
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "mock_pim/faults/fault_spec.h"
#include "tests/http_test_client.h"
#include "tests/test_server.h"

namespace pimsim::testing {
namespace {

constexpr int kInFlight = 4;
constexpr int kRequests = 10'000;

struct Outcome {
  std::map<int, uint64_t> statuses;  // by status; 0 = no complete response
};

// kInFlight workers sending the next request as soon as the previous one
// ended, each alternating between two sockets (as a client's connection
// pool hands out whichever is free), so that consecutive requests of a
// worker often land on different event loops. A socket the server closed
// is replaced by a new one at once.
Outcome Drive(TestServer& server, const std::string& token) {
  std::atomic<int> next{0};
  std::vector<Outcome> per_worker(kInFlight);
  std::vector<std::thread> workers;
  for (int w = 0; w < kInFlight; ++w) {
    workers.emplace_back([&, w] {
      std::unique_ptr<TestClient> pool[2] = {std::make_unique<TestClient>(server.port()),
                                             std::make_unique<TestClient>(server.port())};
      for (int k = 0; next.fetch_add(1) < kRequests; ++k) {
        std::unique_ptr<TestClient>& client = pool[k % 2];
        absl::StatusOr<TestResponse> r =
            client->Call("GET", "/api/rest/v1/products?limit=2", {{"Authorization", token}});
        ++per_worker[w].statuses[r.ok() ? r->status : 0];
        if (!r.ok() || absl::EqualsIgnoreCase(r->Header("Connection"), "close")) {
          client = std::make_unique<TestClient>(server.port());
        }
      }
    });
  }
  for (std::thread& t : workers) t.join();
  Outcome total;
  for (const Outcome& o : per_worker) {
    for (const auto& [status, n] : o.statuses) total.statuses[status] += n;
  }
  return total;
}

class SlotReleaseTest : public ::testing::TestWithParam<int> {};

TEST_P(SlotReleaseTest, ClientAtTheLimitWithZeroThinkTimeIsNeverRejectedForConcurrency) {
  http::ServerOptions options;
  options.threads = GetParam();
  // Only the in-flight caps are in force: the rate limit and the protection
  // window would otherwise answer 429 for other reasons.
  TestServer server(
      "seed: 7 instances { name: 'default' seed { products: 20 } limits { "
      "max_in_flight_per_connection: 4 max_in_flight_per_instance: 10 "
      "instance_rate { requests_per_second: 1000000 burst: 1000000 } "
      "protection { enabled: false } } }" +
          FixedLatency(absl::ZeroDuration()),
      options);
  absl::StatusOr<std::string> token = BearerToken(server.port());
  ASSERT_TRUE(token.ok()) << token.status();
  for (const char* spec : {"disconnect=after,close=reset,p=0.03,name=reset-after",
                           "disconnect=after,close=orderly,p=0.03,name=fin-after",
                           "truncate=10,p=0.03,name=cut", "status=503,p=0.05,name=unavailable"}) {
    absl::StatusOr<pimsim::v1::FaultRule> rule = ParseFaultSpec(spec);
    ASSERT_TRUE(rule.ok()) << rule.status();
    ASSERT_TRUE(server.pim().faults().AddRule(*rule).ok());
  }

  // Busy threads beside the loops: a loop thread preempted between handing
  // a response over and giving its slot back is what a late release shows.
  std::atomic<bool> stop{false};
  std::vector<std::thread> spinners;
  for (int i = 0; i < 2; ++i) {
    spinners.emplace_back([&stop] {
      while (!stop.load(std::memory_order_relaxed)) {
      }
    });
  }
  const Outcome outcome = Drive(server, *token);
  stop = true;
  for (std::thread& t : spinners) t.join();

  EXPECT_EQ(outcome.statuses.count(429), 0u) << "429s seen by the client: "
                                             << outcome.statuses.at(429);
  // Every fault kind really ended exchanges, and most requests succeeded.
  EXPECT_GT(outcome.statuses.count(0) ? outcome.statuses.at(0) : 0, 100u);
  EXPECT_GT(outcome.statuses.count(503) ? outcome.statuses.at(503) : 0, 100u);
  EXPECT_GT(outcome.statuses.count(200) ? outcome.statuses.at(200) : 0, kRequests / 2);

  // The journal agrees: no request was rejected, for concurrency or anything.
  server.server().Shutdown(absl::Seconds(2));
  uint64_t events = 0, rejected = 0;
  for (uint64_t cursor = 0;;) {
    std::vector<pimsim::v1::JournalEvent> page = server.pim().journal().Read(cursor, 4096);
    if (page.empty()) break;
    for (const pimsim::v1::JournalEvent& e : page) {
      ++events;
      if (e.rejection() != pimsim::v1::REJECTION_NONE) ++rejected;
      EXPECT_LE(e.in_flight_connection(), 4u) << "event " << e.id();
    }
    cursor = page.back().id();
  }
  EXPECT_EQ(rejected, 0u);
  EXPECT_GE(events, static_cast<uint64_t>(kRequests));
}

INSTANTIATE_TEST_SUITE_P(Threads, SlotReleaseTest, ::testing::Values(1, 2),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return absl::StrCat(info.param, "Loops");
                         });

// A request without a valid token is answered 401 at once, not after the
// route's service time (here far longer than the client waits).
TEST(UnauthenticatedTest, AnsweredAtOnceWithoutServiceTime) {
  TestServer server("instances { name: 'default' seed { products: 2 } }" +
                    FixedLatency(absl::Seconds(60)));
  TestClient client(server.port(), /*timeout=*/absl::Seconds(20));
  absl::StatusOr<TestResponse> r =
      client.Call("GET", "/api/rest/v1/products", {{"Authorization", "Bearer not-a-token"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->Header("WWW-Authenticate"), "Bearer realm=\"Service\"");
  absl::StatusOr<TestResponse> missing = client.Call("GET", "/api/rest/v1/products/x");
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_EQ(missing->status, 401);
}

}  // namespace
}  // namespace pimsim::testing
