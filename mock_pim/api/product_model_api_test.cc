// Product models and variant products through Api::Handle: lists in both
// pagination modes, get, create, upsert with Akeneo's merge rules, batch
// lines, delete, and the rules that tie models to family variants and
// variant products to their models.
//
// The seed (40 products, rng seed 42) gives family_1 the variants
// family_1_by_color (one level, axis color) and family_1_by_color_featured_2
// (axes color, then featured_2), and family_2 the variants
// family_2_by_featured and family_2_by_featured_color_2; each variant has a
// root model "model_<variant>", each two-level one two sub models
// "model_<variant>_1" and "_2", and each last-level model two variant
// products.
#include <string>
#include <vector>

#include "common/url.h"
#include "gtest/gtest.h"
#include "mock_pim/api/api_fixture.h"

namespace pimsim::api {
namespace {

constexpr char kModels[] = "/api/rest/v1/product-models";
constexpr char kOneLevelRoot[] = "model_family_1_by_color";
constexpr char kTwoLevelRoot[] = "model_family_1_by_color_featured_2";
constexpr char kSubModel[] = "model_family_1_by_color_featured_2_1";

class ProductModelApiTest : public ApiFixture {
 protected:
  void SetUp() override { Build("", 40); }

  ApiResponse Post(std::string_view body) { return Call("POST", kModels, body); }
  ApiResponse Patch(std::string_view code, std::string_view body) {
    return Call("PATCH", std::string(kModels) + "/" + std::string(code), body);
  }
  Json Model(std::string_view code) {
    return GetJson(std::string(kModels) + "/" + std::string(code));
  }
  // The messages of a 422 "Validation failed." answer.
  static std::vector<std::string> Violations(const ApiResponse& r) {
    EXPECT_EQ(r.status, 422) << r.body;
    Json b = Body(r);
    EXPECT_EQ(b["message"], "Validation failed.") << r.body;
    std::vector<std::string> out;
    for (const Json& e : b["errors"]) out.push_back(e["message"].get<std::string>());
    return out;
  }
};

TEST_F(ProductModelApiTest, SeedHasOneAndTwoLevelModels) {
  Json page = GetJson(std::string(kModels) + "?limit=100");
  EXPECT_EQ(Codes(page),
            (std::vector<std::string>{
                "model_family_1_by_color", "model_family_1_by_color_featured_2",
                "model_family_1_by_color_featured_2_1",
                "model_family_1_by_color_featured_2_2", "model_family_2_by_featured",
                "model_family_2_by_featured_color_2",
                "model_family_2_by_featured_color_2_1",
                "model_family_2_by_featured_color_2_2"}));
  Json sub = Model(kSubModel);
  EXPECT_EQ(sub["family"], "family_1");
  EXPECT_EQ(sub["family_variant"], "family_1_by_color_featured_2");
  EXPECT_EQ(sub["parent"], kTwoLevelRoot);
  EXPECT_EQ(sub["values"]["color"][0]["data"], "color_1");
  EXPECT_TRUE(Model(kOneLevelRoot)["parent"].is_null());
  Json variant = GetJson("/api/rest/v1/products/product_000033");
  EXPECT_EQ(variant["parent"], kOneLevelRoot);
  EXPECT_EQ(variant["family"], "family_1");
}

TEST_F(ProductModelApiTest, PageModeListsByCodeWithLinksAndCount) {
  Json page = GetJson(std::string(kModels) + "?limit=3&page=2&with_count=true");
  EXPECT_EQ(page["current_page"], 2);
  EXPECT_EQ(page["items_count"], 8);
  EXPECT_EQ(Codes(page), (std::vector<std::string>{
                             "model_family_1_by_color_featured_2_2",
                             "model_family_2_by_featured",
                             "model_family_2_by_featured_color_2"}));
  EXPECT_EQ(page["_links"]["next"]["href"],
            "/api/rest/v1/product-models?page=3&with_count=true&pagination_type=page&limit=3");
  EXPECT_EQ(page["_links"]["previous"]["href"],
            "/api/rest/v1/product-models?page=1&with_count=true&pagination_type=page&limit=3");
  EXPECT_EQ(page["_embedded"]["items"][0]["_links"]["self"]["href"],
            "/api/rest/v1/product-models/model_family_1_by_color_featured_2_2");
  Json last = GetJson(std::string(kModels) + "?limit=3&page=3");
  EXPECT_EQ(Codes(last).size(), 2u);
  EXPECT_FALSE(last["_links"].contains("next"));
}

TEST_F(ProductModelApiTest, SearchAfterWalksEveryModelOnce) {
  std::vector<std::string> all = Codes(GetJson(std::string(kModels) + "?limit=100"));
  std::vector<std::string> walked;
  std::string target = std::string(kModels) + "?pagination_type=search_after&limit=3";
  for (int pages = 0; pages < 10; ++pages) {
    Json page = GetJson(target);
    EXPECT_FALSE(page.contains("items_count"));
    EXPECT_FALSE(page.contains("current_page"));
    for (const std::string& c : Codes(page)) walked.push_back(c);
    if (!page["_links"].contains("next")) break;
    target = page["_links"]["next"]["href"].get<std::string>();
  }
  EXPECT_EQ(walked, all);
}

TEST_F(ProductModelApiTest, ListFiltersWithProductProperties) {
  const std::string family =
      url::PercentEncode(R"({"family":[{"operator":"IN","value":["family_2"]}]})");
  Json page = GetJson(std::string(kModels) + "?limit=100&search=" + family);
  EXPECT_EQ(Codes(page).size(), 4u);
  for (const std::string& c : Codes(page)) EXPECT_EQ(c.rfind("model_family_2", 0), 0u) << c;
  const std::string code = url::PercentEncode(
      R"({"identifier":[{"operator":"STARTS WITH","value":"model_family_1_by_color_"}]})");
  EXPECT_EQ(Codes(GetJson(std::string(kModels) + "?search=" + code)).size(), 3u);
  const std::string updated = url::PercentEncode(
      R"({"updated":[{"operator":">","value":"2024-03-01 00:00:00"}]})");
  EXPECT_TRUE(Codes(GetJson(std::string(kModels) + "?search=" + updated)).empty());
  ExpectError(Get(std::string(kModels) + "?search=%7B"), 400,
              "Search query parameter should be valid JSON.");
}

TEST_F(ProductModelApiTest, ParentFilterOnModelsAndProducts) {
  auto search = [](std::string_view filter) {
    return "&search=" + url::PercentEncode(filter);
  };
  EXPECT_EQ(Codes(GetJson(std::string(kModels) + "?limit=100" +
                          search(R"({"parent":[{"operator":"=","value":"model_family_1_by_color_featured_2"}]})"))),
            (std::vector<std::string>{"model_family_1_by_color_featured_2_1",
                                      "model_family_1_by_color_featured_2_2"}));
  EXPECT_EQ(Codes(GetJson(std::string(kModels) + "?limit=100" +
                          search(R"({"parent":[{"operator":"EMPTY"}]})")))
                .size(),
            4u);
  // "=" is every descendant, IN the direct children.
  Json variants = GetJson(
      "/api/rest/v1/products?limit=100&with_count=true" +
      search(R"({"parent":[{"operator":"=","value":"model_family_1_by_color_featured_2"}]})"));
  EXPECT_EQ(variants["items_count"], 4);
  for (const Json& p : variants["_embedded"]["items"]) {
    EXPECT_EQ(p["parent"].get<std::string>().rfind("model_family_1_by_color_featured_2_", 0), 0u)
        << p["identifier"];
  }
  EXPECT_EQ(GetJson("/api/rest/v1/products?with_count=true" +
                    search(R"({"parent":[{"operator":"IN","value":["model_family_1_by_color_featured_2"]}]})"))
                ["items_count"],
            0);
  EXPECT_EQ(GetJson("/api/rest/v1/products?with_count=true" +
                    search(R"({"parent":[{"operator":"NOT EMPTY"}]})"))["items_count"],
            12);
  ApiResponse missing = Get("/api/rest/v1/products?limit=10" +
                            search(R"({"parent":[{"operator":"=","value":"nope"}]})"));
  ExpectError(missing, 422,
              "Property \"parent\" expects a valid product model code. The product "
              "model does not exist, \"nope\" given.");
}

TEST_F(ProductModelApiTest, GetAnswersTheModelOr404) {
  Json m = Model(kOneLevelRoot);
  EXPECT_EQ(m["code"], kOneLevelRoot);
  EXPECT_FALSE(m.contains("_links"));
  ExpectError(Get(std::string(kModels) + "/nope"), 404,
              "Product model \"nope\" does not exist or you do not "
              "have permission to access it.");
}

TEST_F(ProductModelApiTest, PostCreatesARootModel) {
  ApiResponse r = Post(R"({"code":"tshirt","family_variant":"family_1_by_color",
      "categories":["master"],
      "values":{"name":[{"locale":"en_US","scope":null,"data":"T-shirt"}]}})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.location, "/api/rest/v1/product-models/tshirt");
  EXPECT_TRUE(r.body.empty());
  Json m = Model("tshirt");
  EXPECT_EQ(m["family"], "family_1");
  EXPECT_TRUE(m["parent"].is_null());
  EXPECT_EQ(m["categories"], Json::array({"master"}));
  EXPECT_EQ(m["values"]["name"][0]["data"], "T-shirt");
  EXPECT_EQ(m["created"], "2024-06-01T12:00:00+00:00");
  EXPECT_EQ(m["updated"], "2024-06-01T12:00:00+00:00");
  EXPECT_EQ(Post(R"({"code":"tshirt","family_variant":"family_1_by_color"})").status, 422);
}

TEST_F(ProductModelApiTest, PostCreatesASubModelUnderARootModel) {
  ApiResponse r = Post(R"({"code":"sub_new","parent":"model_family_1_by_color_featured_2",
      "values":{"color":[{"locale":null,"scope":null,"data":"color_3"}]}})");
  ASSERT_EQ(r.status, 201) << r.body;
  Json m = Model("sub_new");
  EXPECT_EQ(m["family_variant"], "family_1_by_color_featured_2");
  EXPECT_EQ(m["family"], "family_1");
}

struct InvalidCase {
  const char* name;
  const char* body;
  const char* message;
};

class ProductModelValidationTest : public ProductModelApiTest,
                                   public testing::WithParamInterface<InvalidCase> {};

TEST_P(ProductModelValidationTest, Is422WithTheViolation) {
  ApiResponse r = Post(GetParam().body);
  std::vector<std::string> messages = Violations(r);
  ASSERT_FALSE(messages.empty()) << r.body;
  EXPECT_EQ(messages[0], GetParam().message) << r.body;
  EXPECT_EQ(Get(std::string(kModels) + "/bad").status, 404);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ProductModelValidationTest,
    testing::Values(
        InvalidCase{"NoCode", R"({"family_variant":"family_1_by_color"})",
                    "This value should not be blank."},
        InvalidCase{"NoFamilyVariant", R"({"code":"bad"})",
                    "This value should not be blank."},
        InvalidCase{"UnknownFamilyVariant", R"({"code":"bad","family_variant":"nope"})",
                    "Property \"family_variant\" expects a valid family variant code. "
                    "The family variant does not exist, \"nope\" given."},
        InvalidCase{"UnknownParent", R"({"code":"bad","parent":"nope"})",
                    "Property \"parent\" expects a valid product model code. The "
                    "product model does not exist, \"nope\" given."},
        InvalidCase{"ParentIsASubModel",
                    R"({"code":"bad","parent":"model_family_1_by_color_featured_2_1"})",
                    "The product model \"model_family_1_by_color_featured_2_1\" is a "
                    "sub product model: it cannot have children product models."},
        InvalidCase{"ParentOfAnotherVariant",
                    R"({"code":"bad","parent":"model_family_1_by_color_featured_2",
                        "family_variant":"family_1_by_color"})",
                    "The product model \"bad\" must have the family variant "
                    "\"family_1_by_color_featured_2\" of its parent."},
        InvalidCase{"ParentInAOneLevelVariant",
                    R"({"code":"bad","parent":"model_family_1_by_color",
                        "values":{"color":[{"locale":null,"scope":null,"data":"color_1"}]}})",
                    "The family variant \"family_1_by_color\" has one level: its "
                    "product models cannot have a parent."},
        InvalidCase{"RootValueOfAVariantLevel",
                    R"({"code":"bad","family_variant":"family_1_by_color",
                        "values":{"color":[{"locale":null,"scope":null,"data":"color_1"}]}})",
                    "Cannot set the property \"color\" to this entity as it is not in "
                    "the attribute set"},
        InvalidCase{"SubModelValueOfAnotherLevel",
                    R"({"code":"bad","parent":"model_family_1_by_color_featured_2",
                        "values":{"color":[{"locale":null,"scope":null,"data":"color_3"}],
                                  "name":[{"locale":"en_US","scope":null,"data":"x"}]}})",
                    "Cannot set the property \"name\" to this entity as it is not in "
                    "the attribute set"},
        InvalidCase{"SubModelWithoutItsAxis",
                    R"({"code":"bad","parent":"model_family_1_by_color_featured_2"})",
                    "Attribute \"color\" cannot be empty, as it is defined as an axis "
                    "for this entity"},
        InvalidCase{"SubModelWithASiblingsAxisValue",
                    R"({"code":"bad","parent":"model_family_1_by_color_featured_2",
                        "values":{"color":[{"locale":null,"scope":null,"data":"color_1"}]}})",
                    "Cannot set value \"color_1\" for the attribute axis \"color\" on "
                    "product model \"bad\", as the product model "
                    "\"model_family_1_by_color_featured_2_1\" already has this value"},
        InvalidCase{"UnknownOption",
                    R"({"code":"bad","parent":"model_family_1_by_color_featured_2",
                        "values":{"color":[{"locale":null,"scope":null,"data":"pink"}]}})",
                    "The pink value is not in the color attribute option list."}),
    [](const testing::TestParamInfo<InvalidCase>& info) { return info.param.name; });

TEST_F(ProductModelApiTest, PatchMergesValuesAndKeepsOmittedFields) {
  ASSERT_EQ(Post(R"({"code":"tshirt","family_variant":"family_1_by_color",
      "categories":["master"],
      "values":{"name":[{"locale":"en_US","scope":null,"data":"T-shirt"},
                        {"locale":"fr_FR","scope":null,"data":"Tee"}]}})")
                .status,
            201);
  ApiResponse r = Patch("tshirt", R"({"values":{"name":[
      {"locale":"en_US","scope":null,"data":"Shirt"}]}})");
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.location, "/api/rest/v1/product-models/tshirt");
  Json m = Model("tshirt");
  EXPECT_EQ(m["categories"], Json::array({"master"}));
  ASSERT_EQ(m["values"]["name"].size(), 2u);
  EXPECT_EQ(m["values"]["name"][0]["data"], "Shirt");
  EXPECT_EQ(m["values"]["name"][1]["data"], "Tee");
  // Arrays are replaced.
  ASSERT_EQ(Patch("tshirt", R"({"categories":[]})").status, 204);
  EXPECT_EQ(Model("tshirt")["categories"], Json::array());
  // A type mismatch is a format error.
  ApiResponse bad = Patch("tshirt", R"({"categories":"master"})");
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_TRUE(Body(bad).contains("_links")) << bad.body;
}

TEST_F(ProductModelApiTest, PatchCannotMoveAModel) {
  EXPECT_EQ(Violations(Patch(kOneLevelRoot,
                             R"({"family_variant":"family_1_by_color_featured_2"})")),
            std::vector<std::string>{"This property cannot be changed."});
  EXPECT_EQ(Violations(Patch(kSubModel,
                             R"({"parent":"model_family_2_by_featured_color_2"})")),
            std::vector<std::string>{"This property cannot be changed."});
  ExpectError(Patch(kSubModel, R"({"code":"other"})"), 422,
              "The code \"other\" provided in the request body must match the code "
              "\"model_family_1_by_color_featured_2_1\" provided in the url.");
}

TEST_F(ProductModelApiTest, PatchOfAnUnknownCodeCreatesIt) {
  ApiResponse r = Patch("new_model", R"({"family_variant":"family_2_by_featured"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.location, "/api/rest/v1/product-models/new_model");
  EXPECT_EQ(Model("new_model")["family"], "family_2");
}

TEST_F(ProductModelApiTest, UnchangedPatchKeepsUpdated) {
  ApiResponse r = Patch(kSubModel, R"({"categories":[]})");
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(Model(kSubModel)["updated"], "2024-01-01T00:00:00+00:00");
}

TEST_F(ProductModelApiTest, BatchAnswersEachLine) {
  ApiResponse r = Batch(kModels,
                        R"({"code":"b1","family_variant":"family_2_by_featured"})"
                        "\n"
                        R"({"code":"b1","categories":["master"]})"
                        "\n"
                        R"({"family_variant":"family_2_by_featured"})"
                        "\n"
                        "{not json\n"
                        R"({"code":"b2","family_variant":"nope"})"
                        "\n"
                        R"({"code":"model_family_2_by_featured","categories":["master"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/vnd.akeneo.collection+json");
  std::vector<Json> lines = Lines(r);
  ASSERT_EQ(lines.size(), 6u) << r.body;
  EXPECT_EQ(lines[0], Json::parse(R"({"line":1,"code":"b1","status_code":201})"));
  EXPECT_EQ(lines[1], Json::parse(R"({"line":2,"code":"b1","status_code":204})"));
  EXPECT_EQ(lines[2],
            Json::parse(R"({"line":3,"status_code":422,"message":"Code is missing."})"));
  EXPECT_EQ(lines[3]["status_code"], 400);
  EXPECT_EQ(lines[4]["status_code"], 422);
  EXPECT_EQ(lines[4]["message"], "Validation failed.");
  EXPECT_EQ(lines[4]["errors"][0]["property"], "family_variant");
  EXPECT_EQ(lines[5], Json::parse(R"({"line":6,"code":"model_family_2_by_featured",
                                       "status_code":204})"));
  EXPECT_EQ(Model("b1")["categories"], Json::array({"master"}));
  EXPECT_EQ(Model("model_family_2_by_featured")["categories"], Json::array({"master"}));
  EXPECT_EQ(Get(std::string(kModels) + "/b2").status, 404);
}

TEST_F(ProductModelApiTest, DeleteRemovesSubModelsAndVariantProducts) {
  ApiResponse r = Call("DELETE", std::string(kModels) + "/" + kTwoLevelRoot);
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(r.body.empty());
  for (const char* code : {kTwoLevelRoot, kSubModel, "model_family_1_by_color_featured_2_2"}) {
    EXPECT_EQ(Get(std::string(kModels) + "/" + code).status, 404) << code;
  }
  // product_000021 and _000029 were variants of the first sub model.
  EXPECT_EQ(Get("/api/rest/v1/products/product_000021").status, 404);
  EXPECT_EQ(Get("/api/rest/v1/products/product_000033").status, 200);
  EXPECT_EQ(Model(kOneLevelRoot)["code"], kOneLevelRoot);
  ExpectError(Call("DELETE", std::string(kModels) + "/" + kTwoLevelRoot), 404,
              "Product model \"model_family_1_by_color_featured_2\" does not exist or you do not "
              "have permission to access it.");
}

TEST_F(ProductModelApiTest, AFamilyWithModelsCannotBeDeleted) {
  ASSERT_EQ(Call("POST", "/api/rest/v1/families",
                 R"({"code":"fam_pm","attributes":["sku","color","name"],
                     "attribute_as_label":"sku"})")
                .status,
            201);
  ASSERT_EQ(Call("POST", "/api/rest/v1/families/fam_pm/variants",
                 R"({"code":"fam_pm_by_color","variant_attribute_sets":[
                     {"level":1,"axes":["color"],"attributes":["color"]}]})")
                .status,
            201);
  ASSERT_EQ(Post(R"({"code":"pm1","family_variant":"fam_pm_by_color"})").status, 201);
  ExpectError(Call("DELETE", "/api/rest/v1/families/fam_pm"), 422,
              "Family \"fam_pm\" cannot be deleted because it is used by products.");
  ASSERT_EQ(Call("DELETE", std::string(kModels) + "/pm1").status, 204);
  EXPECT_EQ(Call("DELETE", "/api/rest/v1/families/fam_pm").status, 204);
}

TEST_F(ProductModelApiTest, VariantProductTakesItsParentsFamily) {
  ASSERT_EQ(Post(R"({"code":"sub_c3","parent":"model_family_1_by_color_featured_2",
      "values":{"color":[{"locale":null,"scope":null,"data":"color_3"}]}})")
                .status,
            201);
  ApiResponse r = Call("PATCH", "/api/rest/v1/products/variant_new",
                       R"({"parent":"sub_c3",
                           "values":{"featured_2":[{"locale":null,"scope":null,"data":true}]}})");
  ASSERT_EQ(r.status, 201) << r.body;
  Json p = GetJson("/api/rest/v1/products/variant_new");
  EXPECT_EQ(p["family"], "family_1");
  EXPECT_EQ(p["parent"], "sub_c3");
  // A sibling needs other axis values; the product itself does not clash.
  ApiResponse same = Call("PATCH", "/api/rest/v1/products/variant_other",
                          R"({"parent":"sub_c3",
                              "values":{"featured_2":[{"locale":null,"scope":null,"data":true}]}})");
  EXPECT_EQ(Violations(same),
            std::vector<std::string>{
                "Cannot set value \"true\" for the attribute axis \"featured_2\" on "
                "variant product \"variant_other\", as the variant product "
                "\"variant_new\" already has this value"});
  EXPECT_EQ(Call("PATCH", "/api/rest/v1/products/variant_new", R"({"enabled":false})").status,
            204);
  EXPECT_EQ(Call("PATCH", "/api/rest/v1/products/variant_other",
                 R"({"parent":"sub_c3",
                     "values":{"featured_2":[{"locale":null,"scope":null,"data":false}]}})")
                .status,
            201);
}

TEST_F(ProductModelApiTest, VariantProductRules) {
  auto patch = [&](std::string_view body) {
    return Call("PATCH", "/api/rest/v1/products/variant_bad", body);
  };
  EXPECT_EQ(Violations(patch(R"({"parent":"nope"})")),
            std::vector<std::string>{"The product model \"nope\" does not exist."});
  EXPECT_EQ(Violations(patch(R"({"parent":"model_family_1_by_color_featured_2"})")),
            std::vector<std::string>{
                "The product model \"model_family_1_by_color_featured_2\" cannot have "
                "variant products: it is not at the last level of its family "
                "variant."});
  EXPECT_EQ(Violations(patch(R"({"parent":"model_family_1_by_color_featured_2_1"})")),
            std::vector<std::string>{"Attribute \"featured_2\" cannot be empty, as it is "
                                     "defined as an axis for this entity"});
  EXPECT_EQ(Violations(patch(R"({"parent":"model_family_1_by_color","family":"family_2",
                             "values":{"color":[{"locale":null,"scope":null,"data":"color_1"}]}})")),
            std::vector<std::string>{
                "The variant product family must be the same than its parent"});
  EXPECT_EQ(Get("/api/rest/v1/products/variant_bad").status, 404);
}

}  // namespace
}  // namespace pimsim::api
