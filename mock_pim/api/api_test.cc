#include "mock_pim/api/api.h"

#include <set>
#include <string>

#include "gtest/gtest.h"
#include "mock_pim/api/api_fixture.h"
#include "mock_pim/api/json_util.h"
#include "common/url.h"

namespace pimsim::api {
namespace {

class ApiTest : public ApiFixture {
 protected:
  void SetUp() override { Build("", 25); }
};

// --- Root, routing and headers ------------------------------------------------

TEST_F(ApiTest, RootListsRoutes) {
  ApiResponse r = Get("/api/rest/v1");
  ASSERT_EQ(r.status, 200);
  Json b = Body(r);
  EXPECT_EQ(b["routes"]["pim_api_product_get"]["route"],
            "/api/rest/v1/products/{code}");
  EXPECT_EQ(b["authentication"]["fos_oauth_server_token"]["route"],
            "/api/oauth/v1/token");
}

TEST_F(ApiTest, UnknownRouteIs404WithSymfonyMessage) {
  ExpectError(Get("/api/rest/v1/nope"), 404,
              "No route found for \"GET /api/rest/v1/nope\"");
}

TEST_F(ApiTest, UnsupportedMethodIs405WithAllow) {
  ApiResponse r = Call("DELETE", "/api/rest/v1/attributes/sku");
  ExpectError(r, 405,
              "No route found for \"DELETE /api/rest/v1/attributes/sku\": "
              "Method Not Allowed (Allow: GET, PATCH)");
  EXPECT_EQ(r.allow, "GET, PATCH");
  EXPECT_EQ(Call("POST", "/api/rest/v1/locales", "{}").status, 405);
}

TEST_F(ApiTest, AcceptHeaderNegotiation) {
  for (const char* ok : {"", "application/json", "*/*", "application/*",
                         "application/json; charset=utf-8",
                         "text/html, application/json;q=0.9",
                         "Application/JSON"}) {
    EXPECT_EQ(Get("/api/rest/v1/channels/ecommerce", ok).status, 200) << ok;
  }
  ExpectError(Get("/api/rest/v1/channels/ecommerce", "text/html"), 406,
              "\"text/html\" in \"Accept\" header is not valid. Only "
              "\"application/json\" is allowed.");
  EXPECT_EQ(Get("/api/rest/v1/channels/ecommerce", "application/xml").status, 406);
}

TEST_F(ApiTest, ContentTypeErrors) {
  ExpectError(Call("POST", "/api/rest/v1/families", R"({"code":"f"})", ""), 415,
              "The \"Content-Type\" header is missing. \"application/json\" "
              "has to be specified as value.");
  ExpectError(Call("PATCH", "/api/rest/v1/families/f", "{}", "text/plain"), 415,
              "\"text/plain\" in \"Content-Type\" header is not valid. Only "
              "\"application/json\" is allowed.");
  ExpectError(Call("PATCH", "/api/rest/v1/products", "{}", "application/json"),
              415,
              "\"application/json\" in \"Content-Type\" header is not valid. "
              "Only \"application/vnd.akeneo.collection+json\" is allowed.");
  EXPECT_EQ(Call("POST", "/api/rest/v1/families", R"({"code":"fam_x"})",
                 "application/json; charset=UTF-8")
                .status,
            201);
}

TEST_F(ApiTest, InvalidJsonBodiesAre400) {
  for (const char* bad : {"{", "", "[]", "\"x\"", "12"}) {
    ExpectError(Call("PATCH", "/api/rest/v1/products/p1", bad), 400,
                "Invalid json message received");
  }
}

// Request text echoed into a message (percent-decoded codes, headers, query
// values) may be any bytes; the body must still be valid UTF-8 JSON, with
// U+FFFD in place of the invalid bytes. Json::parse throws on invalid UTF-8.
TEST_F(ApiTest, EchoedRequestTextIsValidUtf8) {
  const std::string fffd = "\xef\xbf\xbd";
  ExpectError(Get("/api/rest/v1/products/%FF"), 404,
              "Product \"" + fffd + "\" does not exist or you do not "
              "have permission to access it.");
  ExpectError(Get("/api/rest/v1/families/a%C3"), 404,
              "Family \"a" + fffd + "\" does not exist.");
  ExpectError(Get("/api/rest/v1/attributes/color/options/%E2%82"), 404,
              "Attribute option \"" + fffd +
                  "\" does not exist or is not an option of the attribute \"color\".");
  ExpectError(Get("/api/rest/v1/\xff"), 404,
              "No route found for \"GET /api/rest/v1/" + fffd + "\"");
  ExpectError(Get("/api/rest/v1/channels/ecommerce", "\xff"), 406,
              "\"" + fffd + "\" in \"Accept\" header is not valid. Only "
              "\"application/json\" is allowed.");
  ExpectError(Call("PATCH", "/api/rest/v1/families/f", "{}", "\xff"), 415,
              "\"" + fffd + "\" in \"Content-Type\" header is not valid. Only "
              "\"application/json\" is allowed.");
  ExpectError(Get("/api/rest/v1/products?limit=%FF"), 422,
              "\"" + fffd + "\" is not a valid limit number.");
  ApiResponse mismatch =
      Call("PATCH", "/api/rest/v1/products/%FF", R"({"identifier":"other"})");
  EXPECT_EQ(mismatch.status, 422);
  EXPECT_EQ(Body(mismatch)["code"], 422);
}

// --- Limits on request JSON (json_util.h) --------------------------------------

std::string Deep(size_t levels) {
  return std::string(levels, '[') + std::string(levels, ']');
}

constexpr char kTooDeep[] =
    "Invalid json message received: objects and arrays nest more than 64 levels deep.";
constexpr char kTooManyKeys[] = "Invalid json message received: an object has more than 1000 keys.";

// Regression: ~43,000 levels in values[].data (an 86 KB body), 65,000 in
// associations or a family's attribute_requirements, and the same in a batch
// line or a search filter overflowed the stack (SIGSEGV).
TEST_F(ApiTest, DeeplyNestedJsonIsRefusedWith400) {
  ExpectError(Call("PATCH", "/api/rest/v1/products/product_000001",
                   R"({"values":{"name":[{"locale":null,"scope":null,"data":)" + Deep(43000) +
                       "}]}}"),
              400, kTooDeep);
  std::string associations = R"({"associations":)";
  for (int i = 0; i < 65000; ++i) associations += R"({"x":)";
  associations += "1" + std::string(65000 + 1, '}');
  ExpectError(Call("PATCH", "/api/rest/v1/products/product_000001", associations), 400, kTooDeep);
  ExpectError(Call("POST", "/api/rest/v1/families",
                   R"({"code":"deep","attribute_requirements":{"ecommerce":)" + Deep(65000) + "}}"),
              400, kTooDeep);
  ApiResponse batch = Batch("/api/rest/v1/products",
                            R"({"identifier":"ok1"})" "\n" R"({"identifier":"deep","x":)" +
                                Deep(65000) + "}");
  ASSERT_EQ(batch.status, 200);
  std::vector<Json> lines = Lines(batch);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["status_code"], 201);
  EXPECT_EQ(DumpJson(lines[1]),
            std::string(R"({"line":2,"status_code":400,"message":")") + kTooDeep + "\"}");
  ExpectError(Get("/api/rest/v1/products?search=" + url::PercentEncode(Deep(10000))), 400,
              kTooDeep);
  // Akeneo's own documents are far from the limit.
  EXPECT_EQ(Call("PATCH", "/api/rest/v1/products/product_000001",
                 R"({"associations":{"X_SELL":{"products":["product_000002"]}}})")
                .status,
            204);
}

// Regression: ordered_json looks keys up linearly: 80,000 keys (868 KB) cost
// 4.3 s and 16,000 value entries 6.8 s of one event loop's time.
TEST_F(ApiTest, OversizedJsonIsRefusedWith413) {
  std::string keys = R"({"values":{)";
  for (int i = 0; i < 100000; ++i) keys += (i ? ",\"a" : "\"a") + std::to_string(i) + "\":[]";
  keys += "}}";
  ExpectError(Call("PATCH", "/api/rest/v1/products/product_000001", keys), 413, kTooManyKeys);
  std::string entries = R"({"values":{"name":[)";
  for (int i = 0; i < 16000; ++i) {
    entries += std::string(i ? "," : "") + R"({"locale":"l)" + std::to_string(i) +
               R"(","scope":null,"data":"x"})";
  }
  entries += "]}}";
  ExpectError(Call("PATCH", "/api/rest/v1/products/product_000001", entries), 413,
              "Invalid json message received: an array has more than 10000 items.");
  ApiResponse batch = Batch("/api/rest/v1/products", R"({"identifier":"big",)" + keys.substr(1));
  ASSERT_EQ(batch.status, 200);
  EXPECT_EQ(Lines(batch)[0]["status_code"], 413);
  std::string filter = "{";
  for (int i = 0; i < 1001; ++i) filter += (i ? ",\"p" : "\"p") + std::to_string(i) + "\":[]";
  ExpectError(Get("/api/rest/v1/products?search=" + url::PercentEncode(filter + "}")), 413,
              kTooManyKeys);
}

TEST_F(ApiTest, AValidationFailureListsAtMostAHundredErrors) {
  std::string entries = R"({"values":{"name":[)";
  for (int i = 0; i < 5000; ++i) {
    entries += std::string(i ? "," : "") + R"({"locale":"l)" + std::to_string(i) +
               R"(","scope":null,"data":"x"})";
  }
  entries += "]}}";
  ApiResponse r = Call("PATCH", "/api/rest/v1/products/product_000001", entries);
  ASSERT_EQ(r.status, 422) << r.body.substr(0, 200);
  EXPECT_EQ(Body(r)["errors"].size(), 100u);
}

// --- Products -----------------------------------------------------------------

TEST_F(ApiTest, GetProductReturnsSeededDocument) {
  ApiResponse r = Get("/api/rest/v1/products/product_000001");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  Json b = Body(r);
  EXPECT_EQ(b["identifier"], "product_000001");
  EXPECT_EQ(b["uuid"].get<std::string>().size(), 36u);
  EXPECT_TRUE(b["parent"].is_null());
  EXPECT_TRUE(b["associations"].is_object());
  // The identifier is at the root, not repeated in the values.
  EXPECT_FALSE(b["values"].contains("sku"));
  // Same product by uuid: the identifier is the sku value, not at the root.
  Json by_uuid = Body(Get("/api/rest/v1/products-uuid/" + b["uuid"].get<std::string>()));
  EXPECT_FALSE(by_uuid.contains("identifier"));
  EXPECT_EQ(by_uuid["values"]["sku"][0]["data"], "product_000001");
  by_uuid["identifier"] = b["identifier"];
  by_uuid["values"].erase("sku");
  EXPECT_EQ(by_uuid.size(), b.size());
  for (const auto& [key, value] : b.items()) EXPECT_EQ(by_uuid[key], value) << key;
}

TEST_F(ApiTest, UnknownProductIs404) {
  ExpectError(Get("/api/rest/v1/products/nope"), 404,
              "Product \"nope\" does not exist or you do not "
              "have permission to access it.");
  ExpectError(Get("/api/rest/v1/products/a%20b"), 404,
              "Product \"a b\" does not exist or you do not "
              "have permission to access it.");
  EXPECT_EQ(Get("/api/rest/v1/products-uuid/not-a-uuid").status, 404);
}

// Found by api_fuzzer: a decoded code that is not UTF-8 went into the body
// as it was, which made the body something other than JSON.
TEST_F(ApiTest, CodesThatAreNotUtf8StillGetJsonBodies) {
  ExpectError(Get("/api/rest/v1/products/%FF"), 404,
              "Product \"\xef\xbf\xbd\" does not exist or you do not "
              "have permission to access it.");
  ASSERT_EQ(Call("PATCH", "/api/rest/v1/products/caf%E9", "{}").status, 201);
  ApiResponse r = Get("/api/rest/v1/products/caf%E9");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Body(r)["identifier"], "caf\xef\xbf\xbd");
  EXPECT_TRUE(ParseJson(Get("/api/rest/v1/products?limit=100").body).has_value());
}

TEST_F(ApiTest, CreateProductThenConflict) {
  const std::string body =
      R"({"identifier":"new sku/1","family":"family_1","categories":["master"],
          "values":{"name":[{"locale":"en_US","scope":null,"data":"Hat"}]}})";
  ApiResponse r = Call("POST", "/api/rest/v1/products", body);
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(r.content_type.empty());
  EXPECT_EQ(r.location, "/api/rest/v1/products/new%20sku%2F1");
  ApiResponse got = Get("/api/rest/v1/products/new%20sku%2F1");
  ASSERT_EQ(got.status, 200);
  Json p = Body(got);
  EXPECT_EQ(p["family"], "family_1");
  EXPECT_EQ(p["created"], "2024-06-01T12:00:00+00:00");
  EXPECT_EQ(p["values"]["name"][0]["data"], "Hat");
  EXPECT_EQ(Body(Get("/api/rest/v1/products-uuid/" + p["uuid"].get<std::string>()))
                ["values"]["sku"][0]["data"],
            "new sku/1");
  EXPECT_EQ(api_->ProductCount(), 26u);

  ApiResponse dup = Call("POST", "/api/rest/v1/products", body);
  EXPECT_EQ(dup.status, 422);
  Json e = Body(dup);
  EXPECT_EQ(e["message"], "Validation failed.");
  EXPECT_EQ(e["errors"][0]["property"], "identifier");
}

TEST_F(ApiTest, PatchUpsertsWithMergeRules) {
  ApiResponse created = Call("PATCH", "/api/rest/v1/products/p1",
                             R"({"values":{"name":[
                                 {"locale":"en_US","scope":null,"data":"A"},
                                 {"locale":"fr_FR","scope":null,"data":"B"}]}})");
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.location, "/api/rest/v1/products/p1");
  ApiResponse updated = Call("PATCH", "/api/rest/v1/products/p1",
                             R"({"enabled":false,"values":{"name":[
                                 {"locale":"fr_FR","scope":null,"data":null}]}})");
  EXPECT_EQ(updated.status, 204) << updated.body;
  EXPECT_EQ(updated.location, "/api/rest/v1/products/p1");
  Json p = Body(Get("/api/rest/v1/products/p1"));
  EXPECT_EQ(p["enabled"], false);
  ASSERT_EQ(p["values"]["name"].size(), 1u);
  EXPECT_EQ(p["values"]["name"][0]["locale"], "en_US");
}

TEST_F(ApiTest, PatchTypeMismatchIs422WithDocumentation) {
  ApiResponse r = Call("PATCH", "/api/rest/v1/products/product_000001",
                       R"({"categories":null})");
  EXPECT_EQ(r.status, 422);
  Json b = Body(r);
  EXPECT_EQ(b["message"],
            "Property \"categories\" expects an array as data, \"NULL\" given. "
            "Check the expected format on the API documentation.");
  EXPECT_EQ(b["_links"]["documentation"]["href"],
            "http://api.akeneo.com/api-reference.html#patch_products__code_");
  r = Call("PATCH", "/api/rest/v1/families/family_1", R"({"labels":null})");
  EXPECT_EQ(r.status, 422);
  r = Call("PATCH", "/api/rest/v1/products/p", R"({"colour":"red"})");
  EXPECT_EQ(Body(r)["message"],
            "Property \"colour\" does not exist. Check the expected format on "
            "the API documentation.");
}

TEST_F(ApiTest, PatchIdentifierMismatchIs422) {
  ExpectError(Call("PATCH", "/api/rest/v1/products/a", R"({"identifier":"b"})"),
              422,
              "The identifier \"b\" provided in the request body must match "
              "the identifier \"a\" provided in the url.");
}

struct InvalidProduct {
  const char* body;
  const char* property;
  const char* attribute;  // for values errors
};

class ProductValidationTest : public ApiTest,
                              public testing::WithParamInterface<InvalidProduct> {};

TEST_P(ProductValidationTest, Refuses) {
  ApiResponse r = Call("PATCH", "/api/rest/v1/products/vp", GetParam().body);
  ASSERT_EQ(r.status, 422) << r.body;
  Json b = Body(r);
  EXPECT_EQ(b["message"], "Validation failed.");
  ASSERT_FALSE(b["errors"].empty()) << r.body;
  EXPECT_EQ(b["errors"][0]["property"], GetParam().property) << r.body;
  if (GetParam().attribute != nullptr) {
    EXPECT_EQ(b["errors"][0]["attribute"], GetParam().attribute) << r.body;
  }
  EXPECT_EQ(Get("/api/rest/v1/products/vp").status, 404);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ProductValidationTest,
    testing::Values(
        InvalidProduct{R"({"family":"nope"})", "family", nullptr},
        InvalidProduct{R"({"groups":["g"]})", "groups", nullptr},
        InvalidProduct{R"({"parent":"pm"})", "parent", nullptr},
        InvalidProduct{R"({"values":{"weight":[{"locale":null,"scope":null,"data":"heavy"}]}})", "values", "weight"},
        InvalidProduct{R"({"values":{"featured":[{"locale":null,"scope":null,"data":"yes"}]}})", "values", "featured"},
        InvalidProduct{R"({"values":{"release_date":[{"locale":null,"scope":null,"data":"June"}]}})", "values", "release_date"},
        InvalidProduct{R"({"values":{"color":[{"locale":null,"scope":null,"data":"nope"}]}})", "values", "color"},
        InvalidProduct{R"({"values":{"materials":[{"locale":null,"scope":null,"data":["materials_1","x"]}]}})", "values", "materials"},
        InvalidProduct{R"({"values":{"price":[{"locale":null,"scope":null,"data":[{"amount":"1","currency":"XXX"}]}]}})", "values", "price"},
        InvalidProduct{R"({"values":{"name":[{"locale":null,"scope":null,"data":"x"}]}})", "values", "name"},
        InvalidProduct{R"({"values":{"name":[{"locale":"es_ES","scope":null,"data":"x"}]}})", "values", "name"},
        InvalidProduct{R"({"values":{"weight":[{"locale":"en_US","scope":null,"data":1}]}})", "values", "weight"},
        InvalidProduct{R"({"values":{"description":[{"locale":"de_DE","scope":"mobile","data":"x"}]}})", "values", "description"}));

// An unknown category or attribute is refused before validation, with a
// documented 422 rather than errors[]: the first one in the body's order.
TEST_F(ApiTest, UnknownCategoryOrAttributeIsADocumented422) {
  ApiResponse r = Call("PATCH", "/api/rest/v1/products/vp",
                       R"({"values":{"nope":[{"locale":null,"scope":null,"data":"x"}]},)"
                       R"("categories":["nowhere"]})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body,
            R"({"code":422,"message":"The nope attribute does not exist in your PIM. )"
            R"(Check the expected format on the API documentation.","_links":)"
            R"({"documentation":{"href":"http://api.akeneo.com/api-reference.html#patch_products__code_"}}})");
  r = Call("PATCH", "/api/rest/v1/products/vp", R"({"categories":["master","nowhere"]})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["message"],
            "The nowhere category does not exist in your PIM. Check the expected "
            "format on the API documentation.");
  EXPECT_EQ(Get("/api/rest/v1/products/vp").status, 404);
}

TEST_F(ApiTest, ValidValuesOfEveryTypeAreAccepted) {
  ApiResponse r = Call("PATCH", "/api/rest/v1/products/typed", R"({"values":{
      "name":[{"locale":"en_US","scope":null,"data":"x"}],
      "description":[{"locale":"de_DE","scope":"ecommerce","data":"x"}],
      "weight":[{"locale":null,"scope":null,"data":"12.5"}],
      "featured":[{"locale":null,"scope":null,"data":true}],
      "release_date":[{"locale":null,"scope":null,"data":"2024-01-02"}],
      "price":[{"locale":null,"scope":null,"data":[{"amount":"1.00","currency":"EUR"}]}],
      "color":[{"locale":null,"scope":null,"data":"color_2"}],
      "materials":[{"locale":null,"scope":null,"data":["materials_1"]}]}})");
  EXPECT_EQ(r.status, 201) << r.body;
}

TEST_F(ApiTest, EveryProductPatchedWithNothingIsUnchanged) {
  Json page = Body(Get("/api/rest/v1/products?limit=100"));
  for (const Json& item : page["_embedded"]["items"]) {
    const std::string id = item["identifier"];
    const std::string before = Get("/api/rest/v1/products/" + id).body;
    ApiResponse r = Call("PATCH", "/api/rest/v1/products/" + id, "{}");
    EXPECT_EQ(r.status, 204) << id << " " << r.body;
    EXPECT_EQ(Get("/api/rest/v1/products/" + id).body, before) << id;
  }
}

TEST_F(ApiTest, UpdateBumpsUpdatedAndDeleteRemoves) {
  Call("PATCH", "/api/rest/v1/products/product_000002", R"({"categories":["master"]})");
  Json p = Body(Get("/api/rest/v1/products/product_000002"));
  EXPECT_EQ(p["updated"], "2024-06-01T12:00:00+00:00");
  ApiResponse d = Call("DELETE", "/api/rest/v1/products/product_000002");
  EXPECT_EQ(d.status, 204);
  EXPECT_TRUE(d.body.empty());
  EXPECT_EQ(Get("/api/rest/v1/products/product_000002").status, 404);
  ExpectError(Call("DELETE", "/api/rest/v1/products/product_000002"), 404,
              "Product \"product_000002\" does not exist or you do not "
              "have permission to access it.");
  EXPECT_EQ(Get("/api/rest/v1/products-uuid/" + p["uuid"].get<std::string>()).status,
            404);
}

TEST_F(ApiTest, ProductsUuidCreateRenameAndDelete) {
  ApiResponse r = Call("POST", "/api/rest/v1/products-uuid",
                       R"({"identifier":"u1","family":"family_2"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string prefix = "/api/rest/v1/products-uuid/";
  ASSERT_EQ(r.location.substr(0, prefix.size()), prefix);
  const std::string uuid = r.location.substr(prefix.size());
  EXPECT_EQ(Body(Get("/api/rest/v1/products/u1"))["uuid"], uuid);
  // Renaming through products-uuid moves the identifier.
  EXPECT_EQ(Call("PATCH", r.location, R"({"identifier":"u2"})").status, 204);
  EXPECT_EQ(Get("/api/rest/v1/products/u1").status, 404);
  EXPECT_EQ(Body(Get(r.location))["values"]["sku"][0]["data"], "u2");
  // Taking another product's identifier is refused.
  EXPECT_EQ(Call("PATCH", r.location, R"({"identifier":"product_000001"})").status, 422);
  // Upsert by a new uuid creates.
  const std::string fresh = "/api/rest/v1/products-uuid/3f0c2a52-9a8e-4f5e-9c1a-1b2c3d4e5f60";
  EXPECT_EQ(Call("PATCH", fresh, R"({"identifier":"u3"})").status, 201);
  EXPECT_EQ(Call("PATCH", fresh,
                 R"({"uuid":"00000000-0000-4000-8000-000000000000"})").status,
            422);
  EXPECT_EQ(Call("PATCH", "/api/rest/v1/products-uuid/bad", "{}").status, 422);
  EXPECT_EQ(Call("DELETE", fresh).status, 204);
  EXPECT_EQ(Get(fresh).status, 404);
}

// --- Batch --------------------------------------------------------------------

TEST_F(ApiTest, BatchProductsReportsEachLine) {
  const std::string long_line(1'000'001, 'x');
  const std::string body = std::string(R"({"identifier":"b1"})") + "\n" +
                           R"({"identifier":"b1","enabled":false})" + "\n" +
                           "\n" + "{oops" + "\n" + R"({"family":"family_1"})" +
                           "\n" + R"({"identifier":"b2","family":"nope"})" +
                           "\n" + long_line + "\n" +
                           R"({"identifier":"b3","labels":1})";
  ApiResponse r = Batch("/api/rest/v1/products", body);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/vnd.akeneo.collection+json");
  std::vector<Json> lines = Lines(r);
  ASSERT_EQ(lines.size(), 8u) << r.body;
  EXPECT_EQ(DumpJson(lines[0]), R"({"line":1,"identifier":"b1","status_code":201})");
  EXPECT_EQ(DumpJson(lines[1]), R"({"line":2,"identifier":"b1","status_code":204})");
  EXPECT_EQ(DumpJson(lines[2]),
            R"({"line":3,"status_code":400,"message":"Invalid json message received"})");
  EXPECT_EQ(lines[3]["status_code"], 400);
  EXPECT_EQ(DumpJson(lines[4]),
            R"({"line":5,"status_code":422,"message":"Identifier is missing."})");
  EXPECT_EQ(lines[5]["identifier"], "b2");
  EXPECT_EQ(lines[5]["status_code"], 422);
  EXPECT_EQ(lines[5]["errors"][0]["property"], "family");
  EXPECT_EQ(DumpJson(lines[6]),
            R"({"line":7,"status_code":413,"message":"Line is too long."})");
  EXPECT_EQ(lines[7]["status_code"], 422);
  EXPECT_TRUE(lines[7]["_links"]["documentation"].contains("href"));
  EXPECT_EQ(Body(Get("/api/rest/v1/products/b1"))["enabled"], false);
}

TEST_F(ApiTest, BatchOverHundredLinesIsRefusedBeforeAnyLine) {
  std::string body;
  for (int i = 0; i < 101; ++i) {
    body += R"({"identifier":"many_)" + std::to_string(i) + "\"}\n";
  }
  ExpectError(Batch("/api/rest/v1/products", body), 413,
              "Too many resources to process, 100 is the maximum allowed.");
  EXPECT_EQ(Get("/api/rest/v1/products/many_0").status, 404);
}

TEST_F(ApiTest, BatchCodeResourcesAndOptions) {
  ApiResponse r = Batch("/api/rest/v1/attributes/color/options",
                        R"({"code":"teal","labels":{"en_US":"Teal"}})"
                        "\n"
                        R"({"code":"color_1","sort_order":99})"
                        "\n"
                        R"({"labels":{}})");
  std::vector<Json> lines = Lines(r);
  ASSERT_EQ(lines.size(), 3u) << r.body;
  EXPECT_EQ(DumpJson(lines[0]), R"({"line":1,"code":"teal","status_code":201})");
  EXPECT_EQ(DumpJson(lines[1]), R"({"line":2,"code":"color_1","status_code":204})");
  EXPECT_EQ(lines[2]["message"], "Code is missing.");
  EXPECT_EQ(Body(Get("/api/rest/v1/attributes/color/options/teal"))["attribute"],
            "color");
  r = Batch("/api/rest/v1/families", R"({"code":"fam_b","attributes":["name"]})");
  EXPECT_EQ(Lines(r)[0]["status_code"], 201) << r.body;
  r = Batch("/api/rest/v1/products-uuid",
            R"({"uuid":"3f0c2a52-9a8e-4f5e-9c1a-1b2c3d4e5f61","identifier":"bu"})"
            "\n"
            R"({"identifier":"no_uuid"})");
  lines = Lines(r);
  EXPECT_EQ(DumpJson(lines[0]),
            R"({"line":1,"uuid":"3f0c2a52-9a8e-4f5e-9c1a-1b2c3d4e5f61","status_code":201})");
  EXPECT_EQ(lines[1]["status_code"], 422);
}

// --- Code resources -------------------------------------------------------------

TEST_F(ApiTest, AttributesCreateGetPatchAndErrors) {
  ApiResponse r = Call("POST", "/api/rest/v1/attributes",
                       R"({"code":"size","type":"pim_catalog_simpleselect","group":"other"})");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.location, "/api/rest/v1/attributes/size");
  Json a = Body(Get("/api/rest/v1/attributes/size"));
  EXPECT_EQ(a["type"], "pim_catalog_simpleselect");
  EXPECT_EQ(a["localizable"], false);
  // Missing type.
  r = Call("POST", "/api/rest/v1/attributes", R"({"code":"untyped"})");
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["errors"][0]["property"], "type");
  // Duplicate.
  r = Call("POST", "/api/rest/v1/attributes",
           R"({"code":"size","type":"pim_catalog_text"})");
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["errors"][0]["message"], "This value is already used.");
  // Type cannot change.
  r = Call("PATCH", "/api/rest/v1/attributes/size", R"({"type":"pim_catalog_text"})");
  EXPECT_EQ(r.status, 422);
  r = Call("PATCH", "/api/rest/v1/attributes/size", R"({"labels":{"en_US":"Size"}})");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(Body(Get("/api/rest/v1/attributes/size"))["labels"]["en_US"], "Size");
  ExpectError(Call("PATCH", "/api/rest/v1/attributes/size", R"({"code":"other"})"),
              422,
              "The code \"other\" provided in the request body must match the "
              "code \"size\" provided in the url.");
  ExpectError(Get("/api/rest/v1/attributes/nope"), 404,
              "Attribute \"nope\" does not exist.");
}

TEST_F(ApiTest, AttributeOptionsRoutes) {
  ApiResponse list = Get("/api/rest/v1/attributes/color/options?limit=3&with_count=true");
  ASSERT_EQ(list.status, 200);
  Json b = Body(list);
  EXPECT_EQ(b["items_count"], 10);
  EXPECT_EQ(b["_embedded"]["items"][0]["_links"]["self"]["href"],
            "/api/rest/v1/attributes/color/options/color_1");
  ApiResponse r = Call("POST", "/api/rest/v1/attributes/color/options",
                       R"({"code":"navy"})");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.location, "/api/rest/v1/attributes/color/options/navy");
  EXPECT_EQ(Call("PATCH", "/api/rest/v1/attributes/color/options/navy",
                 R"({"attribute":"materials"})").status,
            422);
  ExpectError(Get("/api/rest/v1/attributes/color/options/nope"), 404,
              "Attribute option \"nope\" does not exist or is not an option of "
              "the attribute \"color\".");
  ExpectError(Get("/api/rest/v1/attributes/nope/options"), 404,
              "Attribute \"nope\" does not exist.");
  EXPECT_EQ(Get("/api/rest/v1/attributes/name/options").status, 404);
  // A new option is usable in product values at once.
  EXPECT_EQ(Call("PATCH", "/api/rest/v1/products/navy_hat",
                 R"({"values":{"color":[{"locale":null,"scope":null,"data":"navy"}]}})")
                .status,
            201);
}

TEST_F(ApiTest, FamiliesCategoriesChannelsLocales) {
  EXPECT_EQ(Call("POST", "/api/rest/v1/families",
                 R"({"code":"hats","attributes":["name"],"attribute_as_label":"name"})")
                .status,
            201);
  Json f = Body(Get("/api/rest/v1/families/hats"));
  EXPECT_EQ(f["attributes"], Json::parse(R"(["name","sku"])"));
  EXPECT_EQ(Call("POST", "/api/rest/v1/families",
                 R"({"code":"bad","attributes":["nope"]})").status,
            422);
  EXPECT_EQ(Call("DELETE", "/api/rest/v1/families/hats").status, 204);
  EXPECT_EQ(Call("DELETE", "/api/rest/v1/families/family_1").status, 422);
  ExpectError(Call("DELETE", "/api/rest/v1/families/hats"), 404,
              "Family \"hats\" does not exist.");

  EXPECT_EQ(Call("POST", "/api/rest/v1/categories",
                 R"({"code":"sale","parent":"master"})").status,
            201);
  EXPECT_EQ(Call("POST", "/api/rest/v1/categories",
                 R"({"code":"orphan","parent":"nope"})").status,
            422);
  EXPECT_EQ(Call("PATCH", "/api/rest/v1/categories/master",
                 R"({"parent":"sale"})").status,
            422);
  ExpectError(Get("/api/rest/v1/categories/nope"), 404,
              "Category \"nope\" does not exist.");

  EXPECT_EQ(Call("POST", "/api/rest/v1/channels",
                 R"({"code":"print","locales":["es_ES"],"currencies":["EUR"],"category_tree":"master"})")
                .status,
            201);
  EXPECT_EQ(Body(Get("/api/rest/v1/locales/es_ES"))["enabled"], true);
  EXPECT_EQ(Call("POST", "/api/rest/v1/channels",
                 R"({"code":"web","locales":[],"currencies":["EUR"],"category_tree":"sale"})")
                .status,
            422);
  ExpectError(Get("/api/rest/v1/locales/xx_XX"), 404,
              "Locale \"xx_XX\" does not exist.");
  Json locales = Body(Get("/api/rest/v1/locales?limit=100"));
  EXPECT_EQ(locales["_embedded"]["items"].size(), 10u);
  ExpectError(Get("/api/rest/v1/channels/nope"), 404,
              "Channel \"nope\" does not exist.");
}

TEST_F(ApiTest, CodeListsSupportCodeSearch) {
  const std::string search = url::PercentEncode(R"({"code":[{"operator":"IN","value":["color","sku"]}]})");
  Json b = Body(Get("/api/rest/v1/attributes?search=" + search));
  ASSERT_EQ(b["_embedded"]["items"].size(), 2u);
  EXPECT_EQ(b["_embedded"]["items"][0]["code"], "color");
  EXPECT_EQ(Get("/api/rest/v1/attributes?pagination_type=search_after").status, 422);
}

// --- Pagination and search --------------------------------------------------------

TEST_F(ApiTest, ProductPagesWithLinksAndCount) {
  Json b = Body(Get("/api/rest/v1/products?limit=10&page=2&with_count=true"));
  EXPECT_EQ(b["current_page"], 2);
  EXPECT_EQ(b["items_count"], 25);
  ASSERT_EQ(b["_embedded"]["items"].size(), 10u);
  EXPECT_EQ(b["_embedded"]["items"][0]["identifier"], "product_000011");
  EXPECT_EQ(b["_embedded"]["items"][0]["_links"]["self"]["href"],
            "/api/rest/v1/products/product_000011");
  EXPECT_TRUE(b["_links"].contains("previous"));
  EXPECT_TRUE(b["_links"].contains("next"));
  b = Body(Get("/api/rest/v1/products?limit=10&page=3"));
  EXPECT_EQ(b["_embedded"]["items"].size(), 5u);
  EXPECT_FALSE(b["_links"].contains("next"));
  EXPECT_FALSE(b.contains("items_count"));
  b = Body(Get("/api/rest/v1/products?page=9"));
  EXPECT_TRUE(b["_embedded"]["items"].empty());
}

TEST_F(ApiTest, PaginationErrors) {
  ExpectError(Get("/api/rest/v1/products?limit=101"), 422,
              "You cannot request more than 100 items.");
  ExpectError(Get("/api/rest/v1/families?pagination_type=foo"), 422,
              "Pagination type does not exist.");
  ApiResponse r = Get("/api/rest/v1/products?page=101&limit=100");
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(Body(r)["message"].get<std::string>().find("search after"),
            std::string::npos);
  EXPECT_EQ(Get("/api/rest/v1/products?page=100&limit=100").status, 200);
}

TEST_F(ApiTest, SearchAfterVisitsEveryProductOnce) {
  Build("/inst", 237);
  for (const char* collection : {"products", "products-uuid"}) {
    std::set<std::string> seen;
    std::string next = std::string("/api/rest/v1/") + collection +
                       "?pagination_type=search_after&limit=20";
    int pages = 0;
    while (!next.empty()) {
      ApiResponse r = Get(next);
      ASSERT_EQ(r.status, 200) << r.body;
      Json b = Body(r);
      EXPECT_FALSE(b.contains("items_count"));
      EXPECT_FALSE(b["_links"].contains("previous"));
      for (const Json& item : b["_embedded"]["items"]) {
        EXPECT_TRUE(seen.insert(item["uuid"].get<std::string>()).second);
      }
      next.clear();
      if (b["_links"].contains("next")) {
        next = b["_links"]["next"]["href"].get<std::string>();
        ASSERT_EQ(next.substr(0, 5), "/inst");
        next = next.substr(5);
      }
      ++pages;
    }
    EXPECT_EQ(seen.size(), 237u) << collection;
    EXPECT_EQ(pages, 12) << collection;
  }
}

TEST_F(ApiTest, SearchFiltersProducts) {
  Call("PATCH", "/api/rest/v1/products/product_000003", R"({"categories":["master"]})");
  const std::string updated = url::PercentEncode(
      R"({"updated":[{"operator":">","value":"2024-05-31 00:00:00"}]})");
  Json b = Body(Get("/api/rest/v1/products?with_count=true&search=" + updated));
  ASSERT_EQ(b["items_count"], 1);
  EXPECT_EQ(b["_embedded"]["items"][0]["identifier"], "product_000003");
  EXPECT_NE(b["_links"]["self"]["href"].get<std::string>().find("search="),
            std::string::npos);
  const std::string ids = url::PercentEncode(
      R"({"identifier":[{"operator":"IN","value":["product_000001","product_000005"]}]})");
  b = Body(Get("/api/rest/v1/products?search=" + ids));
  EXPECT_EQ(b["_embedded"]["items"].size(), 2u);
  const std::string since = url::PercentEncode(
      R"({"updated":[{"operator":"SINCE LAST N DAYS","value":1}]})");
  b = Body(Get("/api/rest/v1/products-uuid?pagination_type=search_after&search=" + since));
  EXPECT_EQ(b["_embedded"]["items"].size(), 1u);
  ExpectError(Get("/api/rest/v1/products?search=%7Bbad"), 400,
              "Search query parameter should be valid JSON.");
  EXPECT_EQ(Get("/api/rest/v1/products?search=" +
                url::PercentEncode(R"({"nope":[{"operator":"=","value":1}]})"))
                .status,
            422);
}

TEST_F(ApiTest, InstancePrefixAppearsInLocationAndLinks) {
  Build("/eu", 3);
  ApiResponse r = Call("POST", "/api/rest/v1/products", R"({"identifier":"x"})");
  EXPECT_EQ(r.location, "/eu/api/rest/v1/products/x");
  Json b = Body(Get("/api/rest/v1/products"));
  EXPECT_EQ(b["_links"]["first"]["href"],
            "/eu/api/rest/v1/products?page=1&with_count=false&pagination_type=page&limit=10");
  ExpectError(Get("/api/rest/v1/nope"), 404,
              "No route found for \"GET /eu/api/rest/v1/nope\"");
}

TEST_F(ApiTest, ResetRestoresTheSeededCatalogue) {
  const std::string before = Get("/api/rest/v1/products/product_000001").body;
  Call("DELETE", "/api/rest/v1/products/product_000001");
  Call("POST", "/api/rest/v1/products", R"({"identifier":"extra"})");
  api_->Reset();
  EXPECT_EQ(api_->ProductCount(), 25u);
  EXPECT_EQ(Get("/api/rest/v1/products/product_000001").body, before);
  EXPECT_EQ(Get("/api/rest/v1/products/extra").status, 404);
}

TEST_F(ApiTest, CreateRefusesBadSeedAndBase) {
  pimsim::v1::SeedData seed;
  seed.set_products(10);
  seed.set_families(0);
  EXPECT_FALSE(Api::Create("", seed, 1).ok());
  EXPECT_FALSE(Api::Create("eu", pimsim::v1::SeedData(), 1).ok());
  EXPECT_FALSE(Api::Create("/eu/", pimsim::v1::SeedData(), 1).ok());
}

TEST(ClassifyFacadeTest, IsReachableThroughApiHeader) {
  EXPECT_EQ(Classify("GET", "/api/rest/v1/products/x", "").kind,
            RouteKind::kGetItem);
}

}  // namespace
}  // namespace pimsim::api
