// Walks every Community Edition route of the Akeneo reference
// (/work/shared/reference/akeneo-api.md, section 9: 79 routes) with a real
// request through Api::Handle, and checks which of them the mock serves: a
// served route never answers the router's 404 "No route found" (nor its 405
// for a method it does not route), whatever its status otherwise (404 for a
// missing item, 422...). The token route is served by the HTTP shell in
// front of Api, so Api itself answers it with "No route found"; it is listed
// here to keep the count at 79.
//
// NotServed() names the CE routes the mock does not serve (none now: all 79
// are served), and the test asserts they still answer "No route found", so
// the list stays exact.
// Enterprise-only prefixes answer 404 as on a Community Edition instance.
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "mock_pim/api/api.h"
#include "mock_pim/api/json_util.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1717243200);  // 2024-06-01

struct CeRoute {
  const char* method;
  const char* route;  // as the reference writes it
  const char* path;   // a concrete path for it, with seeded codes
};

// Section 9's list, in its order.
constexpr CeRoute kCeRoutes[] = {
    {"GET", "/api/rest/v1/products-uuid", "/api/rest/v1/products-uuid"},
    {"POST", "/api/rest/v1/products-uuid", "/api/rest/v1/products-uuid"},
    {"PATCH", "/api/rest/v1/products-uuid", "/api/rest/v1/products-uuid"},
    {"POST", "/api/rest/v1/products-uuid/search", "/api/rest/v1/products-uuid/search"},
    {"GET", "/api/rest/v1/products-uuid/{uuid}", "/api/rest/v1/products-uuid/00000000-0000-4000-8000-000000000000"},
    {"PATCH", "/api/rest/v1/products-uuid/{uuid}", "/api/rest/v1/products-uuid/00000000-0000-4000-8000-000000000000"},
    {"DELETE", "/api/rest/v1/products-uuid/{uuid}", "/api/rest/v1/products-uuid/00000000-0000-4000-8000-000000000000"},
    {"GET", "/api/rest/v1/products", "/api/rest/v1/products"},
    {"POST", "/api/rest/v1/products", "/api/rest/v1/products"},
    {"PATCH", "/api/rest/v1/products", "/api/rest/v1/products"},
    {"GET", "/api/rest/v1/products/{code}", "/api/rest/v1/products/product_000001"},
    {"PATCH", "/api/rest/v1/products/{code}", "/api/rest/v1/products/product_000001"},
    {"DELETE", "/api/rest/v1/products/{code}", "/api/rest/v1/products/product_000002"},
    {"GET", "/api/rest/v1/product-models", "/api/rest/v1/product-models"},
    {"POST", "/api/rest/v1/product-models", "/api/rest/v1/product-models"},
    {"PATCH", "/api/rest/v1/product-models", "/api/rest/v1/product-models"},
    {"GET", "/api/rest/v1/product-models/{code}", "/api/rest/v1/product-models/pm"},
    {"PATCH", "/api/rest/v1/product-models/{code}", "/api/rest/v1/product-models/pm"},
    {"DELETE", "/api/rest/v1/product-models/{code}", "/api/rest/v1/product-models/pm"},
    {"GET", "/api/rest/v1/media-files", "/api/rest/v1/media-files"},
    {"POST", "/api/rest/v1/media-files", "/api/rest/v1/media-files"},
    {"GET", "/api/rest/v1/media-files/{code}", "/api/rest/v1/media-files/a"},
    {"GET", "/api/rest/v1/media-files/{code}/download", "/api/rest/v1/media-files/a/download"},
    {"POST", "/api/rest/v1/jobs/export/{code}", "/api/rest/v1/jobs/export/csv_product_export"},
    {"POST", "/api/rest/v1/jobs/import/{code}", "/api/rest/v1/jobs/import/csv_product_import"},
    {"GET", "/api/rest/v1/families", "/api/rest/v1/families"},
    {"POST", "/api/rest/v1/families", "/api/rest/v1/families"},
    {"PATCH", "/api/rest/v1/families", "/api/rest/v1/families"},
    {"GET", "/api/rest/v1/families/{code}", "/api/rest/v1/families/family_1"},
    {"PATCH", "/api/rest/v1/families/{code}", "/api/rest/v1/families/family_1"},
    {"DELETE", "/api/rest/v1/families/{code}", "/api/rest/v1/families/nope"},
    {"GET", "/api/rest/v1/families/{family_code}/variants", "/api/rest/v1/families/family_1/variants"},
    {"POST", "/api/rest/v1/families/{family_code}/variants", "/api/rest/v1/families/family_1/variants"},
    {"PATCH", "/api/rest/v1/families/{family_code}/variants", "/api/rest/v1/families/family_1/variants"},
    {"GET", "/api/rest/v1/families/{family_code}/variants/{code}", "/api/rest/v1/families/family_1/variants/v"},
    {"PATCH", "/api/rest/v1/families/{family_code}/variants/{code}", "/api/rest/v1/families/family_1/variants/v"},
    {"GET", "/api/rest/v1/attributes", "/api/rest/v1/attributes"},
    {"POST", "/api/rest/v1/attributes", "/api/rest/v1/attributes"},
    {"PATCH", "/api/rest/v1/attributes", "/api/rest/v1/attributes"},
    {"GET", "/api/rest/v1/attributes/{code}", "/api/rest/v1/attributes/sku"},
    {"PATCH", "/api/rest/v1/attributes/{code}", "/api/rest/v1/attributes/sku"},
    {"GET", "/api/rest/v1/attributes/{attribute_code}/options", "/api/rest/v1/attributes/color/options"},
    {"POST", "/api/rest/v1/attributes/{attribute_code}/options", "/api/rest/v1/attributes/color/options"},
    {"PATCH", "/api/rest/v1/attributes/{attribute_code}/options", "/api/rest/v1/attributes/color/options"},
    {"GET", "/api/rest/v1/attributes/{attribute_code}/options/{code}", "/api/rest/v1/attributes/color/options/color_1"},
    {"PATCH", "/api/rest/v1/attributes/{attribute_code}/options/{code}", "/api/rest/v1/attributes/color/options/color_1"},
    {"GET", "/api/rest/v1/attribute-groups", "/api/rest/v1/attribute-groups"},
    {"POST", "/api/rest/v1/attribute-groups", "/api/rest/v1/attribute-groups"},
    {"PATCH", "/api/rest/v1/attribute-groups", "/api/rest/v1/attribute-groups"},
    {"GET", "/api/rest/v1/attribute-groups/{code}", "/api/rest/v1/attribute-groups/other"},
    {"PATCH", "/api/rest/v1/attribute-groups/{code}", "/api/rest/v1/attribute-groups/other"},
    {"GET", "/api/rest/v1/association-types", "/api/rest/v1/association-types"},
    {"POST", "/api/rest/v1/association-types", "/api/rest/v1/association-types"},
    {"PATCH", "/api/rest/v1/association-types", "/api/rest/v1/association-types"},
    {"GET", "/api/rest/v1/association-types/{code}", "/api/rest/v1/association-types/X_SELL"},
    {"PATCH", "/api/rest/v1/association-types/{code}", "/api/rest/v1/association-types/X_SELL"},
    {"GET", "/api/rest/v1/channels", "/api/rest/v1/channels"},
    {"POST", "/api/rest/v1/channels", "/api/rest/v1/channels"},
    {"PATCH", "/api/rest/v1/channels", "/api/rest/v1/channels"},
    {"GET", "/api/rest/v1/channels/{code}", "/api/rest/v1/channels/ecommerce"},
    {"PATCH", "/api/rest/v1/channels/{code}", "/api/rest/v1/channels/ecommerce"},
    {"GET", "/api/rest/v1/locales", "/api/rest/v1/locales"},
    {"GET", "/api/rest/v1/locales/{code}", "/api/rest/v1/locales/en_US"},
    {"GET", "/api/rest/v1/categories", "/api/rest/v1/categories"},
    {"POST", "/api/rest/v1/categories", "/api/rest/v1/categories"},
    {"PATCH", "/api/rest/v1/categories", "/api/rest/v1/categories"},
    {"GET", "/api/rest/v1/categories/{code}", "/api/rest/v1/categories/master"},
    {"PATCH", "/api/rest/v1/categories/{code}", "/api/rest/v1/categories/master"},
    {"POST", "/api/rest/v1/category-media-files", "/api/rest/v1/category-media-files"},
    {"GET", "/api/rest/v1/category-media-files/{file_path}/download", "/api/rest/v1/category-media-files/a/download"},
    {"GET", "/api/rest/v1/currencies", "/api/rest/v1/currencies"},
    {"GET", "/api/rest/v1/currencies/{code}", "/api/rest/v1/currencies/EUR"},
    {"GET", "/api/rest/v1/measure-families", "/api/rest/v1/measure-families"},
    {"GET", "/api/rest/v1/measure-families/{code}", "/api/rest/v1/measure-families/Weight"},
    {"GET", "/api/rest/v1/measurement-families", "/api/rest/v1/measurement-families"},
    {"PATCH", "/api/rest/v1/measurement-families", "/api/rest/v1/measurement-families"},
    {"GET", "/api/rest/v1", "/api/rest/v1"},
    {"POST", "/api/oauth/v1/token", "/api/oauth/v1/token"},
    {"GET", "/api/rest/v1/system-information", "/api/rest/v1/system-information"},
};

// Served by the HTTP shell in front of Api, which answers it "No route found".
constexpr char kTokenRoute[] = "POST /api/oauth/v1/token";

// "METHOD route" of the CE routes the mock does not serve.
const std::set<std::string>& NotServed() {
  static const auto* kNotServed = new std::set<std::string>{
  };
  return *kNotServed;
}

class CeRoutesTest : public testing::Test {
 protected:
  void SetUp() override {
    pimsim::v1::SeedData seed;
    seed.set_products(5);
    absl::StatusOr<std::unique_ptr<Api>> api = Api::Create("", seed, 7);
    ASSERT_TRUE(api.ok()) << api.status();
    api_ = *std::move(api);
  }

  // A request as a client would send it: a JSON object body on POST and
  // single PATCH, one NDJSON line on a collection PATCH.
  ApiResponse Send(std::string_view method, std::string_view path) {
    ApiRequest req;
    req.method = method;
    req.path = path;
    const bool upload = method == "POST" && EndsWith(path, "media-files");
    if (upload) {
      // An upload is multipart: one file, onto a value the instance has.
      req.content_type = "multipart/form-data; boundary=B";
      req.body =
          "--B\r\nContent-Disposition: form-data; name=\"product\"\r\n\r\n"
          "{\"identifier\":\"product_000001\",\"attribute\":\"name\"}\r\n"
          "--B\r\nContent-Disposition: form-data; name=\"category\"\r\n\r\n"
          "{\"code\":\"master\",\"attribute_code\":\"a\"}\r\n"
          "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
          "\r\nx\r\n--B--\r\n";
    } else if (method == "POST") {
      req.content_type = "application/json";
      req.body = "{}";
    } else if (path == "/api/rest/v1/measurement-families") {
      // A JSON array in, a JSON array out: not NDJSON.
      req.content_type = "application/json";
      req.body = "[]";
    } else if (method == "PATCH") {
      const bool collection = path.rfind("/api/rest/v1/", 0) == 0 &&
                              Classify(method, path, "").kind == RouteKind::kBatch;
      req.content_type = collection ? kCollectionContentType : kJsonContentType;
      req.body = collection ? R"({"code":"x"})" : "{}";
    }
    req.connection = "pimsim";
    req.username = "admin";
    return api_->Handle(req, kNow);
  }

  // The router's answers for a path it does not know (404 "No route found")
  // or a method it does not route there (405 "No route found ...: Method
  // Not Allowed").
  static bool IsNoRoute(const ApiResponse& r) {
    if (r.status != 404 && r.status != 405) return false;
    std::optional<Json> body = ParseJson(r.body);
    return body.has_value() && body->is_object() && (*body)["message"].is_string() &&
           (*body)["message"].get<std::string>().rfind("No route found", 0) == 0;
  }

  std::unique_ptr<Api> api_;
};

TEST_F(CeRoutesTest, TheReferenceListsSeventyNineRoutes) {
  std::set<std::string> distinct;
  for (const CeRoute& r : kCeRoutes) distinct.insert(Cat(r.method, " ", r.route));
  EXPECT_EQ(distinct.size(), 79u);
  for (const std::string& r : NotServed()) {
    EXPECT_TRUE(distinct.count(r) == 1) << r << " is not a CE route";
  }
}

TEST_F(CeRoutesTest, EveryServedRouteIsRouted) {
  int served = 0;
  for (const CeRoute& r : kCeRoutes) {
    const std::string key = Cat(r.method, " ", r.route);
    const ApiResponse resp = Send(r.method, r.path);
    if (key == kTokenRoute) {
      ++served;
      EXPECT_TRUE(IsNoRoute(resp)) << key << ": " << resp.body;
      continue;
    }
    if (NotServed().count(key) == 1) {
      EXPECT_TRUE(IsNoRoute(resp)) << key << " is served: drop it from kNotServed";
      continue;
    }
    ++served;
    EXPECT_FALSE(IsNoRoute(resp)) << key << " (" << r.path << "): " << resp.body;
    EXPECT_NE(resp.status, 415) << key << ": " << resp.body;
  }
  EXPECT_EQ(served, 79 - static_cast<int>(NotServed().size()));
}

// A route template with every "{placeholder}" as "{}".
std::string Shape(std::string_view route) {
  std::string out;
  bool in_placeholder = false;
  for (char c : route) {
    if (c == '{') in_placeholder = true;
    if (!in_placeholder) out.push_back(c);
    if (c == '}') {
      in_placeholder = false;
      out += "{}";
    }
  }
  return out;
}

TEST_F(CeRoutesTest, TheRootListsEveryServedRoute) {
  const ApiResponse root = Send("GET", "/api/rest/v1");
  ASSERT_EQ(root.status, 200);
  const std::optional<Json> body = ParseJson(root.body);
  ASSERT_TRUE(body.has_value());
  std::set<std::string> listed;
  for (const auto& [name, r] : body->at("routes").items()) {
    for (const Json& m : r["methods"]) {
      listed.insert(Cat(m.get<std::string>(), " ", Shape(r["route"].get<std::string>())));
    }
  }
  for (const CeRoute& r : kCeRoutes) {
    const std::string key = Cat(r.method, " ", r.route);
    if (key == kTokenRoute || key == "GET /api/rest/v1" || NotServed().count(key) == 1) {
      continue;
    }
    EXPECT_EQ(listed.count(Cat(r.method, " ", Shape(r.route))), 1u) << key;
  }
}

TEST_F(CeRoutesTest, EnterpriseOnlyPrefixesAreUnknownRoutes) {
  for (const char* path :
       {"/api/rest/v1/published-products", "/api/rest/v1/published-products/a",
        "/api/rest/v1/reference-entities", "/api/rest/v1/reference-entities/a/records",
        "/api/rest/v1/reference-entities-media-files", "/api/rest/v1/asset-families",
        "/api/rest/v1/asset-families/a/assets", "/api/rest/v1/asset-media-files",
        "/api/rest/v1/assets", "/api/rest/v1/asset-categories",
        "/api/rest/v1/asset-tags", "/api/rest/v1/products/a/draft",
        "/api/rest/v1/products/a/proposal", "/api/rest/v1/product-models/a/draft"}) {
    EXPECT_TRUE(IsNoRoute(Send("GET", path))) << path;
  }
}

}  // namespace
}  // namespace pimsim::api
