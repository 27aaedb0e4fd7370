#include "common/url.h"

#include <gtest/gtest.h>

namespace pimsim::url {
namespace {

TEST(UrlTest, PercentDecodesEscapes) {
  EXPECT_EQ(PercentDecode("sku%2F1%20x"), "sku/1 x");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode(""), "");
}

TEST(UrlTest, RejectsMalformedEscapes) {
  EXPECT_EQ(PercentDecode("%"), std::nullopt);
  EXPECT_EQ(PercentDecode("%2"), std::nullopt);
  EXPECT_EQ(PercentDecode("ab%zz"), std::nullopt);
}

TEST(UrlTest, FormDecodeTurnsPlusIntoSpace) {
  EXPECT_EQ(FormDecode("grant_type+x%3D"), "grant_type x=");
}

TEST(UrlTest, EncodeRoundTrips) {
  std::string raw = "a b/c?d=é~";
  EXPECT_EQ(PercentEncode("a b/c"), "a%20b%2Fc");
  EXPECT_EQ(PercentDecode(PercentEncode(raw)), raw);
}

}  // namespace
}  // namespace pimsim::url
