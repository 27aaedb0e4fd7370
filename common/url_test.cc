#include "common/url.h"

#include "gtest/gtest.h"

namespace pimsim::url {
namespace {

TEST(UrlTest, PercentDecodeHandlesEscapesPlusAndMalformedInput) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("100%", false), "100%");
  EXPECT_EQ(PercentDecode("%zz%4", false), "%zz%4");
  EXPECT_EQ(PercentDecode("%e2%82%ac", false), "\xe2\x82\xac");
}

TEST(UrlTest, NeedsPercentDecode) {
  EXPECT_FALSE(NeedsPercentDecode("sku_1", false));
  EXPECT_TRUE(NeedsPercentDecode("sku%201", false));
  EXPECT_FALSE(NeedsPercentDecode("a+b", false));
  EXPECT_TRUE(NeedsPercentDecode("a+b", true));
}

TEST(UrlTest, PercentEncodeRoundTrips) {
  EXPECT_EQ(PercentEncode("a b/c&d"), "a%20b%2Fc%26d");
  EXPECT_EQ(PercentEncode("Az09-_.~"), "Az09-_.~");
  const std::string odd = "x/%?#\xc3\xa9";
  EXPECT_EQ(PercentDecode(PercentEncode(odd), false), odd);
}

TEST(UrlTest, ParseQuerySplitsDecodesAndKeepsRawItems) {
  std::vector<QueryParam> q =
      ParseQuery("limit=10&&search=%7B%22a%22%3A1%7D&flag&x=a+b");
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0].key, "limit");
  EXPECT_EQ(q[0].value, "10");
  EXPECT_EQ(q[1].value, "{\"a\":1}");
  EXPECT_EQ(q[1].raw, "search=%7B%22a%22%3A1%7D");
  EXPECT_EQ(q[2].key, "flag");
  EXPECT_EQ(q[2].value, "");
  EXPECT_EQ(q[3].value, "a b");
  EXPECT_EQ(FindParam(q, "x"), &q[3]);
  EXPECT_EQ(FindParam(q, "nope"), nullptr);
}

}  // namespace
}  // namespace pimsim::url
