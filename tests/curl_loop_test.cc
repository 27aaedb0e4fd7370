// The reference client's libcurl transport (client/curl_loop.h) against the
// in-process mock over real sockets: kept-alive connections are reused;
// libcurl's own silent re-send of a request whose kept-alive connection
// closed without an answer is refused, so the policy core sees the
// ambiguous failure and the PIM sees one attempt; an ambiguous create is
// read back instead of sent again; timeouts end a hung response.
#include "client/curl_loop.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "client/akeneo_client.h"
#include "mock_pim/faults/fault_spec.h"
#include "nlohmann/json.hpp"
#include "tests/test_server.h"

namespace pimsim::testing {
namespace {

using client::AkeneoClient;
using client::Call;
using client::CurlLoop;
using client::Outcome;

constexpr char kScenario[] =
    "seed: 5 instances { name: 'default' connections { client_id: 'c' secret: 's' username: 'u' "
    "password: 'p' } }";

class CurlLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(kScenario + FixedLatency(absl::Milliseconds(2)));
    creds_ = {absl::StrCat("http://127.0.0.1:", server_->port()), "c", "s", "u", "p"};
  }
  void AddFault(const std::string& spec) {
    absl::StatusOr<pimsim::v1::FaultRule> rule = ParseFaultSpec(spec);
    ASSERT_TRUE(rule.ok()) << rule.status();
    ASSERT_TRUE(server_->pim().faults().AddRule(*rule).ok());
  }
  std::vector<pimsim::v1::JournalEvent> Events() {
    return server_->pim().journal().Read(0, 100000);
  }
  // Sends `calls` one after the other and runs the loop until all are done.
  std::vector<Outcome> Sequence(AkeneoClient& client, CurlLoop& loop, std::vector<Call> calls) {
    std::vector<Outcome> out;
    std::function<void(size_t)> next = [&](size_t i) {
      if (i == calls.size()) return;
      client.Send(calls[i], [&, i](const Outcome& o) {
        out.push_back(o);
        next(i + 1);
      });
    };
    next(0);
    loop.Run([&] { return out.size() == calls.size(); });
    return out;
  }
  // A bearer token through the loop (the transport alone, no policy).
  std::string Token(CurlLoop& loop) {
    client::HttpRequest r;
    r.method = "POST";
    r.url = creds_.base_url + "/api/oauth/v1/token";
    r.headers.emplace_back("Authorization", "Basic " + absl::Base64Escape("c:s"));
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = R"({"grant_type":"password","username":"u","password":"p"})";
    std::string token;
    bool done = false;
    loop.Send(r, [&](client::HttpResponse resp) {
      nlohmann::json j = nlohmann::json::parse(resp.body, nullptr, false);
      if (j.is_object() && j.contains("access_token")) token = j["access_token"];
      done = true;
    });
    loop.Run([&] { return done; });
    EXPECT_FALSE(token.empty());
    return "Bearer " + token;
  }
  static Call Get(std::string target) {
    Call c;
    c.target = std::move(target);
    return c;
  }

  std::unique_ptr<TestServer> server_;
  client::Credentials creds_;
};

TEST_F(CurlLoopTest, ReusesKeptAliveConnections) {
  CurlLoop loop(CurlLoop::Options{});
  AkeneoClient client(loop, loop, client::Policy{}, {creds_}, 1);
  std::vector<Call> calls;
  for (int i = 0; i < 20; ++i) calls.push_back(Get(absl::StrCat("/api/rest/v1/products/p", i)));
  const std::vector<Outcome> out = Sequence(client, loop, calls);
  ASSERT_EQ(out.size(), 20u);
  for (const Outcome& o : out) EXPECT_EQ(o.status, 404) << o.message;
  std::set<uint64_t> sockets;
  for (const auto& e : Events()) sockets.insert(e.socket_id());
  EXPECT_EQ(Events().size(), 21u);  // the token, then the reads
  EXPECT_EQ(sockets.size(), 1u);
}

TEST_F(CurlLoopTest, ALostAnswerOnAKeptAliveConnectionIsNotSilentlySentAgain) {
  AddFault("disconnect=after,method=POST,path=/api/rest/v1/products,first=1,name=lost");
  CurlLoop loop(CurlLoop::Options{});
  // The transport alone: a GET opens the connection, the POST reuses it.
  const std::string token = Token(loop);
  std::vector<client::HttpResponse> got;
  auto send = [&](std::string method, std::string path, std::string body) {
    client::HttpRequest r;
    r.method = std::move(method);
    r.url = creds_.base_url + path;
    r.body = std::move(body);
    r.headers.emplace_back("Content-Type", "application/json");
    r.headers.emplace_back("Authorization", token);
    loop.Send(std::move(r), [&](client::HttpResponse resp) { got.push_back(std::move(resp)); });
    const size_t want = got.size() + 1;
    loop.Run([&] { return got.size() == want; });
  };
  send("GET", "/api/rest/v1/channels", "");
  send("POST", "/api/rest/v1/products", R"({"identifier":"x"})");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].status, 200);
  EXPECT_EQ(got[1].error, client::TransportError::kDisconnected) << got[1].error_message;
  // The mock journals an attempt once it is done with its socket, which may
  // be just after the client saw the close.
  auto posts = [&] {
    int n = 0;
    for (const auto& e : Events()) {
      n += e.method() == "POST" && e.normalized_path() == "/api/rest/v1/products";
    }
    return n;
  };
  for (int i = 0; i < 200 && posts() == 0; ++i) absl::SleepFor(absl::Milliseconds(10));
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(posts(), 1);  // libcurl alone would have sent it twice
}

TEST_F(CurlLoopTest, AnAmbiguousCreateIsReadBackAndFoundApplied) {
  AddFault("disconnect=after,method=POST,path=/api/rest/v1/products,first=1,name=lost");
  CurlLoop loop(CurlLoop::Options{});
  AkeneoClient client(loop, loop, client::Policy{}, {creds_}, 1);
  Call create;
  create.method = "POST";
  create.target = "/api/rest/v1/products";
  create.body = R"({"identifier":"new-1","values":{}})";
  const std::vector<Outcome> out = Sequence(client, loop, {Get("/api/rest/v1/channels"), create});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[1].ok()) << out[1].status << " " << out[1].message;
  EXPECT_TRUE(out[1].recovered);
  int posts = 0, reads = 0;
  for (const auto& e : Events()) {
    posts += e.method() == "POST" && e.normalized_path() == "/api/rest/v1/products";
    reads += e.method() == "GET" && e.normalized_path() != "/api/rest/v1/channels";
  }
  EXPECT_EQ(posts, 1);
  EXPECT_EQ(reads, 1);
}

TEST_F(CurlLoopTest, AHungResponseEndsAtTheTimeout) {
  AddFault("hang=10s,path=/api/rest/v1/channels,first=1,name=hang");
  CurlLoop loop(CurlLoop::Options{});
  client::HttpRequest r;
  r.method = "GET";
  r.url = creds_.base_url + "/api/rest/v1/channels";
  r.timeout = absl::Milliseconds(300);
  r.headers.emplace_back("Authorization", Token(loop));
  client::HttpResponse got;
  bool done = false;
  loop.Send(r, [&](client::HttpResponse resp) {
    got = std::move(resp);
    done = true;
  });
  loop.Run([&] { return done; });
  EXPECT_EQ(got.error, client::TransportError::kTimeout) << got.error_message;
}

TEST_F(CurlLoopTest, AClosedPortIsAConnectFailure) {
  CurlLoop loop(CurlLoop::Options{});
  client::HttpRequest r;
  r.url = "http://127.0.0.1:1/";
  r.method = "GET";
  client::HttpResponse got;
  bool done = false;
  loop.Send(r, [&](client::HttpResponse resp) {
    got = std::move(resp);
    done = true;
  });
  loop.Run([&] { return done; });
  EXPECT_EQ(got.error, client::TransportError::kConnect) << got.error_message;
}

}  // namespace
}  // namespace pimsim::testing
