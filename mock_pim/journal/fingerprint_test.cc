#include "mock_pim/journal/fingerprint.h"

#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace pimsim {
namespace {

TEST(FingerprintTest, BodyHashIsHexAndEmptyForEmptyBody) {
  EXPECT_EQ(BodyHash(""), "");
  EXPECT_EQ(BodyHash("a"), "af63dc4c8601ec8c");
  EXPECT_EQ(BodyHash("foobar"), "85944171f73967e8");
  EXPECT_EQ(BodyHash(std::string_view("\0", 1)).size(), 16u);
}

TEST(FingerprintTest, NormalizePathSortsParametersByNameThenValue) {
  EXPECT_EQ(NormalizePath("/api/rest/v1/products", ""), "/api/rest/v1/products");
  EXPECT_EQ(NormalizePath("/p", "?"), "/p");
  EXPECT_EQ(NormalizePath("/p", "b=2&a=1"), "/p?a=1&b=2");
  EXPECT_EQ(NormalizePath("/p", "?b=2&a=1"), "/p?a=1&b=2");
  EXPECT_EQ(NormalizePath("/p", "a=2&a=10&a=1"), "/p?a=1&a=10&a=2");  // byte order
  EXPECT_EQ(NormalizePath("/p", "a=1&&b=2&"), "/p?a=1&b=2");
  EXPECT_EQ(NormalizePath("/p", "flag&a=1"), "/p?a=1&flag");
  EXPECT_EQ(NormalizePath("/p", "a=&a"), "/p?a&a=");
}

TEST(FingerprintTest, NormalizePathKeepsRawEncoding) {
  EXPECT_EQ(NormalizePath("/api/rest/v1/products",
                          "search=%7B%22enabled%22%3A%5B%7B%22operator%22%3A%22%3D%22%7D%5D%7D"
                          "&limit=100&with_count=true"),
            "/api/rest/v1/products?limit=100&search=%7B%22enabled%22%3A%5B%7B%22operator%22%3A%"
            "22%3D%22%7D%5D%7D&with_count=true");
  // "%20" and "+" are kept as sent: they are different requests to a fingerprint.
  EXPECT_NE(NormalizePath("/p", "q=a%20b"), NormalizePath("/p", "q=a+b"));
  // Equal values with "=" inside split only at the first "=".
  EXPECT_EQ(NormalizePath("/p", "z=1&a=x=y"), "/p?a=x=y&z=1");
}

TEST(FingerprintTest, NormalizePathIntoStorageCopiesOnlyWhatItMustBuild) {
  std::string storage;
  const std::string path = "/api/rest/v1/products/a-long-identifier";
  for (std::string_view query : {"", "?"}) {
    const std::string_view same = NormalizePath(path, query, &storage);
    EXPECT_EQ(same.data(), path.data());
    EXPECT_EQ(same, NormalizePath(path, query));
  }
  for (std::string_view query : {"b=2&a=1", "?limit=10", "&&"}) {
    const std::string_view built = NormalizePath(path, query, &storage);
    EXPECT_EQ(built.data(), storage.data());
    EXPECT_EQ(built, NormalizePath(path, query));
  }
}

TEST(FingerprintTest, OrderOfParametersDoesNotChangeTheFingerprint) {
  EXPECT_EQ(NormalizePath("/p", "page=2&limit=10&search=x"),
            NormalizePath("/p", "search=x&page=2&limit=10"));
}

}  // namespace
}  // namespace pimsim
