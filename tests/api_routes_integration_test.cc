// Every route family of the mock's Akeneo API over real sockets, with the
// documented statuses, headers and body shapes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/url.h"
#include "tests/http_test_client.h"
#include "tests/test_server.h"

namespace pimsim::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr char kJson[] = "application/json";
constexpr char kCollection[] = "application/vnd.akeneo.collection+json";

class ApiRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer("instances { name: 'default' seed { products: 30 attributes: 10 categories: 6 } "
                             "limits { enabled: false } }" + FixedLatency(absl::ZeroDuration()));
  }
  static void TearDownTestSuite() { delete server_; }
  void SetUp() override {
    token_ = *BearerToken(server_->port());
    client_ = std::make_unique<TestClient>(server_->port());
  }

  TestResponse Call(const std::string& method, const std::string& target, const std::string& body = "",
                    const std::string& content_type = kJson) {
    std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", token_}};
    if (!body.empty()) headers.push_back({"Content-Type", content_type});
    absl::StatusOr<TestResponse> r = client_->Call(method, target, headers, body);
    EXPECT_TRUE(r.ok()) << method << " " << target << ": " << r.status();
    return r.ok() ? *r : TestResponse{};
  }
  Json CallJson(const std::string& method, const std::string& target, int status) {
    TestResponse r = Call(method, target);
    EXPECT_EQ(r.status, status) << method << " " << target << ": " << r.body;
    EXPECT_THAT(r.Header("content-type"), HasSubstr(kJson));
    return Json::parse(r.body, nullptr, false);
  }

  static TestServer* server_;
  std::string token_;
  std::unique_ptr<TestClient> client_;
};
TestServer* ApiRoutesTest::server_ = nullptr;

TEST_F(ApiRoutesTest, RootListsRoutesWithoutToken) {
  TestClient anonymous(server_->port());
  absl::StatusOr<TestResponse> r = anonymous.Call("GET", "/api/rest/v1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr("/api/rest/v1/products"));
}

TEST_F(ApiRoutesTest, RefreshGrantOverTheWire) {
  TestClient c(server_->port());
  absl::StatusOr<TestResponse> first = c.Call(
      "POST", "/api/oauth/v1/token", {{"Authorization", BasicAuth("pimsim", "pimsim")}, {"Content-Type", kJson}},
      R"({"grant_type":"password","username":"admin","password":"admin"})");
  ASSERT_TRUE(first.ok());
  Json pair = Json::parse(first->body);
  EXPECT_EQ(pair["expires_in"], 3600);
  absl::StatusOr<TestResponse> refreshed = c.Call(
      "POST", "/api/oauth/v1/token",
      {{"Authorization", BasicAuth("pimsim", "pimsim")}, {"Content-Type", "application/x-www-form-urlencoded"}},
      absl::StrCat("grant_type=refresh_token&refresh_token=", pair["refresh_token"].get<std::string>()));
  ASSERT_TRUE(refreshed.ok());
  EXPECT_EQ(refreshed->status, 200) << refreshed->body;
  EXPECT_NE(Json::parse(refreshed->body)["access_token"], pair["access_token"]);
}

TEST_F(ApiRoutesTest, ProductsListGetCreateUpdateDelete) {
  Json page = CallJson("GET", "/api/rest/v1/products?limit=10&with_count=true", 200);
  EXPECT_EQ(page["items_count"], 30);
  EXPECT_EQ(page["current_page"], 1);
  ASSERT_EQ(page["_embedded"]["items"].size(), 10u);
  EXPECT_TRUE(page["_links"].contains("next"));
  EXPECT_FALSE(page["_links"].contains("previous"));
  std::string first = page["_embedded"]["items"][0]["identifier"].get<std::string>();
  Json product = CallJson("GET", "/api/rest/v1/products/" + first, 200);
  EXPECT_EQ(product["identifier"], first);
  EXPECT_TRUE(product.contains("values"));
  std::string family = product["family"].get<std::string>();

  TestResponse created = Call("POST", "/api/rest/v1/products",
                              Json{{"identifier", "new-1"}, {"family", family}}.dump());
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_THAT(created.Header("location"), HasSubstr("/api/rest/v1/products/new-1"));
  TestResponse again = Call("POST", "/api/rest/v1/products", Json{{"identifier", "new-1"}}.dump());
  EXPECT_EQ(again.status, 422);

  TestResponse updated = Call("PATCH", "/api/rest/v1/products/new-1", R"({"enabled":false})");
  EXPECT_EQ(updated.status, 204) << updated.body;
  EXPECT_THAT(updated.Header("location"), HasSubstr("/api/rest/v1/products/new-1"));
  EXPECT_EQ(CallJson("GET", "/api/rest/v1/products/new-1", 200)["enabled"], false);
  TestResponse upserted = Call("PATCH", "/api/rest/v1/products/new-2", R"({"identifier":"new-2"})");
  EXPECT_EQ(upserted.status, 201) << upserted.body;

  EXPECT_EQ(Call("DELETE", "/api/rest/v1/products/new-2").status, 204);
  Json gone = CallJson("GET", "/api/rest/v1/products/new-2", 404);
  EXPECT_EQ(gone["code"], 404);
  EXPECT_THAT(gone["message"].get<std::string>(), HasSubstr("does not exist"));
}

TEST_F(ApiRoutesTest, ProductsBatchPatchStreamsOneLinePerInput) {
  std::string body = R"({"identifier":"batch-1"})" "\n" R"({"identifier":"batch-1","enabled":false})" "\n"
                     "not json\n" R"({"enabled":true})";
  TestResponse r = Call("PATCH", "/api/rest/v1/products", body, kCollection);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.Header("content-type"), HasSubstr(kCollection));
  std::vector<std::string> lines = absl::StrSplit(r.body, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u) << r.body;
  EXPECT_EQ(Json::parse(lines[0])["status_code"], 201);
  EXPECT_EQ(Json::parse(lines[0])["line"], 1);
  EXPECT_EQ(Json::parse(lines[0])["identifier"], "batch-1");
  EXPECT_EQ(Json::parse(lines[1])["status_code"], 204);
  EXPECT_EQ(Json::parse(lines[2])["status_code"], 400);
  EXPECT_EQ(Json::parse(lines[3])["status_code"], 422);
}

TEST_F(ApiRoutesTest, ProductsSearchAndSearchAfterWalk) {
  std::string search = url::PercentEncode(R"({"enabled":[{"operator":"=","value":true}]})");
  Json enabled = CallJson("GET", "/api/rest/v1/products?with_count=true&limit=100&search=" + search, 200);
  for (const auto& p : enabled["_embedded"]["items"]) EXPECT_EQ(p["enabled"], true);

  std::set<std::string> seen;
  std::string target = "/api/rest/v1/products?pagination_type=search_after&limit=7";
  for (int pages = 0; pages < 20 && !target.empty(); ++pages) {
    Json page = CallJson("GET", target, 200);
    for (const auto& p : page["_embedded"]["items"]) {
      EXPECT_TRUE(seen.insert(p["identifier"].get<std::string>()).second);
    }
    target = page["_links"].contains("next") ? page["_links"]["next"]["href"].get<std::string>() : "";
  }
  Json count = CallJson("GET", "/api/rest/v1/products?with_count=true", 200);
  EXPECT_EQ(seen.size(), count["items_count"].get<size_t>());
}

TEST_F(ApiRoutesTest, ProductsByUuid) {
  Json page = CallJson("GET", "/api/rest/v1/products-uuid?limit=1", 200);
  std::string uuid = page["_embedded"]["items"][0]["uuid"].get<std::string>();
  Json product = CallJson("GET", "/api/rest/v1/products-uuid/" + uuid, 200);
  EXPECT_EQ(product["uuid"], uuid);
  TestResponse r = Call("PATCH", "/api/rest/v1/products-uuid/" + uuid, R"({"enabled":true})");
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(CallJson("GET", "/api/rest/v1/products-uuid/00000000-0000-4000-8000-000000000000", 404)["code"], 404);
}

TEST_F(ApiRoutesTest, AttributesAndOptions) {
  Json attrs = CallJson("GET", "/api/rest/v1/attributes?limit=100", 200);
  std::string select;
  for (const auto& a : attrs["_embedded"]["items"]) {
    if (a["type"] == "pim_catalog_multiselect") select = a["code"].get<std::string>();
  }
  ASSERT_FALSE(select.empty());
  EXPECT_EQ(CallJson("GET", "/api/rest/v1/attributes/" + select, 200)["code"], select);
  TestResponse created = Call("POST", "/api/rest/v1/attributes",
                              R"({"code":"new_text","type":"pim_catalog_text","group":"other"})");
  EXPECT_EQ(created.status, 201) << created.body;

  std::string options = "/api/rest/v1/attributes/" + select + "/options";
  Json list = CallJson("GET", options + "?with_count=true", 200);
  EXPECT_GT(list["items_count"].get<int>(), 0);
  std::string option = list["_embedded"]["items"][0]["code"].get<std::string>();
  EXPECT_EQ(CallJson("GET", options + "/" + option, 200)["attribute"], select);
  EXPECT_EQ(Call("POST", options, R"({"code":"brand_new"})").status, 201);
  EXPECT_EQ(Call("PATCH", options + "/brand_new", R"({"labels":{"en_US":"Brand new"}})").status, 204);
  EXPECT_EQ(Call("DELETE", options + "/brand_new").status, 405);
}

TEST_F(ApiRoutesTest, FamiliesCategoriesChannelsLocales) {
  for (const char* resource : {"families", "categories", "channels", "locales"}) {
    Json page = CallJson("GET", absl::StrCat("/api/rest/v1/", resource, "?with_count=true"), 200);
    ASSERT_GT(page["items_count"].get<int>(), 0) << resource;
    std::string code = page["_embedded"]["items"][0]["code"].get<std::string>();
    EXPECT_EQ(CallJson("GET", absl::StrCat("/api/rest/v1/", resource, "/", code), 200)["code"], code);
  }
  EXPECT_EQ(Call("PATCH", "/api/rest/v1/categories/new_cat", R"({"parent":"master"})").status, 201);
  EXPECT_EQ(Call("PATCH", "/api/rest/v1/families/new_family", R"({"attributes":["sku"]})").status, 201);
  EXPECT_EQ(Call("POST", "/api/rest/v1/locales", R"({"code":"xx_XX"})").status, 405);
  TestResponse batch = Call("PATCH", "/api/rest/v1/categories",
                            R"({"code":"c_batch","parent":"master"})" "\n" R"({"code":"c_batch"})", kCollection);
  EXPECT_EQ(batch.status, 200);
  EXPECT_THAT(batch.body, HasSubstr(R"("code":"c_batch")"));
}

}  // namespace
}  // namespace pimsim::testing
