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
  // Only the last '**' is backtracked to: segments x segments at most. (The
  // earlier recursive matcher took 8 s on one 400-segment path.)
  std::string path;
  for (int i = 0; i < 400; ++i) path += "/a";
  std::string pattern;
  for (int i = 0; i < 50; ++i) pattern += "/**/a";
  EXPECT_FALSE(PathGlob(pattern + "/b").Matches(path));
  EXPECT_TRUE(PathGlob(pattern).Matches(path));
  EXPECT_TRUE(PathGlob(pattern + "/**").Matches(path + "/b/c"));
}

// The segment matcher of the documented semantics, by brute force.
bool Reference(const std::vector<std::string>& pattern, size_t p,
               const std::vector<std::string>& path, size_t t) {
  if (p == pattern.size()) return t == path.size();
  if (pattern[p] == "**") {
    for (size_t k = t; k <= path.size(); ++k) {
      if (Reference(pattern, p + 1, path, k)) return true;
    }
    return false;
  }
  if (t == path.size()) return false;
  const std::string& seg = pattern[p];
  const bool fits = seg == "*" ? true : seg == "a*" ? path[t].rfind("a", 0) == 0 : seg == path[t];
  return fits && Reference(pattern, p + 1, path, t + 1);
}

TEST(PathGlobTest, AgreesWithBruteForceOnEveryShortPattern) {
  // Every pattern of up to 4 segments over {a, b, *, a*, **} against every
  // path of up to 4 segments over {a, b, ab}.
  const std::vector<std::string> pattern_alphabet = {"a", "b", "*", "a*", "**"};
  const std::vector<std::string> path_alphabet = {"a", "b", "ab"};
  auto all = [](const std::vector<std::string>& alphabet, size_t max_len) {
    std::vector<std::vector<std::string>> out = {{}};
    for (size_t begin = 0, len = 0; len < max_len; ++len) {
      const size_t end = out.size();
      for (size_t i = begin; i < end; ++i) {
        for (const std::string& s : alphabet) {
          std::vector<std::string> next = out[i];
          next.push_back(s);
          out.push_back(next);
        }
      }
      begin = end;
    }
    return out;
  };
  auto join = [](const std::vector<std::string>& segs) {
    std::string out;
    for (const std::string& s : segs) out += "/" + s;
    return out;
  };
  int checked = 0;
  for (const auto& pattern : all(pattern_alphabet, 4)) {
    if (pattern.empty()) continue;
    std::vector<std::string> pattern_segs = {""};  // the leading '/'
    pattern_segs.insert(pattern_segs.end(), pattern.begin(), pattern.end());
    const PathGlob glob(join(pattern));
    for (const auto& path : all(path_alphabet, 4)) {
      std::vector<std::string> path_segs = {""};
      path_segs.insert(path_segs.end(), path.begin(), path.end());
      const bool want = Reference(pattern_segs, 0, path_segs, 0) ||
                        // "/x/**" also matches "/x": the '**' takes its '/'.
                        (pattern.back() == "**" && Reference(
                            std::vector<std::string>(pattern_segs.begin(), pattern_segs.end() - 1),
                            0, path_segs, 0));
      ASSERT_EQ(glob.Matches(join(path)), want) << join(pattern) << " on " << join(path);
      ++checked;
    }
  }
  EXPECT_GT(checked, 50000);
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
