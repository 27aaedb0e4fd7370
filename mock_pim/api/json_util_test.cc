#include "mock_pim/api/json_util.h"

#include <string>
#include <vector>

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

std::string Nested(size_t levels, const char* open = "[", const char* close = "]") {
  std::string s;
  for (size_t i = 0; i < levels; ++i) s += open;
  s += "1";
  for (size_t i = 0; i < levels; ++i) s += close;
  return s;
}

std::string ObjectWithKeys(size_t keys, size_t distinct) {
  std::string s = "{";
  for (size_t i = 0; i < keys; ++i) {
    s += (i ? ",\"k" : "\"k") + std::to_string(i % distinct) + "\":" + std::to_string(i);
  }
  return s + "}";
}

TEST(ParseRequestJsonTest, BuildsTheSameDocumentAsNlohmannsParser) {
  for (const std::string& text : std::vector<std::string>{
           R"({"code":"x","labels":{"en_US":"A","fr_FR":"B"},"n":[1,-2,3.5,1e300,18446744073709551615]})",
        R"([true,false,null,"h\u00e9llo \"q\"",{},[],{"a":[{"b":{}}]}])",
        R"({"dup":1,"other":2,"dup":3})", R"("text")", "12", " null ",
        ObjectWithKeys(40, 40), ObjectWithKeys(60, 25),  // duplicates past the index threshold
        Nested(64, "{\"a\":", "}")}) {
    absl::StatusOr<Json> limited = ParseRequestJson(text);
    std::optional<Json> unlimited = ParseJson(text);
    const Json nlohmann = Json::parse(text);
    ASSERT_TRUE(limited.ok()) << limited.status() << ": " << text;
    ASSERT_TRUE(unlimited.has_value()) << text;
    EXPECT_EQ(DumpJson(*limited), DumpJson(nlohmann)) << text;  // order included
    EXPECT_EQ(DumpJson(*unlimited), DumpJson(nlohmann)) << text;
  }
}

TEST(ParseRequestJsonTest, MalformedJsonIsInvalidArgument) {
  for (const char* text : {"{", "", "{\"a\":1} x", "\"\xff\"", "[1,]", "{\"a\"}"}) {
    absl::StatusOr<Json> doc = ParseRequestJson(text);
    ASSERT_FALSE(doc.ok()) << text;
    EXPECT_TRUE(IsMalformedJson(doc.status())) << doc.status();
    EXPECT_EQ(JsonErrorHttpStatus(doc.status()), 400);
  }
}

// Regression: ~43,000 levels (an 86 KB body) overflowed the stack in the
// recursive copy, dump and merge of the document.
TEST(ParseRequestJsonTest, RefusesNestingPastTheDepthLimit) {
  EXPECT_TRUE(ParseRequestJson(Nested(64)).ok());
  EXPECT_TRUE(ParseRequestJson(Nested(63, "{\"a\":", "}")).ok());
  for (const std::string& deep : std::vector<std::string>{
           Nested(65), Nested(43000), Nested(65000, "{\"a\":", "}"), std::string(100000, '[')}) {
    absl::StatusOr<Json> doc = ParseRequestJson(deep);
    ASSERT_FALSE(doc.ok());
    EXPECT_EQ(doc.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(doc.status().message(),
              "Invalid json message received: objects and arrays nest more than 64 levels deep.");
    EXPECT_FALSE(IsMalformedJson(doc.status()));
    EXPECT_EQ(JsonErrorHttpStatus(doc.status()), 400);
  }
}

// Regression: 80,000 keys in one object (an 868 KB body) cost 4.3 s of
// parsing, since ordered_json finds each key by a linear search.
TEST(ParseRequestJsonTest, RefusesMoreKeysItemsOrValuesThanAllowed) {
  EXPECT_TRUE(ParseRequestJson(ObjectWithKeys(1000, 1000)).ok());
  EXPECT_TRUE(ParseRequestJson(ObjectWithKeys(5000, 1000)).ok());  // a key given twice counts once
  auto refused = [](const std::string& text, const std::string& message) {
    absl::StatusOr<Json> doc = ParseRequestJson(text);
    ASSERT_FALSE(doc.ok());
    EXPECT_EQ(doc.status().code(), absl::StatusCode::kResourceExhausted);
    EXPECT_EQ(doc.status().message(), "Invalid json message received: " + message);
    EXPECT_EQ(JsonErrorHttpStatus(doc.status()), 413);
  };
  refused(ObjectWithKeys(1001, 1001), "an object has more than 1000 keys.");
  refused(ObjectWithKeys(100000, 100000), "an object has more than 1000 keys.");
  std::string items = "[0";
  for (int i = 1; i < 10001; ++i) items += ",0";
  refused(items + "]", "an array has more than 10000 items.");
  std::string five_thousand = "[0";
  for (int i = 1; i < 5000; ++i) five_thousand += ",0";
  five_thousand += "]";
  auto arrays = [&](int n) {  // 1 + n + 5,000 n values
    std::string text = "[";
    for (int i = 0; i < n; ++i) text += (i ? "," : "") + five_thousand;
    return text + "]";
  };
  EXPECT_TRUE(ParseRequestJson(arrays(19)).ok());
  refused(arrays(20), "the document holds more than 100000 values.");

  JsonLimits small;
  small.max_depth = 2;
  small.max_object_keys = 2;
  EXPECT_TRUE(ParseRequestJson(R"({"a":{"b":1,"c":2}})", small).ok());
  EXPECT_FALSE(ParseRequestJson(R"({"a":{"b":[1]}})", small).ok());
  EXPECT_FALSE(ParseRequestJson(R"({"a":1,"b":2,"c":3})", small).ok());
  // ParseJson, for the mock's own text, has no limits.
  EXPECT_TRUE(ParseJson(ObjectWithKeys(100000, 100000)).has_value());
  EXPECT_TRUE(ParseJson(Nested(1000)).has_value());
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

TEST(ParseRequestObjectTest, TakesObjectsOnly) {
  EXPECT_TRUE(ParseRequestObject(R"({"a":1})").ok());
  for (const char* text : {"[]", "1", "\"x\"", "null", "{"}) {
    absl::StatusOr<Json> doc = ParseRequestObject(text);
    EXPECT_TRUE(IsMalformedJson(doc.status())) << text;
  }
}

}  // namespace
}  // namespace pimsim::api
