// The documented limits over real sockets: 4 in flight per connection, 10
// per instance, 100 req/s per instance, 3 req/s for attribute-option writes,
// and the three Retry-After forms.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/barrier.h"
#include "absl/time/clock.h"
#include "tests/http_test_client.h"
#include "tests/test_server.h"

namespace pimsim::testing {
namespace {

// Sends one GET per token concurrently (one socket each) and returns the
// statuses, in the order of `tokens`.
std::vector<int> ConcurrentGets(uint16_t port, const std::vector<std::string>& tokens,
                                const std::string& target) {
  std::vector<int> statuses(tokens.size(), 0);
  std::vector<std::unique_ptr<TestClient>> clients;
  for (size_t i = 0; i < tokens.size(); ++i) clients.push_back(std::make_unique<TestClient>(port));
  absl::Barrier* barrier = new absl::Barrier(static_cast<int>(tokens.size()));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < tokens.size(); ++i) {
    threads.emplace_back([&, i] {
      if (barrier->Block()) delete barrier;
      absl::StatusOr<TestResponse> r = clients[i]->Call("GET", target, {{"Authorization", tokens[i]}});
      statuses[i] = r.ok() ? r->status : -1;
    });
  }
  for (auto& t : threads) t.join();
  return statuses;
}

int Count(const std::vector<int>& statuses, int status) {
  return static_cast<int>(std::count(statuses.begin(), statuses.end(), status));
}

TEST(LimitsIntegrationTest, FifthConcurrentRequestOfAConnectionGets429) {
  // The service time is long enough for all five requests to overlap.
  TestServer server("instances { name: 'default' }" + FixedLatency(absl::Milliseconds(1500)));
  std::string token = *BearerToken(server.port());
  std::vector<int> statuses = ConcurrentGets(server.port(), std::vector<std::string>(5, token),
                                             "/api/rest/v1/locales");
  EXPECT_EQ(Count(statuses, 200), 4);
  EXPECT_EQ(Count(statuses, 429), 1);
  EXPECT_EQ(server.pim().admission("default")->counters().rejected_by(Rejection::kConcurrencyConnection), 1u);
}

TEST(LimitsIntegrationTest, EleventhConcurrentRequestOfAnInstanceGets429) {
  TestServer server("instances { name: 'default' "
                    "connections { client_id: 'a' secret: 'a' username: 'admin' password: 'admin' } "
                    "connections { client_id: 'b' secret: 'b' username: 'admin' password: 'admin' } "
                    "connections { client_id: 'c' secret: 'c' username: 'admin' password: 'admin' } }" +
                    FixedLatency(absl::Milliseconds(1500)));
  std::string a = *BearerToken(server.port(), "a", "a");
  std::string b = *BearerToken(server.port(), "b", "b");
  std::string c = *BearerToken(server.port(), "c", "c");
  std::vector<std::string> tokens = {a, a, a, a, b, b, b, b, c, c, c};
  std::vector<int> statuses = ConcurrentGets(server.port(), tokens, "/api/rest/v1/channels");
  EXPECT_EQ(Count(statuses, 200), 10);
  EXPECT_EQ(Count(statuses, 429), 1);
  EXPECT_EQ(server.pim().admission("default")->counters().rejected_by(Rejection::kConcurrencyInstance), 1u);
}

TEST(LimitsIntegrationTest, InstanceRateAdmitsTheBurstThenTheRate) {
  TestServer server("instances { name: 'default' limits { max_in_flight_per_connection: 0 "
                    "max_in_flight_per_instance: 0 } }" + FixedLatency(absl::ZeroDuration()));
  std::string token = *BearerToken(server.port());
  absl::SleepFor(absl::Milliseconds(20));  // the token request's credit comes back
  TestClient client(server.port());
  int ok = 0, limited = 0;
  std::string retry_after;
  absl::Time start = absl::Now();
  for (int i = 0; i < 150; ++i) {
    absl::StatusOr<TestResponse> r = client.Call("GET", "/api/rest/v1/locales", {{"Authorization", token}});
    ASSERT_TRUE(r.ok()) << r.status();
    if (r->status == 200) ++ok;
    if (r->status == 429) {
      ++limited;
      retry_after = r->Header("retry-after");
    }
  }
  double elapsed_s = absl::ToDoubleSeconds(absl::Now() - start);
  // Exactly the burst, plus what the bucket refilled while the loop ran.
  EXPECT_GE(ok, 100);
  EXPECT_LE(ok, 100 + static_cast<int>(elapsed_s * 100) + 1);
  EXPECT_EQ(ok + limited, 150);
  if (limited > 0) EXPECT_EQ(retry_after, "1");
}

TEST(LimitsIntegrationTest, AttributeOptionWritesAreLimitedToThreePerSecond) {
  TestServer server("instances { name: 'default' seed { attributes: 10 } limits { max_in_flight_per_connection: 0 } }" +
                    FixedLatency(absl::ZeroDuration()));
  std::string token = *BearerToken(server.port());
  TestClient client(server.port());
  absl::StatusOr<TestResponse> attrs =
      client.Call("GET", "/api/rest/v1/attributes?limit=100", {{"Authorization", token}});
  ASSERT_TRUE(attrs.ok());
  std::string select;
  nlohmann::json page = nlohmann::json::parse(attrs->body);
  for (const auto& a : page["_embedded"]["items"]) {
    if (a["type"] == "pim_catalog_simpleselect") select = a["code"].get<std::string>();
  }
  ASSERT_FALSE(select.empty());
  int ok = 0, limited = 0;
  absl::Time start = absl::Now();
  for (int i = 0; i < 6; ++i) {
    absl::StatusOr<TestResponse> r = client.Call(
        "PATCH", absl::StrCat("/api/rest/v1/attributes/", select, "/options/new_", i),
        {{"Authorization", token}, {"Content-Type", "application/json"}},
        absl::StrCat(R"({"code":"new_)", i, R"("})"));
    ASSERT_TRUE(r.ok());
    if (r->status == 201) ++ok;
    if (r->status == 429) ++limited;
  }
  double elapsed_s = absl::ToDoubleSeconds(absl::Now() - start);
  EXPECT_GE(ok, 3);
  EXPECT_LE(ok, 3 + static_cast<int>(elapsed_s * 3) + 1);
  EXPECT_EQ(ok + limited, 6);
}

struct RetryAfterCase {
  const char* form;
  const char* pattern;  // regular expression the header must match; empty: absent
};

class RetryAfterFormTest : public ::testing::TestWithParam<RetryAfterCase> {};

TEST_P(RetryAfterFormTest, RejectionCarriesTheConfiguredForm) {
  TestServer server(absl::StrCat("instances { name: 'default' limits { max_in_flight_per_connection: 1 retry_after: ",
                                 GetParam().form, " } }") + FixedLatency(absl::Milliseconds(1500)));
  std::string token = *BearerToken(server.port());
  TestClient first(server.port());
  ASSERT_TRUE(first.Send(absl::StrCat("GET /api/rest/v1/locales HTTP/1.1\r\nHost: x\r\nAuthorization: ",
                                      token, "\r\n\r\n")).ok());
  absl::SleepFor(absl::Milliseconds(200));  // let the first request be admitted
  TestClient second(server.port());
  absl::StatusOr<TestResponse> r = second.Call("GET", "/api/rest/v1/locales", {{"Authorization", token}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->body, R"({"code":429,"message":"You have exceeded the limit of API requests per second."})");
  if (std::string(GetParam().pattern).empty()) {
    EXPECT_EQ(r->Header("retry-after"), "");
  } else {
    EXPECT_THAT(r->Header("retry-after"), ::testing::MatchesRegex(GetParam().pattern));
  }
  EXPECT_EQ(first.Read()->status, 200);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, RetryAfterFormTest,
    ::testing::Values(
        RetryAfterCase{"RETRY_AFTER_FORM_SECONDS", "[0-9]+"},
        RetryAfterCase{"RETRY_AFTER_FORM_HTTP_DATE",
                       "[A-Z][a-z][a-z], [0-9][0-9] [A-Z][a-z][a-z] [0-9]+ [0-9:]+ GMT"},
        RetryAfterCase{"RETRY_AFTER_FORM_NONE", ""}));

}  // namespace
}  // namespace pimsim::testing
