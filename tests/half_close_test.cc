// A client that half-closes (shutdown(SHUT_WR) after a complete request)
// over real sockets: the mock still answers, then closes, and the journal
// records the status it sent rather than an abort.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "mock_pim/http/test_client.h"
#include "tests/http_test_client.h"
#include "tests/test_server.h"

namespace pimsim::testing {
namespace {

class HalfCloseTest : public ::testing::Test {
 protected:
  // The service time makes the FIN arrive while the request is pending.
  HalfCloseTest()
      : server_("instances { name: 'default' seed { products: 120 } limits { enabled: false } }" +
                FixedLatency(absl::Milliseconds(100))) {}

  // Sends `request`, then FIN; returns the response and checks that the
  // server closes after it.
  http::TestResponse SendThenHalfClose(const std::string& request) {
    auto client = http::TestClient::Connect(server_.port());
    EXPECT_TRUE(client.ok()) << client.status();
    if (!client.ok()) return {};
    EXPECT_TRUE((*client)->Send(request));
    (*client)->ShutdownWrite();
    absl::StatusOr<http::TestResponse> r = (*client)->ReadResponse();
    EXPECT_TRUE(r.ok()) << r.status();
    const http::TestClient::Rest rest = (*client)->ReadUntilClosed();
    EXPECT_EQ(rest.end, http::TestClient::End::kEof);
    EXPECT_EQ(rest.data, "");
    return r.ok() ? *r : http::TestResponse{};
  }

  // The journal event of the last request, once it is complete.
  pimsim::v1::JournalEvent LastEvent(size_t events) {
    for (int i = 0; i < 500 && server_.pim().journal().size() < events; ++i) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    std::vector<pimsim::v1::JournalEvent> all = server_.pim().journal().Read(0, 1'000'000);
    EXPECT_EQ(all.size(), events);
    return all.empty() ? pimsim::v1::JournalEvent() : all.back();
  }

  TestServer server_;
};

// Regression: the FIN was taken as an abort: no answer, status 0 journaled.
TEST_F(HalfCloseTest, TokenRequestIsAnsweredAndJournaledWithItsStatus) {
  const std::string body = R"({"grant_type":"password","username":"admin","password":"admin"})";
  http::TestResponse r = SendThenHalfClose(absl::StrCat(
      "POST /api/oauth/v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Authorization: ",
      BasicAuth("pimsim", "pimsim"), "\r\nContent-Length: ", body.size(), "\r\n\r\n", body));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(nlohmann::json::parse(r.body, nullptr, false).contains("access_token")) << r.body;
  const pimsim::v1::JournalEvent e = LastEvent(1);
  EXPECT_EQ(e.status(), 200u);
  EXPECT_FALSE(e.client_aborted());
}

TEST_F(HalfCloseTest, APageOfProductsArrivesWholeAfterAHalfClose) {
  absl::StatusOr<std::string> token = BearerToken(server_.port());
  ASSERT_TRUE(token.ok()) << token.status();
  http::TestResponse r = SendThenHalfClose(absl::StrCat(
      "GET /api/rest/v1/products?limit=100 HTTP/1.1\r\nHost: x\r\nAuthorization: ", *token,
      "\r\n\r\n"));
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json page = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_FALSE(page.is_discarded());
  EXPECT_EQ(page["_embedded"]["items"].size(), 100u);
  const pimsim::v1::JournalEvent e = LastEvent(2);
  EXPECT_EQ(e.status(), 200u);
  EXPECT_FALSE(e.client_aborted());
}

}  // namespace
}  // namespace pimsim::testing
