// Malformed and abusive requests over real sockets: each gets its documented
// status, and the server keeps serving.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "tests/http_test_client.h"
#include "tests/test_server.h"

namespace pimsim::testing {
namespace {

struct Abuse {
  const char* name;
  // Sent as is; "{TOKEN}" is replaced by a valid "Bearer ..." value.
  std::string request;
  int status;
};

std::string Req(absl::string_view head, absl::string_view body = "") {
  return absl::StrCat(head, "\r\n\r\n", body);
}

std::vector<Abuse> Table() {
  const std::string product = "/api/rest/v1/products";
  const std::string auth = "Authorization: {TOKEN}";
  std::string many_headers = "GET /api/rest/v1 HTTP/1.1\r\nHost: x";
  for (int i = 0; i < 200; ++i) absl::StrAppend(&many_headers, "\r\nX-H", i, ": v");
  std::string batch_101;
  for (int i = 0; i < 101; ++i) absl::StrAppend(&batch_101, R"({"identifier":"b)", i, "\"}\n");
  // Regressions: 43,000 levels overflowed the stack; 100,000 keys took
  // seconds of an event loop.
  const std::string deep = absl::StrCat(R"({"values":{"name":[{"locale":null,"scope":null,"data":)",
                                        std::string(43000, '['), std::string(43000, ']'), "}]}}");
  std::string many_keys = R"({"values":{)";
  for (int i = 0; i < 100000; ++i) absl::StrAppend(&many_keys, i ? "," : "", "\"a", i, "\":[]");
  many_keys += "}}";
  auto patch = [&](const std::string& body) {
    return Req(absl::StrCat("PATCH ", product, "/product_000001 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ",
                            body.size(), "\r\n", auth),
               body);
  };
  return {
      {"garbage request line", Req("GARBAGE"), 400},
      {"http2 version", Req("GET / HTTP/2.0\r\nHost: x"), 505},
      {"http2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505},
      {"unknown version", Req("GET / HTTP/1.7\r\nHost: x"), 505},
      {"header without colon", Req("GET / HTTP/1.1\r\nHost: x\r\nNoColonHere"), 400},
      {"space before colon", Req("GET / HTTP/1.1\r\nHost : x"), 400},
      {"obsolete line folding", Req("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b"), 400},
      {"oversized header", Req(absl::StrCat("GET / HTTP/1.1\r\nHost: x\r\nX-Big: ", std::string(40000, 'a'))), 431},
      {"too many headers", Req(many_headers), 431},
      {"target too long", Req(absl::StrCat("GET /", std::string(20000, 'a'), " HTTP/1.1\r\nHost: x")), 414},
      {"non-numeric content-length", Req("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc"), 400},
      {"conflicting content-lengths", Req("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2", "ab"), 400},
      {"content-length with chunked", Req("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked", "0\r\n\r\n"), 400},
      {"unknown transfer-encoding", Req("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip"), 501},
      {"bad chunk size", Req("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked", "zz\r\nab\r\n0\r\n\r\n"), 400},
      {"body too large", Req("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999"), 413},
      {"missing host", Req("GET /api/rest/v1 HTTP/1.1"), 400},
      {"NUL in header value", Req(std::string("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b", sizeof("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b") - 1)), 400},
      {"invalid method token", Req("GE(T / HTTP/1.1\r\nHost: x"), 400},
      {"no token", Req("GET /api/rest/v1/products HTTP/1.1\r\nHost: x"), 401},
      {"invalid token", Req("GET /api/rest/v1/products HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer forged"), 401},
      {"unknown route", Req(absl::StrCat("GET /api/rest/v1/nope HTTP/1.1\r\nHost: x\r\n", auth)), 404},
      {"unknown product", Req(absl::StrCat("GET ", product, "/nope HTTP/1.1\r\nHost: x\r\n", auth)), 404},
      {"method not allowed", Req(absl::StrCat("PUT ", product, " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n", auth)), 405},
      {"unacceptable accept", Req(absl::StrCat("GET ", product, " HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n", auth)), 406},
      {"post without content-type", Req(absl::StrCat("POST ", product, " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n", auth), "{}"), 415},
      {"post with text/plain", Req(absl::StrCat("POST ", product, " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n", auth), "{}"), 415},
      {"post invalid json", Req(absl::StrCat("POST ", product, " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n", auth), "{nope"), 400},
      {"JSON nested 43,000 levels", patch(deep), 400},
      {"JSON object of 100,000 keys", patch(many_keys), 413},
      {"batch of 101 lines", Req(absl::StrCat("PATCH ", product, " HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.akeneo.collection+json\r\nContent-Length: ", batch_101.size(), "\r\n", auth), batch_101), 413},
      {"batch as application/json", Req(absl::StrCat("PATCH ", product, " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n", auth), "{}"), 415},
      {"limit over 100", Req(absl::StrCat("GET ", product, "?limit=1000 HTTP/1.1\r\nHost: x\r\n", auth)), 422},
      {"unknown pagination type", Req(absl::StrCat("GET ", product, "?pagination_type=foo HTTP/1.1\r\nHost: x\r\n", auth)), 422},
      {"search not json", Req(absl::StrCat("GET ", product, "?search=%7Bnope HTTP/1.1\r\nHost: x\r\n", auth)), 400},
      {"token body over 300 bytes", Req(absl::StrCat("POST /api/oauth/v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\nAuthorization: ", BasicAuth("pimsim", "pimsim")), std::string(400, ' ')), 413},
      {"token with wrong content-type", Req(absl::StrCat("POST /api/oauth/v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 2\r\nAuthorization: ", BasicAuth("pimsim", "pimsim")), "{}"), 415},
      {"token with bad secret", Req(absl::StrCat("POST /api/oauth/v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nAuthorization: ", BasicAuth("pimsim", "wrong")), "{}"), 422},
  };
}

class MalformedRequestsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer("instances { name: 'default' seed { products: 3 } limits { enabled: false } }" +
                             FixedLatency(absl::ZeroDuration()));
    token_ = new std::string(*BearerToken(server_->port()));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete token_;
  }
  static TestServer* server_;
  static std::string* token_;
};
TestServer* MalformedRequestsTest::server_ = nullptr;
std::string* MalformedRequestsTest::token_ = nullptr;

TEST_F(MalformedRequestsTest, EachGetsItsStatusAndTheServerKeepsServing) {
  std::vector<Abuse> table = Table();
  ASSERT_GE(table.size(), 25u);
  for (Abuse& abuse : table) {
    std::string request = abuse.request;
    if (size_t at = request.find("{TOKEN}"); at != std::string::npos) request.replace(at, 7, *token_);
    TestClient client(server_->port());
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.Send(request).ok()) << abuse.name;
    absl::StatusOr<TestResponse> response = client.Read();
    ASSERT_TRUE(response.ok()) << abuse.name << ": " << response.status();
    EXPECT_EQ(response->status, abuse.status) << abuse.name << ": " << response->body;
    if (!response->body.empty()) {
      EXPECT_THAT(response->body, ::testing::HasSubstr(absl::StrCat("\"code\":", abuse.status)))
          << abuse.name;
    }
    // The server still serves a well-formed request on a new connection.
    TestClient next(server_->port());
    absl::StatusOr<TestResponse> ok = next.Call("GET", "/api/rest/v1/locales", {{"Authorization", *token_}});
    ASSERT_TRUE(ok.ok()) << "after " << abuse.name << ": " << ok.status();
    EXPECT_EQ(ok->status, 200) << "after " << abuse.name;
  }
}

// Regression: request bytes that are not UTF-8, echoed into an error
// message, made the token route's 415 throw (the process aborted) and other
// bodies invalid JSON. Each body must parse (nlohmann rejects invalid UTF-8).
TEST_F(MalformedRequestsTest, EchoedInvalidUtf8GivesValidJsonBodies) {
  const std::string product = "/api/rest/v1/products";
  const std::string auth = absl::StrCat("Authorization: ", *token_);
  const std::vector<std::pair<std::string, int>> requests = {
      {Req("POST /api/oauth/v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: \xff\r\nContent-Length: 0"), 415},
      {Req(absl::StrCat("GET ", product, "/%FF HTTP/1.1\r\nHost: x\r\n", auth)), 404},
      {Req(absl::StrCat("POST ", product, " HTTP/1.1\r\nHost: x\r\nContent-Type: \xc3(\r\nContent-Length: 2\r\n", auth), "{}"), 415},
      {Req(absl::StrCat("GET ", product, " HTTP/1.1\r\nHost: x\r\nAccept: \xe2\x82\r\n", auth)), 406},
      {Req("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \xff"), 501},
  };
  for (const auto& [request, status] : requests) {
    TestClient client(server_->port());
    ASSERT_TRUE(client.Send(request).ok());
    absl::StatusOr<TestResponse> r = client.Read();
    ASSERT_TRUE(r.ok()) << status << ": " << r.status();
    EXPECT_EQ(r->status, status) << r->body;
    const nlohmann::json body = nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(body.is_discarded()) << status << ": not valid JSON: " << r->body;
    EXPECT_EQ(body["code"], status);
    EXPECT_THAT(body["message"].get<std::string>(), ::testing::HasSubstr("\xef\xbf\xbd"));
  }
  TestClient next(server_->port());
  absl::StatusOr<TestResponse> ok = next.Call("GET", "/api/rest/v1/locales", {{"Authorization", *token_}});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->status, 200);
}

TEST_F(MalformedRequestsTest, ProtocolErrorsCloseTheConnection) {
  TestClient client(server_->port());
  ASSERT_TRUE(client.Send(Req("GARBAGE")).ok());
  absl::StatusOr<TestResponse> r = client.Read();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(MalformedRequestsTest, ApiErrorsKeepTheConnectionAlive) {
  TestClient client(server_->port());
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<TestResponse> r = client.Call("GET", "/api/rest/v1/nope", {{"Authorization", *token_}});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 404);
  }
}

TEST_F(MalformedRequestsTest, ParseErrorsAreJournaled) {
  size_t before = server_->pim().journal().size();
  TestClient client(server_->port());
  ASSERT_TRUE(client.Send(Req("GET / HTTP/9.9\r\nHost: x")).ok());
  ASSERT_TRUE(client.Read().ok());
  EXPECT_TRUE(client.ClosedByServer());
  // The event is appended when the server reports the parse error.
  for (int i = 0; i < 100 && server_->pim().journal().size() == before; ++i) absl::SleepFor(absl::Milliseconds(10));
  std::vector<pimsim::v1::JournalEvent> events = server_->pim().journal().Read(0, 1'000'000);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().status(), 505u);
  EXPECT_EQ(events.back().route(), "malformed");
}

}  // namespace
}  // namespace pimsim::testing
