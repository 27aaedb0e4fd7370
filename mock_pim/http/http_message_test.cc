#include "mock_pim/http/http_message.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace pimsim::http {
namespace {

TEST(SerializeResponseTest, AddsContentLengthAndKeepsHeaderOrder) {
  HttpResponse r;
  r.status = 201;
  r.headers = {{"Location", "/api/rest/v1/products/x"}, {"Content-Type", "application/json"}};
  r.body = "{}";
  std::string out = "prefix|";
  SerializeResponse(r, /*keep_alive=*/true, &out);
  EXPECT_EQ(out,
            "prefix|HTTP/1.1 201 Created\r\nLocation: /api/rest/v1/products/x\r\n"
            "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
}

TEST(SerializeResponseTest, WritesContentTypeFirstAndAConstantBodyInsteadOfTheBody) {
  static constexpr char kBody[] = R"({"code":429})";
  HttpResponse r;
  r.status = 429;
  r.content_type = "application/json";
  r.headers = {{"Retry-After", "1"}};
  r.body = "ignored";
  r.constant_body = kBody;
  EXPECT_EQ(r.payload(), kBody);
  std::string out;
  SerializeResponse(r, /*keep_alive=*/true, &out);
  EXPECT_EQ(out,
            "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
            "Retry-After: 1\r\nContent-Length: 12\r\n\r\n{\"code\":429}");
  r.constant_body = {};
  EXPECT_EQ(r.payload(), "ignored");
}

TEST(SerializeResponseTest, SaysCloseWhenNotKeepingAlive) {
  HttpResponse r;
  r.status = 429;
  r.headers = {{"Retry-After", "3"}};
  std::string out;
  SerializeResponse(r, /*keep_alive=*/false, &out);
  EXPECT_EQ(out,
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n");
}

TEST(SerializeResponseTest, DropsFramingHeadersFromTheHandler) {
  HttpResponse r;
  r.headers = {{"Connection", "keep-alive"}, {"transfer-encoding", "chunked"}, {"X", "y"}};
  r.body = "abc";
  std::string out;
  SerializeResponse(r, true, &out);
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nX: y\r\nContent-Length: 3\r\n\r\nabc");
}

TEST(SerializeResponseTest, KeepsTheHandlersContentLengthForHead) {
  HttpResponse r;
  r.headers = {{"Content-Length", "1234"}};
  std::string out;
  SerializeResponseHead(r, ResponseFraming{}, &out);
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
}

TEST(SerializeResponseTest, NoContentLengthOn204And304) {
  for (int status : {204, 304}) {
    HttpResponse r;
    r.status = status;
    std::string out;
    SerializeResponse(r, true, &out);
    EXPECT_EQ(out.find("Content-Length"), std::string::npos) << out;
  }
}

TEST(SerializeResponseTest, AddsDateAndKeepAliveForHttp10) {
  HttpResponse r;
  ResponseFraming f;
  f.request_version_minor = 0;
  f.date = "Sun, 06 Nov 1994 08:49:37 GMT";
  std::string out;
  SerializeResponseHead(r, f, &out);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 0\r\n"
            "Connection: keep-alive\r\n\r\n");
}

TEST(SerializeResponseTest, InvalidStatusBecomes500) {
  HttpResponse r;
  r.status = 42;
  std::string out;
  SerializeResponse(r, true, &out);
  EXPECT_EQ(out.rfind("HTTP/1.1 500 Internal Server Error\r\n", 0), 0u) << out;
}

TEST(ReasonPhraseTest, KnowsTheStatusesTheMockSends) {
  EXPECT_EQ(ReasonPhrase(200), "OK");
  EXPECT_EQ(ReasonPhrase(408), "Request Timeout");
  EXPECT_EQ(ReasonPhrase(422), "Unprocessable Entity");
  EXPECT_EQ(ReasonPhrase(429), "Too Many Requests");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(ReasonPhrase(503), "Service Unavailable");
  EXPECT_EQ(ReasonPhrase(505), "HTTP Version Not Supported");
  EXPECT_EQ(ReasonPhrase(599), "Unknown");
}

HttpRequest RequestWith(std::string target,
                        std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest r;
  r.method = "GET";
  r.target = std::move(target);
  for (const auto& [name, value] : headers) r.AddHeader(name, value);
  return r;
}

TEST(RequestOriginTest, SchemeFromTheConnectionAndTheHostHeader) {
  EXPECT_EQ(RequestOrigin(RequestWith("/api/rest/v1", {{"Host", "127.0.0.1:8080"}}), false),
            "http://127.0.0.1:8080");
  EXPECT_EQ(RequestOrigin(RequestWith("/api/rest/v1", {{"host", "PIM.Example"}}), true),
            "https://pim.example");
  EXPECT_EQ(RequestOrigin(RequestWith("/", {{"Host", "[::1]:9000"}}), false), "http://[::1]:9000");
}

TEST(RequestOriginTest, AProxysForwardedHeadersWin) {
  const HttpRequest r = RequestWith(
      "/api/rest/v1/products",
      {{"Host", "10.0.0.5:8080"},
       {"X-Forwarded-Proto", "HTTPS, http"},
       {"X-Forwarded-Host", " shop.example.com , 10.0.0.5"}});
  EXPECT_EQ(RequestOrigin(r, false), "https://shop.example.com");
  // Only "http" and "https" are schemes; anything else is ignored.
  EXPECT_EQ(RequestOrigin(RequestWith("/", {{"Host", "a"}, {"X-Forwarded-Proto", "gopher"}}), true),
            "https://a");
  EXPECT_EQ(RequestOrigin(RequestWith("/", {{"Host", "a"}, {"X-Forwarded-Proto", "http"}}), true),
            "http://a");
}

TEST(RequestOriginTest, AnAbsoluteFormTargetNamesTheAuthority) {
  EXPECT_EQ(RequestOrigin(RequestWith("https://pim.example:8443/api/rest/v1?x=1",
                                      {{"Host", "other"}}),
                          false),
            "https://pim.example:8443");
  EXPECT_EQ(RequestOrigin(RequestWith("HTTP://pim.example?x", {}), true), "http://pim.example");
}

TEST(RequestOriginTest, NoOrMalformedHostGivesNoOrigin) {
  EXPECT_EQ(RequestOrigin(RequestWith("/", {}), false), "");
  EXPECT_EQ(RequestOrigin(RequestWith("/", {{"Host", ""}}), false), "");
  for (const char* bad : {"a b", "a/b", "a\"b", "a<script>", "user@host", "a?b", "\xff"}) {
    EXPECT_EQ(RequestOrigin(RequestWith("/", {{"Host", bad}}), false), "") << bad;
    EXPECT_EQ(RequestOrigin(RequestWith("/", {{"Host", "ok"}, {"X-Forwarded-Host", bad}}), false),
              "")
        << bad;
  }
  EXPECT_EQ(RequestOrigin(RequestWith("/", {{"Host", std::string(256, 'a')}}), false), "");
  EXPECT_EQ(RequestOrigin(RequestWith("/", {{"Host", std::string(255, 'a')}}), false),
            "http://" + std::string(255, 'a'));
}

TEST(JsonErrorResponseTest, EscapesTheMessage) {
  const HttpResponse r = JsonErrorResponse(400, "bad \"x\"\\\n\x01");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"code":400,"message":"bad \"x\"\\\n\u0001"})");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].value, "application/json");
}

TEST(JsonErrorResponseTest, ReplacesInvalidUtf8InTheMessage) {
  // e.g. "unsupported transfer coding: " followed by a header's obs-text.
  const HttpResponse r = JsonErrorResponse(501, "coding: \xff\xc3");
  EXPECT_EQ(r.body, "{\"code\":501,\"message\":\"coding: \xef\xbf\xbd\xef\xbf\xbd\"}");
}

TEST(HttpRequestTest, GetIsCaseInsensitiveAndReturnsTheFirst) {
  HttpRequest r;
  r.headers = {{"Content-Type", "a"}, {"content-type", "b"}};
  EXPECT_EQ(r.Get("CONTENT-TYPE"), "a");
  EXPECT_TRUE(r.Get("Accept").empty());
}

TEST(HttpRequestTest, AddHeaderCopiesAndEarlierHeadersSurviveLaterOnes) {
  HttpRequest r;
  std::vector<std::string> values;
  for (int i = 0; i < 300; ++i) values.push_back(std::string(static_cast<size_t>(i % 50), 'a' + i % 26));
  values.push_back(std::string(5000, 'z'));  // larger than a storage block
  for (size_t i = 0; i < values.size(); ++i) {
    std::string name = "X-" + std::to_string(i);
    r.AddHeader(name, values[i]);
    name.assign(name.size(), '?');  // the request holds its own copy
  }
  ASSERT_EQ(r.headers.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(r.headers[i].name, "X-" + std::to_string(i));
    EXPECT_EQ(r.headers[i].value, values[i]);
  }
  r.AddHeader("", "");
  EXPECT_EQ(r.headers.back().name, "");
}

TEST(HttpRequestTest, CopiesOwnTheirHeadersAndMovesKeepThem) {
  auto original = std::make_unique<HttpRequest>();
  original->method = "GET";
  original->AddHeader("Authorization", "Bearer 0123456789abcdef0123456789abcdef");
  original->AddHeader("Host", "pim");
  HttpRequest copy = *original;
  HttpRequest assigned;
  assigned.AddHeader("Old", "value");
  assigned = *original;
  HttpRequest moved = std::move(*original);
  original.reset();  // gone: the others must not view it
  for (const HttpRequest* r : {&copy, &assigned, &moved}) {
    EXPECT_EQ(r->method, "GET");
    ASSERT_EQ(r->headers.size(), 2u);
    EXPECT_EQ(r->Get("authorization"), "Bearer 0123456789abcdef0123456789abcdef");
    EXPECT_EQ(r->Get("Host"), "pim");
  }
}

TEST(HttpRequestTest, ClearForgetsHeadersAndReusesTheirStorage) {
  HttpRequest r;
  r.AddHeader("A", "1");
  const char* first = r.headers[0].name.data();
  r.Clear();
  EXPECT_TRUE(r.headers.empty());
  EXPECT_TRUE(r.Get("A").empty());
  r.AddHeader("B", "2");
  EXPECT_EQ(r.headers[0].name.data(), first);
  EXPECT_EQ(r.Get("B"), "2");
}

}  // namespace
}  // namespace pimsim::http
