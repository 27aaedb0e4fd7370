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
