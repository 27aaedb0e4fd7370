#include "mock_pim/faults/path_glob.h"

#include <string>

#include "gtest/gtest.h"

namespace pimsim {
namespace {

struct Case {
  const char* pattern;
  const char* path;
  bool matches;
};

class PathGlobTableTest : public testing::TestWithParam<Case> {};

TEST_P(PathGlobTableTest, MatchesAsDocumented) {
  const Case& c = GetParam();
  EXPECT_EQ(PathGlob(c.pattern).Matches(c.path), c.matches)
      << "pattern \"" << c.pattern << "\" path \"" << c.path << "\"";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PathGlobTableTest,
    testing::Values(
        // Empty pattern: everything.
        Case{"", "/api/rest/v1/products", true}, Case{"", "", true},
        // Literals.
        Case{"/api/rest/v1/products", "/api/rest/v1/products", true},
        Case{"/api/rest/v1/products", "/api/rest/v1/products/", false},
        Case{"/api/rest/v1/products", "/api/rest/v1/product", false},
        Case{"/api/rest/v1/products", "/api/rest/v1/products/x", false},
        // '*' stays inside one segment.
        Case{"/api/rest/v1/products/*", "/api/rest/v1/products/x", true},
        Case{"/api/rest/v1/products/*", "/api/rest/v1/products/", true},
        Case{"/api/rest/v1/products/*", "/api/rest/v1/products/x/y", false},
        Case{"/api/rest/v1/products/*", "/api/rest/v1/products", false},
        Case{"/api/rest/v1/*/x", "/api/rest/v1/products/x", true},
        Case{"/api/rest/v1/*/x", "/api/rest/v1/a/b/x", false},
        Case{"/api/rest/v1/product*", "/api/rest/v1/products", true},
        Case{"/api/rest/v1/product*", "/api/rest/v1/product-models", true},
        Case{"/api/rest/v1/*-models", "/api/rest/v1/product-models", true},
        Case{"/api/rest/v1/*-models", "/api/rest/v1/products", false},
        Case{"/api/rest/v1/p*d*s", "/api/rest/v1/products", true},
        Case{"/api/rest/v1/p*d*s", "/api/rest/v1/productx", false},
        // '**' crosses segments, including none.
        Case{"/api/**", "/api", true}, Case{"/api/**", "/api/rest/v1/products/x", true},
        Case{"/api/**", "/apix", false}, Case{"**", "/anything/at/all", true},
        Case{"/api/**/media-files", "/api/rest/v1/media-files", true},
        Case{"/api/**/media-files", "/api/media-files", true},
        Case{"/api/**/media-files", "/api/rest/v1/media-files/x", false},
        Case{"/api/**/**/x", "/api/a/b/x", true},
        Case{"/api/rest/v1/**/*-models/*", "/api/rest/v1/product-models/m1", true},
        Case{"/api/rest/v1/**/*-models/*", "/api/rest/v1/product-models", false},
        // The literal part before the first '*' is checked first.
        Case{"/api/**", "/ap", false}, Case{"/api/rest/**/x", "/api/rest", false},
        Case{"/api/rest/**/x", "/api/rest/x", true},
        Case{"/api/rest/v1/**", "/api/rest/v2/x", false},
        Case{"/api/rest/v1/pro*", "/api/rest/v1/pr", false},
        // The query string is not part of the path.
        Case{"/api/rest/v1/products", "/api/rest/v1/products?limit=10", true},
        Case{"/api/rest/v1/*", "/api/rest/v1/products?search={\"a/b\"}", true},
        // Other characters are literal.
        Case{"/api/rest/v1/a.b", "/api/rest/v1/axb", false},
        Case{"/api/rest/v1/a+b", "/api/rest/v1/a+b", true}));

TEST(PathGlobTest, KeepsItsPattern) {
  EXPECT_EQ(PathGlob("/api/**").pattern(), "/api/**");
  EXPECT_TRUE(PathGlob().empty());
}

TEST(PathGlobTest, ManyDoubleStarsStayFast) {
  // Backtracking over '**' is bounded by the path length per '**'.
  std::string path;
  for (int i = 0; i < 30; ++i) path += "/a";
  EXPECT_FALSE(PathGlob("/**/a/**/a/**/a/**/a/**/b").Matches(path));
}

// Found by path_glob_fuzzer: every way of splitting the path between the
// '**' was tried, so a long request path (8 KiB of "/a") against a rule with
// a few '**' kept the HTTP thread busy for hours.
TEST(PathGlobTest, LongPathsAgainstManyDoubleStarsStayFast) {
  std::string path;
  for (int i = 0; i < 4000; ++i) path += "/a";
  const PathGlob glob("/**/a/**/a/**/a/**/a/**/b");
  EXPECT_FALSE(glob.Matches(path));
  EXPECT_TRUE(glob.Matches(path + "/b"));
  EXPECT_TRUE(glob.Matches("/a/a/a/a/b"));
  EXPECT_FALSE(glob.Matches("/a/a/a/b"));
  const PathGlob empty_segments("/**/**//**//**//**//**//**//**//b");
  EXPECT_FALSE(empty_segments.Matches(std::string(3000, '/') + "c"));
  EXPECT_TRUE(empty_segments.Matches("////////b"));
  EXPECT_FALSE(empty_segments.Matches("///////b"));
}

}  // namespace
}  // namespace pimsim
