#include "common/http_response.h"

#include <gtest/gtest.h>

namespace pimsim {
namespace {

TEST(HttpResponseTest, ReasonPhrases) {
  EXPECT_EQ(ReasonPhrase(200), "OK");
  EXPECT_EQ(ReasonPhrase(429), "Too Many Requests");
  EXPECT_EQ(ReasonPhrase(503), "Service Unavailable");
  EXPECT_EQ(ReasonPhrase(299), "Unknown");
}

TEST(HttpResponseTest, ErrorBodyIsAkeneosShapeWithTheMessageEscaped) {
  EXPECT_EQ(JsonErrorBody(502, "Bad Gateway"), R"({"code":502,"message":"Bad Gateway"})");
  EXPECT_EQ(JsonErrorBody(404, "Product \"a\\b\" does not exist."),
            R"({"code":404,"message":"Product \"a\\b\" does not exist."})");
  // Invalid UTF-8 from a request never makes invalid JSON.
  EXPECT_EQ(JsonErrorBody(400, "\xff"), "{\"code\":400,\"message\":\"\xEF\xBF\xBD\"}");
}

}  // namespace
}  // namespace pimsim
