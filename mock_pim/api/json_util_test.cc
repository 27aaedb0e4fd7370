#include "mock_pim/api/json_util.h"

#include "gtest/gtest.h"

namespace pimsim::api {
namespace {

TEST(JsonUtilTest, ParseRejectsMalformedJsonWithoutThrowing) {
  EXPECT_FALSE(ParseJson("{").has_value());
  EXPECT_FALSE(ParseJson("").has_value());
  EXPECT_FALSE(ParseJson("{\"a\":1} x").has_value());
  EXPECT_FALSE(ParseJson("\"\xff\"").has_value());
  EXPECT_TRUE(ParseJson(" {\"a\":1} ").has_value());
}

TEST(JsonUtilTest, ParseKeepsFieldOrder) {
  EXPECT_EQ(DumpJson(*ParseJson(R"({"b":1,"a":2})")), R"({"b":1,"a":2})");
}

TEST(JsonUtilTest, AppendJsonStringMatchesDump) {
  for (const std::string& s :
       {std::string("plain"), std::string("q\"b\\s/"), std::string("\n\r\t\b\f"),
        std::string("\x01\x1f"), std::string("h\xc3\xa9llo"), std::string()}) {
    std::string out;
    AppendJsonString(s, &out);
    EXPECT_EQ(out, DumpJson(Json(s))) << s;
  }
}

// Found by api_fuzzer: request bytes (a percent-decoded path segment) went
// into error bodies as they were, so "GET /api/rest/v1/products/%FF" was
// answered with a body that is not JSON (not UTF-8).
TEST(JsonUtilTest, AppendJsonStringReplacesInvalidUtf8AsDumpDoes) {
  for (const std::string& s :
       {std::string("\xff"), std::string("a\xc3"), std::string("\xe2\x82\xc3\xa9"),
        std::string("\xed\xa0\x80"), std::string("\xf0\x9f\x98z\"\x80")}) {
    std::string out;
    AppendJsonString(s, &out);
    EXPECT_EQ(out, DumpJson(Json(s))) << s;
    EXPECT_TRUE(ParseJson(out).has_value()) << out;
  }
}

TEST(JsonUtilTest, DumpReplacesInvalidUtf8InsteadOfThrowing) {
  EXPECT_FALSE(DumpJson(Json(std::string("\xff"))).empty());
}

TEST(JsonUtilTest, PhpTypeNames) {
  EXPECT_STREQ(PhpTypeName(Json()), "NULL");
  EXPECT_STREQ(PhpTypeName(Json(true)), "boolean");
  EXPECT_STREQ(PhpTypeName(Json(1)), "integer");
  EXPECT_STREQ(PhpTypeName(Json(1.5)), "double");
  EXPECT_STREQ(PhpTypeName(Json("x")), "string");
  EXPECT_STREQ(PhpTypeName(Json::array()), "array");
  EXPECT_STREQ(PhpTypeName(Json::object()), "array");
}

}  // namespace
}  // namespace pimsim::api
