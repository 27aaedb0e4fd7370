#include "mock_pim/api/router.h"

#include <string>

#include "gtest/gtest.h"

namespace pimsim::api {
namespace {

struct RouteCase {
  const char* method;
  const char* path;
  RouteKind kind;
  const char* name;
  bool needs_auth;
  bool option_write;
};

class ClassifyTest : public testing::TestWithParam<RouteCase> {};

TEST_P(ClassifyTest, Classifies) {
  const RouteCase& c = GetParam();
  Route r = Classify(c.method, c.path, "");
  EXPECT_EQ(r.kind, c.kind) << c.method << " " << c.path;
  EXPECT_STREQ(r.name, c.name) << c.method << " " << c.path;
  EXPECT_EQ(r.needs_auth, c.needs_auth) << c.method << " " << c.path;
  EXPECT_EQ(r.attribute_option_write, c.option_write) << c.method << " " << c.path;
  EXPECT_EQ(r.batch_lines, 0);
}

using K = RouteKind;
INSTANTIATE_TEST_SUITE_P(
    Table, ClassifyTest,
    testing::Values(
        RouteCase{"POST", "/api/oauth/v1/token", K::kToken, "/api/oauth/v1/token", false, false},
        RouteCase{"GET", "/api/oauth/v1/token", K::kOther, "/api/oauth/v1/token", false, false},
        RouteCase{"GET", "/api/rest/v1", K::kOther, "/api/rest/v1", false, false},
        RouteCase{"GET", "/api/rest/v1/", K::kOther, "/api/rest/v1", false, false},
        RouteCase{"POST", "/api/rest/v1", K::kOther, "/api/rest/v1", true, false},
        RouteCase{"GET", "/api/rest/v1/products", K::kList, "/api/rest/v1/products", true, false},
        RouteCase{"POST", "/api/rest/v1/products", K::kWriteItem, "/api/rest/v1/products", true, false},
        RouteCase{"GET", "/api/rest/v1/products/sku%201", K::kGetItem, "/api/rest/v1/products/{code}", true, false},
        RouteCase{"HEAD", "/api/rest/v1/products/a", K::kGetItem, "/api/rest/v1/products/{code}", true, false},
        RouteCase{"PATCH", "/api/rest/v1/products/a", K::kWriteItem, "/api/rest/v1/products/{code}", true, false},
        RouteCase{"DELETE", "/api/rest/v1/products/a", K::kWriteItem, "/api/rest/v1/products/{code}", true, false},
        RouteCase{"PUT", "/api/rest/v1/products/a", K::kOther, "/api/rest/v1/products/{code}", true, false},
        RouteCase{"DELETE", "/api/rest/v1/products", K::kOther, "/api/rest/v1/products", true, false},
        RouteCase{"GET", "/api/rest/v1/products-uuid/0b9a", K::kGetItem, "/api/rest/v1/products-uuid/{uuid}", true, false},
        RouteCase{"POST", "/api/rest/v1/products-uuid/search", K::kList, "/api/rest/v1/products-uuid/search", true, false},
        RouteCase{"GET", "/api/rest/v1/products-uuid/search", K::kOther, "/api/rest/v1/products-uuid/search", true, false},
        RouteCase{"POST", "/api/rest/v1/products/search", K::kOther, "/api/rest/v1/products/{code}", true, false},
        RouteCase{"GET", "/api/rest/v1/attributes", K::kList, "/api/rest/v1/attributes", true, false},
        RouteCase{"DELETE", "/api/rest/v1/attributes/a", K::kOther, "/api/rest/v1/attributes/{code}", true, false},
        RouteCase{"GET", "/api/rest/v1/attributes/color/options", K::kList, "/api/rest/v1/attributes/{attribute_code}/options", true, false},
        RouteCase{"POST", "/api/rest/v1/attributes/color/options", K::kWriteItem, "/api/rest/v1/attributes/{attribute_code}/options", true, true},
        RouteCase{"PATCH", "/api/rest/v1/attributes/color/options/red", K::kWriteItem, "/api/rest/v1/attributes/{attribute_code}/options/{code}", true, true},
        RouteCase{"GET", "/api/rest/v1/attributes/color/options/red", K::kGetItem, "/api/rest/v1/attributes/{attribute_code}/options/{code}", true, false},
        RouteCase{"DELETE", "/api/rest/v1/families/f", K::kWriteItem, "/api/rest/v1/families/{code}", true, false},
        RouteCase{"GET", "/api/rest/v1/categories/master", K::kGetItem, "/api/rest/v1/categories/{code}", true, false},
        RouteCase{"GET", "/api/rest/v1/channels", K::kList, "/api/rest/v1/channels", true, false},
        RouteCase{"PATCH", "/api/rest/v1/locales/en_US", K::kOther, "/api/rest/v1/locales/{code}", true, false},
        RouteCase{"GET", "/api/rest/v1/currencies", K::kList, "/api/rest/v1/currencies", true, false},
        RouteCase{"GET", "/api/rest/v1/currencies/EUR", K::kGetItem, "/api/rest/v1/currencies/{code}", true, false},
        RouteCase{"POST", "/api/rest/v1/currencies", K::kOther, "/api/rest/v1/currencies", true, false},
        RouteCase{"GET", "/api/rest/v1/measure-families", K::kList, "/api/rest/v1/measure-families", true, false},
        RouteCase{"GET", "/api/rest/v1/measure-families/Weight", K::kGetItem, "/api/rest/v1/measure-families/{code}", true, false},
        RouteCase{"GET", "/api/rest/v1/measurement-families", K::kList, "/api/rest/v1/measurement-families", true, false},
        RouteCase{"PATCH", "/api/rest/v1/measurement-families", K::kBatch, "/api/rest/v1/measurement-families", true, false},
        RouteCase{"GET", "/api/rest/v1/measurement-families/Weight", K::kOther, "unknown", true, false},
        RouteCase{"GET", "/api/rest/v1/system-information", K::kGetItem, "/api/rest/v1/system-information", true, false},
        RouteCase{"GET", "/api/rest/v1/system-information/x", K::kOther, "unknown", true, false},
        RouteCase{"GET", "/api/rest/v1/association-types", K::kList, "/api/rest/v1/association-types", true, false},
        RouteCase{"POST", "/api/rest/v1/association-types", K::kWriteItem, "/api/rest/v1/association-types", true, false},
        RouteCase{"PATCH", "/api/rest/v1/association-types", K::kBatch, "/api/rest/v1/association-types", true, false},
        RouteCase{"GET", "/api/rest/v1/association-types/X_SELL", K::kGetItem, "/api/rest/v1/association-types/{code}", true, false},
        RouteCase{"PATCH", "/api/rest/v1/association-types/X_SELL", K::kWriteItem, "/api/rest/v1/association-types/{code}", true, false},
        RouteCase{"GET", "/api/rest/v1/attribute-groups", K::kList, "/api/rest/v1/attribute-groups", true, false},
        RouteCase{"PATCH", "/api/rest/v1/attribute-groups", K::kBatch, "/api/rest/v1/attribute-groups", true, false},
        RouteCase{"PATCH", "/api/rest/v1/attribute-groups/other", K::kWriteItem, "/api/rest/v1/attribute-groups/{code}", true, false},
        RouteCase{"DELETE", "/api/rest/v1/attribute-groups/other", K::kOther, "/api/rest/v1/attribute-groups/{code}", true, false},
        RouteCase{"GET", "/api/rest/v1/families/f/variants", K::kList, "/api/rest/v1/families/{family_code}/variants", true, false},
        RouteCase{"POST", "/api/rest/v1/families/f/variants", K::kWriteItem, "/api/rest/v1/families/{family_code}/variants", true, false},
        RouteCase{"PATCH", "/api/rest/v1/families/f/variants", K::kBatch, "/api/rest/v1/families/{family_code}/variants", true, false},
        RouteCase{"GET", "/api/rest/v1/families/f/variants/v", K::kGetItem, "/api/rest/v1/families/{family_code}/variants/{code}", true, false},
        RouteCase{"PATCH", "/api/rest/v1/families/f/variants/v", K::kWriteItem, "/api/rest/v1/families/{family_code}/variants/{code}", true, false},
        RouteCase{"DELETE", "/api/rest/v1/families/f/variants/v", K::kOther, "/api/rest/v1/families/{family_code}/variants/{code}", true, false},
        RouteCase{"GET", "/api/rest/v1/families/f/variants/v/x", K::kOther, "unknown", true, false},
        RouteCase{"GET", "/api/rest/v1/attributes/color/variants", K::kOther, "unknown", true, false},
        RouteCase{"POST", "/api/rest/v1/jobs/export/csv_product_export", K::kWriteItem, "/api/rest/v1/jobs/export/{code}", true, false},
        RouteCase{"POST", "/api/rest/v1/jobs/import/csv_product_import", K::kWriteItem, "/api/rest/v1/jobs/import/{code}", true, false},
        RouteCase{"GET", "/api/rest/v1/jobs/import/csv_product_import", K::kOther, "/api/rest/v1/jobs/import/{code}", true, false},
        RouteCase{"POST", "/api/rest/v1/jobs/other/x", K::kOther, "unknown", true, false},
        RouteCase{"POST", "/api/rest/v1/jobs/export", K::kOther, "unknown", true, false},
        RouteCase{"POST", "/api/rest/v1/jobs/export/a/b", K::kOther, "unknown", true, false},
        RouteCase{"GET", "/api/rest/v1/media-files", K::kList, "/api/rest/v1/media-files", true, false},
        RouteCase{"POST", "/api/rest/v1/media-files", K::kWriteItem, "/api/rest/v1/media-files", true, false},
        RouteCase{"GET", "/api/rest/v1/media-files/7/5/8/e/abc_x.jpg", K::kGetItem, "/api/rest/v1/media-files/{code}", true, false},
        RouteCase{"GET", "/api/rest/v1/media-files/7/5/8/e/abc_x.jpg/download", K::kGetItem, "/api/rest/v1/media-files/{code}/download", true, false},
        RouteCase{"DELETE", "/api/rest/v1/media-files/a", K::kOther, "/api/rest/v1/media-files/{code}", true, false},
        RouteCase{"GET", "/api/rest/v1/media-files/a//b", K::kOther, "unknown", true, false},
        RouteCase{"GET", "/api/rest/v1/media-files/a/", K::kOther, "unknown", true, false},
        RouteCase{"GET", "/api/rest/v1/media-files//download", K::kOther, "unknown", true, false},
        RouteCase{"POST", "/api/rest/v1/category-media-files", K::kWriteItem, "/api/rest/v1/category-media-files", true, false},
        RouteCase{"GET", "/api/rest/v1/category-media-files", K::kOther, "/api/rest/v1/category-media-files", true, false},
        RouteCase{"GET", "/api/rest/v1/category-media-files/a/b/c_x.png/download", K::kGetItem, "/api/rest/v1/category-media-files/{file_path}/download", true, false},
        RouteCase{"GET", "/api/rest/v1/category-media-files/a", K::kOther, "unknown", true, false},
        RouteCase{"GET", "/api/rest/v1/nope", K::kOther, "unknown", true, false},
        RouteCase{"GET", "/api/rest/v1/products/", K::kOther, "unknown", true, false},
        RouteCase{"GET", "/api/rest/v1/products/a/b", K::kOther, "unknown", true, false},
        RouteCase{"GET", "/api/rest/v1/families/f/options", K::kOther, "unknown", true, false},
        RouteCase{"GET", "/api/rest/v1x", K::kOther, "unknown", true, false},
        RouteCase{"GET", "/", K::kOther, "unknown", true, false}));

TEST(ClassifyTest, BatchPatchCountsLines) {
  Route r = Classify("PATCH", "/api/rest/v1/products", "{}\n{}\n\n{}\n");
  EXPECT_EQ(r.kind, RouteKind::kBatch);
  EXPECT_EQ(r.batch_lines, 4);
  r = Classify("PATCH", "/api/rest/v1/attributes/color/options", "{}");
  EXPECT_EQ(r.kind, RouteKind::kBatch);
  EXPECT_TRUE(r.attribute_option_write);
  EXPECT_EQ(r.batch_lines, 1);
}

TEST(ClassifyTest, JsonArrayBatchCountsItems) {
  Route r = Classify("PATCH", "/api/rest/v1/measurement-families",
                     R"([{"code":"a","units":{"X":{"s":"[,]"}}}, {"code":"b"} ,{}])");
  EXPECT_EQ(r.kind, RouteKind::kBatch);
  EXPECT_EQ(r.batch_lines, 3);
  EXPECT_EQ(Classify("PATCH", "/api/rest/v1/measurement-families", " [ ] ").batch_lines, 0);
  EXPECT_EQ(Classify("PATCH", "/api/rest/v1/measurement-families", "{}\n{}").batch_lines, 0);
  EXPECT_TRUE(ParseRoute("PATCH", "/api/rest/v1/measurement-families").array_body);
  EXPECT_FALSE(ParseRoute("PATCH", "/api/rest/v1/families").array_body);
}

TEST(ParseRouteTest, MediaCodesKeepTheirSlashes) {
  ParsedRoute r = ParseRoute("GET", "/api/rest/v1/media-files/7/5/8/e/a%20b.jpg/download");
  EXPECT_EQ(r.collection, Collection::kMediaFiles);
  EXPECT_TRUE(r.item);
  EXPECT_TRUE(r.download);
  EXPECT_EQ(r.code, "7/5/8/e/a%20b.jpg");
  r = ParseRoute("GET", "/api/rest/v1/media-files/7/5/8/e/a.jpg");
  EXPECT_FALSE(r.download);
  EXPECT_EQ(r.code, "7/5/8/e/a.jpg");
  r = ParseRoute("GET", "/api/rest/v1/category-media-files/a/b.png/download");
  EXPECT_EQ(r.collection, Collection::kCategoryMediaFiles);
  EXPECT_EQ(r.code, "a/b.png");
}

TEST(ParseRouteTest, KeepsEncodedCodesAndAllowList) {
  ParsedRoute r = ParseRoute("PUT", "/api/rest/v1/attributes/a%2Fb/options/c%20d");
  EXPECT_EQ(r.collection, Collection::kAttributeOptions);
  EXPECT_EQ(r.attribute, "a%2Fb");
  EXPECT_EQ(r.code, "c%20d");
  EXPECT_FALSE(r.method_allowed);
  EXPECT_STREQ(r.allow, "GET, PATCH");
}

}  // namespace
}  // namespace pimsim::api

namespace pimsim::api {
namespace {

// A path the template names: each placeholder given a sample value (a media
// file path keeps its slashes).
std::string Instantiate(std::string_view route) {
  std::string out;
  for (size_t i = 0; i < route.size(); ++i) {
    if (route[i] != '{') {
      out.push_back(route[i]);
      continue;
    }
    const size_t end = route.find('}', i);
    const std::string_view name = route.substr(i + 1, end - i - 1);
    out += name == "uuid"        ? "0b7c2c5e-8f0a-4b61-9d8e-3c0f1a2b4c5d"
           : name == "file_path" ? "a/b/c/d/0123_x.png"
           : name == "code" && route.find("media-files/") != std::string_view::npos
               ? "7/5/8/e/abcd_photo.jpg"
               : "some_code";
    i = end;
  }
  return out;
}

TEST(RouteTableTest, TheRouterNamesAndAdmitsEveryRouteOfTheTableAndNoOtherMethod) {
  constexpr std::string_view kMethods[] = {"GET", "POST", "PATCH", "DELETE", "PUT"};
  ASSERT_EQ(ApiRoutes().size(), 79u);  // the Community Edition's routes
  for (const ApiRoute& r : ApiRoutes()) {
    const std::string path = Instantiate(r.route);
    const ParsedRoute parsed = ParseRoute(r.method, path);
    EXPECT_EQ(std::string_view(parsed.name), r.route) << r.method << " " << path;
    EXPECT_TRUE(parsed.method_allowed) << r.method << " " << path;
    EXPECT_EQ(std::string_view(parsed.allow), AllowedMethods(r.route)) << path;
    for (std::string_view m : kMethods) {
      bool in_table = false;
      for (const ApiRoute& other : ApiRoutes()) {
        in_table |= std::string_view(other.route) == r.route && other.method == m;
      }
      EXPECT_EQ(ParseRoute(m, path).method_allowed, in_table) << m << " " << path;
    }
  }
}

TEST(RouteTableTest, AllowListsComeFromTheTableInItsOrder) {
  EXPECT_STREQ(AllowedMethods("/api/rest/v1/products"), "GET, POST, PATCH");
  EXPECT_STREQ(AllowedMethods("/api/rest/v1/products/{code}"), "GET, PATCH, DELETE");
  EXPECT_STREQ(AllowedMethods("/api/rest/v1/media-files"), "GET, POST");
  EXPECT_STREQ(AllowedMethods("/api/rest/v1/measurement-families"), "GET, PATCH");
  EXPECT_STREQ(AllowedMethods("/api/rest/v1/nothing"), "");
}

}  // namespace
}  // namespace pimsim::api
