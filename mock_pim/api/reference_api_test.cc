// The reference-data routes through Api::Handle: currencies, measure and
// measurement families, system information, association types and
// attribute groups (statuses, bodies, links, messages, and the rules that
// tie them to attributes and channels).
#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mock_pim/api/api_fixture.h"
#include "mock_pim/api/api.h"
#include "mock_pim/api/json_util.h"

namespace pimsim::api {
namespace {

class ReferenceApiTest : public ApiFixture {
 protected:
  void SetUp() override { Build("", 5); }
};

struct MissingCase {
  const char* path;
  const char* message;
};

class ReferenceNotFoundTest : public ReferenceApiTest,
                              public testing::WithParamInterface<MissingCase> {};

TEST_P(ReferenceNotFoundTest, Is404WithAkeneoMessage) {
  ExpectError(Get(GetParam().path), 404, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ReferenceNotFoundTest,
    testing::Values(
        MissingCase{"/api/rest/v1/currencies/XXX", "Currency \"XXX\" does not exist."},
        MissingCase{"/api/rest/v1/measure-families/Nope",
                    "Measure family \"Nope\" does not exist."},
        MissingCase{"/api/rest/v1/association-types/NOPE",
                    "Association type \"NOPE\" does not exist."},
        MissingCase{"/api/rest/v1/attribute-groups/nope",
                    "Attribute group \"nope\" does not exist."}));

struct MethodCase {
  const char* method;
  const char* path;
  const char* allow;
};

class ReferenceMethodTest : public ReferenceApiTest,
                            public testing::WithParamInterface<MethodCase> {};

TEST_P(ReferenceMethodTest, Is405WithAllow) {
  ApiResponse r = Call(GetParam().method, GetParam().path, "{}");
  EXPECT_EQ(r.status, 405) << r.body;
  EXPECT_EQ(r.allow, GetParam().allow);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ReferenceMethodTest,
    testing::Values(
        MethodCase{"POST", "/api/rest/v1/currencies", "GET"},
        MethodCase{"PATCH", "/api/rest/v1/currencies/EUR", "GET"},
        MethodCase{"POST", "/api/rest/v1/measure-families", "GET"},
        MethodCase{"POST", "/api/rest/v1/measurement-families", "GET, PATCH"},
        MethodCase{"PATCH", "/api/rest/v1/system-information", "GET"},
        MethodCase{"DELETE", "/api/rest/v1/association-types/X_SELL", "GET, PATCH"},
        MethodCase{"DELETE", "/api/rest/v1/attribute-groups/other", "GET, PATCH"}));

TEST_F(ReferenceApiTest, MeasurementFamiliesHaveNoItemRoute) {
  EXPECT_EQ(Get("/api/rest/v1/measurement-families/Weight").status, 404);
  EXPECT_EQ(Get("/api/rest/v1/system-information/x").status, 404);
}

TEST_F(ReferenceApiTest, CurrenciesListPagesAndFollowChannels) {
  Json page = GetJson("/api/rest/v1/currencies?limit=3&with_count=true");
  EXPECT_EQ(page["items_count"], 10);
  EXPECT_EQ(page["current_page"], 1);
  EXPECT_EQ(page["_links"]["next"]["href"],
            "/api/rest/v1/currencies?page=2&with_count=true&pagination_type=page&limit=3");
  EXPECT_EQ(Codes(page), (std::vector<std::string>{"AUD", "CAD", "CHF"}));
  EXPECT_EQ(page["_embedded"]["items"][0]["_links"]["self"]["href"],
            "/api/rest/v1/currencies/AUD");

  Json eur = GetJson("/api/rest/v1/currencies/EUR");
  EXPECT_EQ(eur, Json::parse(R"json({"code":"EUR","enabled":true,"label":"EUR (Euro)"})json"));
  EXPECT_EQ(GetJson("/api/rest/v1/currencies/GBP")["enabled"], false);

  // A channel that uses GBP enables it; one that drops USD disables it.
  EXPECT_EQ(Call("PATCH", "/api/rest/v1/channels/ecommerce",
                 R"({"currencies":["EUR","GBP"]})")
                .status,
            204);
  EXPECT_EQ(GetJson("/api/rest/v1/currencies/GBP")["enabled"], true);
  EXPECT_EQ(GetJson("/api/rest/v1/currencies/USD")["enabled"], true);  // mobile
  EXPECT_EQ(Call("PATCH", "/api/rest/v1/channels/mobile",
                 R"({"currencies":["EUR"]})")
                .status,
            204);
  EXPECT_EQ(GetJson("/api/rest/v1/currencies/USD")["enabled"], false);

  ApiResponse bad = Call("PATCH", "/api/rest/v1/channels/mobile",
                         R"({"currencies":["XXX"]})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(Json::parse(bad.body)["errors"][0]["message"],
            "The currency \"XXX\" does not exist.");

  Json searched = GetJson(
      "/api/rest/v1/currencies?search=%7B%22code%22%3A%5B%7B%22operator%22%3A"
      "%22IN%22%2C%22value%22%3A%5B%22EUR%22%2C%22JPY%22%5D%7D%5D%7D");
  EXPECT_EQ(Codes(searched), (std::vector<std::string>{"EUR", "JPY"}));
}

TEST_F(ReferenceApiTest, MeasureFamiliesAreTheLegacyViewOfMeasurementFamilies) {
  Json page = GetJson("/api/rest/v1/measure-families");
  EXPECT_EQ(Codes(page),
            (std::vector<std::string>{"Area", "Length", "Power", "Volume", "Weight"}));
  Json weight = GetJson("/api/rest/v1/measure-families/Weight");
  EXPECT_EQ(weight["standard"], "KILOGRAM");
  EXPECT_EQ(weight["units"][0],
            Json::parse(R"({"code":"GRAM","convert":{"mul":"0.001"},"symbol":"g"})"));

  ApiResponse all = Get("/api/rest/v1/measurement-families");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.content_type, "application/json");
  Json families = Json::parse(all.body);
  ASSERT_TRUE(families.is_array());
  ASSERT_EQ(families.size(), 5u);
  const Json& w = families[4];
  EXPECT_EQ(w["code"], "Weight");
  EXPECT_EQ(w["labels"]["en_US"], "Weight");
  EXPECT_EQ(w["standard_unit_code"], "KILOGRAM");
  EXPECT_EQ(w["units"]["GRAM"],
            Json::parse(R"({"code":"GRAM","labels":{"en_US":"Gram"},)"
                        R"("convert_from_standard":[{"operator":"mul","value":"0.001"}],)"
                        R"("symbol":"g"})"));
}

TEST_F(ReferenceApiTest, PatchMeasurementFamiliesAnswersPerItem) {
  const std::string body = R"([
    {"code":"Angle","standard_unit_code":"RADIAN","units":{
      "RADIAN":{"code":"RADIAN","convert_from_standard":[{"operator":"mul","value":"1"}],"symbol":"rad"},
      "DEGREE":{"code":"DEGREE","labels":{"en_US":"Degree"},"convert_from_standard":[{"operator":"mul","value":"0.01745329"}],"symbol":"°"}}},
    {"code":"Power","labels":{"en_US":"Power"},"standard_unit_code":"WATT","units":{
      "WATT":{"code":"WATT","convert_from_standard":[{"operator":"mul","value":"1"}],"symbol":"W"}}},
    {"code":"Area","standard_unit_code":"SQUARE_CENTIMETER","units":{
      "SQUARE_CENTIMETER":{"code":"SQUARE_CENTIMETER","convert_from_standard":[{"operator":"mul","value":"1"}]}}},
    {"labels":{}},
    {"code":"Bad","standard_unit_code":"X","units":{"Y":{"code":"Y","convert_from_standard":[{"operator":"pow","value":"2"}]}}}
  ])";
  ApiResponse r = Call("PATCH", "/api/rest/v1/measurement-families", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  Json results = Json::parse(r.body);
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0], Json::parse(R"({"code":"Angle","status_code":201})"));
  EXPECT_EQ(results[1], Json::parse(R"({"code":"Power","status_code":204})"));
  EXPECT_EQ(results[2]["status_code"], 422);
  EXPECT_EQ(results[2]["message"],
            "The measurement family has data that does not comply with the "
            "business rules.");
  EXPECT_EQ(results[2]["errors"][0],
            Json::parse(R"({"property":"standard_unit_code","message":)"
                        R"("The standard unit code of the \"Area\" measurement family cannot be changed"})"));
  EXPECT_FALSE(results[3].contains("code"));
  EXPECT_EQ(results[3]["status_code"], 422);
  EXPECT_EQ(results[4]["status_code"], 422);
  EXPECT_EQ(results[4]["errors"].size(), 2u) << results[4];

  // Power was replaced as a whole: its KILOWATT unit is gone, in both views.
  Json power = GetJson("/api/rest/v1/measure-families/Power");
  EXPECT_EQ(power["units"].size(), 1u);
  Json angle = GetJson("/api/rest/v1/measure-families/Angle");
  EXPECT_EQ(angle["standard"], "RADIAN");
  EXPECT_EQ(angle["units"][1]["symbol"], "°");
  Json all = Json::parse(Get("/api/rest/v1/measurement-families").body);
  EXPECT_EQ(all[0]["code"], "Angle");
  EXPECT_EQ(all[0]["labels"], Json::object());
  EXPECT_EQ(all[0]["units"]["RADIAN"]["labels"], Json::object());
}

TEST_F(ReferenceApiTest, PatchMeasurementFamiliesRequestErrors) {
  const char* path = "/api/rest/v1/measurement-families";
  ExpectError(Call("PATCH", path, "{"), 400, "Invalid json message received");
  ExpectError(Call("PATCH", path, R"({"code":"Weight"})"), 400,
              "Invalid json message received");
  std::string many = "[";
  for (int i = 0; i < 101; ++i) many += i == 0 ? "{}" : ",{}";
  many += "]";
  ExpectError(Call("PATCH", path, many), 413,
              "Too many resources to process, 100 is the maximum allowed.");
  ExpectError(Call("PATCH", path, "[]", "application/vnd.akeneo.collection+json"),
              415,
              "\"application/vnd.akeneo.collection+json\" in \"Content-Type\" "
              "header is not valid. Only \"application/json\" is allowed.");
  ApiResponse empty = Call("PATCH", path, "[]");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body, "[]");
}

TEST_F(ReferenceApiTest, SystemInformation) {
  EXPECT_EQ(GetJson("/api/rest/v1/system-information"),
            Json::parse(R"({"version":"7.0.0","edition":"CE"})"));
}

TEST_F(ReferenceApiTest, AssociationTypesCreateGetPatchAndBatch) {
  Json page = GetJson("/api/rest/v1/association-types");
  EXPECT_EQ(Codes(page),
            (std::vector<std::string>{"PACK", "SUBSTITUTION", "UPSELL", "X_SELL"}));
  EXPECT_EQ(GetJson("/api/rest/v1/association-types/X_SELL"),
            Json::parse(R"({"code":"X_SELL","labels":{"en_US":"Cross sell"},)"
                        R"("is_quantified":false,"is_two_way":false})"));

  ApiResponse created = Call("POST", "/api/rest/v1/association-types",
                             R"({"code":"BUNDLE","is_quantified":true})");
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.location, "/api/rest/v1/association-types/BUNDLE");
  EXPECT_EQ(GetJson("/api/rest/v1/association-types/BUNDLE"),
            Json::parse(R"({"code":"BUNDLE","labels":{},"is_quantified":true,"is_two_way":false})"));
  ApiResponse again = Call("POST", "/api/rest/v1/association-types", R"({"code":"BUNDLE"})");
  EXPECT_EQ(again.status, 422);
  EXPECT_EQ(Json::parse(again.body)["errors"][0]["message"], "This value is already used.");

  EXPECT_EQ(Call("PATCH", "/api/rest/v1/association-types/BUNDLE",
                 R"({"labels":{"en_US":"Bundle"}})")
                .status,
            204);
  EXPECT_EQ(GetJson("/api/rest/v1/association-types/BUNDLE")["labels"]["en_US"], "Bundle");
  ApiResponse immutable = Call("PATCH", "/api/rest/v1/association-types/BUNDLE",
                               R"({"is_quantified":false})");
  EXPECT_EQ(immutable.status, 422);
  EXPECT_EQ(Json::parse(immutable.body)["errors"][0],
            Json::parse(R"({"property":"is_quantified","message":"This property cannot be changed."})"));
  ApiResponse mismatch = Call("PATCH", "/api/rest/v1/association-types/BUNDLE",
                              R"({"code":"OTHER"})");
  ExpectError(mismatch, 422,
              "The code \"OTHER\" provided in the request body must match the "
              "code \"BUNDLE\" provided in the url.");
  ApiResponse format = Call("PATCH", "/api/rest/v1/association-types/BUNDLE",
                            R"({"labels":null})");
  EXPECT_EQ(format.status, 422);
  EXPECT_TRUE(Json::parse(format.body)["_links"]["documentation"]["href"].is_string());

  ApiResponse upsert = Call("PATCH", "/api/rest/v1/association-types/COMPAT", "{}");
  EXPECT_EQ(upsert.status, 201);
  EXPECT_EQ(upsert.location, "/api/rest/v1/association-types/COMPAT");

  ApiResponse batch = Batch("/api/rest/v1/association-types",
                            "{\"code\":\"NEW\"}\n{\"code\":\"UPSELL\",\"labels\":{\"fr_FR\":\"Vente\"}}\n"
                            "{\"labels\":{}}\n{\"code\":\"bad code\"}\nnot json");
  ASSERT_EQ(batch.status, 200);
  EXPECT_EQ(batch.content_type, "application/vnd.akeneo.collection+json");
  std::vector<Json> lines = Lines(batch);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], Json::parse(R"({"line":1,"code":"NEW","status_code":201})"));
  EXPECT_EQ(lines[1], Json::parse(R"({"line":2,"code":"UPSELL","status_code":204})"));
  EXPECT_EQ(lines[2], Json::parse(R"({"line":3,"status_code":422,"message":"Code is missing."})"));
  EXPECT_EQ(lines[3]["status_code"], 422);
  EXPECT_EQ(lines[4], Json::parse(R"({"line":5,"status_code":400,"message":"Invalid json message received"})"));
  EXPECT_EQ(GetJson("/api/rest/v1/association-types/UPSELL")["labels"],
            Json::parse(R"({"en_US":"Upsell","fr_FR":"Vente"})"));
}

TEST_F(ReferenceApiTest, SeededAttributeGroupsListTheirAttributes) {
  Json page = GetJson("/api/rest/v1/attribute-groups");
  EXPECT_EQ(Codes(page), (std::vector<std::string>{"marketing", "other", "technical"}));
  Json marketing = GetJson("/api/rest/v1/attribute-groups/marketing");
  EXPECT_EQ(marketing["sort_order"], 1);
  EXPECT_EQ(marketing["labels"]["en_US"], "Marketing");
  // Every attribute is listed by exactly the group it names.
  Json attributes = GetJson("/api/rest/v1/attributes?limit=100");
  int listed = 0;
  for (const Json& a : attributes["_embedded"]["items"]) {
    const std::string group = a["group"].get<std::string>();
    Json g = GetJson("/api/rest/v1/attribute-groups/" + group);
    EXPECT_NE(std::find(g["attributes"].begin(), g["attributes"].end(), a["code"]),
              g["attributes"].end())
        << a["code"] << " not in " << group;
  }
  for (const char* g : {"marketing", "other", "technical"}) {
    listed += GetJson(std::string("/api/rest/v1/attribute-groups/") + g)["attributes"].size();
  }
  EXPECT_EQ(listed, static_cast<int>(attributes["_embedded"]["items"].size()));
  EXPECT_EQ(GetJson("/api/rest/v1/attributes/name")["group"], "marketing");
  EXPECT_EQ(GetJson("/api/rest/v1/attributes/weight")["group"], "technical");
  EXPECT_EQ(GetJson("/api/rest/v1/attributes/sku")["group"], "other");
}

TEST_F(ReferenceApiTest, AttributeGroupsAndAttributesStayInStep) {
  // A new group takes "name" from marketing.
  ApiResponse created = Call("POST", "/api/rest/v1/attribute-groups",
                             R"({"code":"seo","attributes":["name"],"sort_order":5})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.location, "/api/rest/v1/attribute-groups/seo");
  EXPECT_EQ(GetJson("/api/rest/v1/attributes/name")["group"], "seo");
  Json marketing = GetJson("/api/rest/v1/attribute-groups/marketing");
  EXPECT_EQ(std::find(marketing["attributes"].begin(), marketing["attributes"].end(), "name"),
            marketing["attributes"].end());
  EXPECT_EQ(GetJson("/api/rest/v1/attribute-groups/seo"),
            Json::parse(R"({"code":"seo","sort_order":5,"attributes":["name"],"labels":{}})"));

  // Dropped from its list, "name" goes to "other".
  EXPECT_EQ(Call("PATCH", "/api/rest/v1/attribute-groups/seo", R"({"attributes":[]})").status,
            204);
  EXPECT_EQ(GetJson("/api/rest/v1/attributes/name")["group"], "other");
  Json other = GetJson("/api/rest/v1/attribute-groups/other");
  EXPECT_EQ(other["attributes"].back(), "name");

  // An attribute that names a group moves into its list.
  EXPECT_EQ(Call("PATCH", "/api/rest/v1/attributes/name", R"({"group":"seo"})").status, 204);
  EXPECT_EQ(GetJson("/api/rest/v1/attribute-groups/seo")["attributes"], Json::array({"name"}));
  EXPECT_EQ(Call("POST", "/api/rest/v1/attributes",
                 R"({"code":"meta_title","type":"pim_catalog_text","group":"seo"})")
                .status,
            201);
  EXPECT_EQ(GetJson("/api/rest/v1/attribute-groups/seo")["attributes"],
            Json::parse(R"(["name","meta_title"])"));

  ApiResponse unknown_group = Call("PATCH", "/api/rest/v1/attributes/name", R"({"group":"nope"})");
  EXPECT_EQ(unknown_group.status, 422);
  EXPECT_EQ(Json::parse(unknown_group.body)["errors"][0]["message"],
            "Property \"group\" expects a valid code. The attribute group does "
            "not exist, \"nope\" given.");
  ApiResponse unknown_attribute = Call("PATCH", "/api/rest/v1/attribute-groups/seo",
                                       R"({"attributes":["nope"]})");
  EXPECT_EQ(unknown_attribute.status, 422);
  EXPECT_EQ(Json::parse(unknown_attribute.body)["errors"][0]["message"],
            "Property \"attributes\" expects a valid code. The attribute does "
            "not exist, \"nope\" given.");
  ApiResponse negative = Call("PATCH", "/api/rest/v1/attribute-groups/seo", R"({"sort_order":-1})");
  EXPECT_EQ(negative.status, 422);

  // "other" keeps what it drops: no attribute is left without a group.
  EXPECT_EQ(Call("PATCH", "/api/rest/v1/attribute-groups/other", R"({"attributes":[]})").status,
            204);
  EXPECT_EQ(GetJson("/api/rest/v1/attributes/sku")["group"], "other");
  other = GetJson("/api/rest/v1/attribute-groups/other");
  EXPECT_NE(std::find(other["attributes"].begin(), other["attributes"].end(), "sku"),
            other["attributes"].end());

  ApiResponse batch = Batch("/api/rest/v1/attribute-groups",
                            "{\"code\":\"seo\",\"attributes\":[\"name\",\"weight\"]}\n"
                            "{\"code\":\"logistics\",\"labels\":{\"en_US\":\"Logistics\"}}");
  std::vector<Json> lines = Lines(batch);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["status_code"], 204);
  EXPECT_EQ(lines[1]["status_code"], 201);
  EXPECT_EQ(GetJson("/api/rest/v1/attributes/weight")["group"], "seo");
  EXPECT_EQ(GetJson("/api/rest/v1/attributes/meta_title")["group"], "other");
}

TEST_F(ReferenceApiTest, RootListsTheReferenceRoutes) {
  Json root = GetJson("/api/rest/v1");
  EXPECT_EQ(root["routes"]["pim_api_currency_list"]["route"], "/api/rest/v1/currencies");
  EXPECT_EQ(root["routes"]["pim_api_attribute_group_partial_update_list"]["methods"],
            Json::array({"PATCH"}));
  EXPECT_EQ(root["routes"]["pim_api_system_information_get"]["route"],
            "/api/rest/v1/system-information");
}

TEST_F(ReferenceApiTest, FamilyVariantsListGetCreateUpsertAndBatch) {
  // family_1 of seed 42 has the select "color" and the boolean "featured".
  Json family = GetJson("/api/rest/v1/families/family_1");
  Json page = GetJson("/api/rest/v1/families/family_1/variants");
  ASSERT_FALSE(page["_embedded"]["items"].empty()) << family;
  const Json& first = page["_embedded"]["items"][0];
  const std::string code = first["code"].get<std::string>();
  EXPECT_EQ(first["_links"]["self"]["href"],
            "/api/rest/v1/families/family_1/variants/" + code);
  Json variant = GetJson("/api/rest/v1/families/family_1/variants/" + code);
  std::vector<std::string> keys;
  for (auto it = variant.begin(); it != variant.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"code", "labels", "common_attributes",
                                            "variant_attribute_sets"}));
  const Json& last = variant["variant_attribute_sets"].back();
  EXPECT_EQ(last["attributes"].back(), "sku");

  ExpectError(Get("/api/rest/v1/families/nope/variants"), 404,
              "Family \"nope\" does not exist.");
  ExpectError(Get("/api/rest/v1/families/family_1/variants/nope"), 404,
              "Family variant \"nope\" does not exist or is not a variant of "
              "the family \"family_1\".");
  ExpectError(Call("POST", "/api/rest/v1/families/nope/variants", R"({"code":"v"})"), 404,
              "Family \"nope\" does not exist.");

  // A family of our own, so the test does not depend on the seeded draw.
  ASSERT_EQ(Call("POST", "/api/rest/v1/families",
                 R"({"code":"shoes","attributes":["sku","name","color","featured","weight"],)"
                 R"("attribute_as_label":"name"})")
                .status,
            201);
  ApiResponse created = Call("POST", "/api/rest/v1/families/shoes/variants",
                             R"({"code":"shoes_color","labels":{"en_US":"By color"},)"
                             R"("variant_attribute_sets":[{"level":1,"axes":["color"],"attributes":["weight"]}]})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.location, "/api/rest/v1/families/shoes/variants/shoes_color");
  EXPECT_EQ(GetJson("/api/rest/v1/families/shoes/variants/shoes_color"),
            Json::parse(R"({"code":"shoes_color","labels":{"en_US":"By color"},)"
                        R"("common_attributes":["name","featured"],)"
                        R"("variant_attribute_sets":[{"level":1,"axes":["color"],)"
                        R"("attributes":["weight","color","sku"]}]})"));
  // Labels merge; levels and axes are fixed.
  EXPECT_EQ(Call("PATCH", "/api/rest/v1/families/shoes/variants/shoes_color",
                 R"({"labels":{"fr_FR":"Par couleur"}})")
                .status,
            204);
  ApiResponse axes = Call("PATCH", "/api/rest/v1/families/shoes/variants/shoes_color",
                          R"({"variant_attribute_sets":[{"level":1,"axes":["featured"]}]})");
  EXPECT_EQ(axes.status, 422) << axes.body;
  // The family's attributes follow into common_attributes.
  EXPECT_EQ(Call("PATCH", "/api/rest/v1/families/shoes",
                 R"({"attributes":["sku","name","color","featured","weight","description"]})")
                .status,
            204);
  EXPECT_EQ(GetJson("/api/rest/v1/families/shoes/variants/shoes_color")["common_attributes"],
            Json::parse(R"(["name","featured","description"])"));

  struct Bad {
    const char* body;
    const char* message;
  };
  for (const Bad& bad : {
           Bad{R"({"code":"v1"})", "There should be at least one level defined in the family variant."},
           Bad{R"({"code":"v2","variant_attribute_sets":[{"level":2,"axes":["color"]}]})",
               "The levels of a family variant are 1, or 1 and 2."},
           Bad{R"({"code":"v3","variant_attribute_sets":[{"level":1,"axes":["name"]}]})",
               "Variant axes \"name\" must be a boolean, a simple select, a multi select or a metric."},
           Bad{R"({"code":"v4","variant_attribute_sets":[{"level":1,"axes":["price"]}]})",
               "The attribute \"price\" does not belong to the family \"shoes\"."},
           Bad{R"({"code":"v5","variant_attribute_sets":[{"level":1,"axes":["color"]},{"level":2,"axes":["color"]}]})",
               "The attribute \"color\" is used in more than one level."},
           Bad{R"({"code":"v6","variant_attribute_sets":[{"level":1,"axes":[]}]})",
               "The level 1 must have at least one axis."},
       }) {
    ApiResponse r = Call("POST", "/api/rest/v1/families/shoes/variants", bad.body);
    ASSERT_EQ(r.status, 422) << bad.body << ": " << r.body;
    EXPECT_EQ(Json::parse(r.body)["errors"][0]["message"], bad.message) << bad.body;
  }
  ApiResponse format = Call("POST", "/api/rest/v1/families/shoes/variants",
                            R"({"code":"v7","variant_attribute_sets":{}})");
  EXPECT_EQ(format.status, 422);
  EXPECT_TRUE(Json::parse(format.body)["_links"]["documentation"]["href"].is_string());

  ApiResponse batch = Batch("/api/rest/v1/families/shoes/variants",
                            "{\"code\":\"shoes_two\",\"variant_attribute_sets\":["
                            "{\"level\":1,\"axes\":[\"color\"]},{\"level\":2,\"axes\":[\"featured\"]}]}\n"
                            "{\"code\":\"shoes_color\",\"labels\":{\"de_DE\":\"Farbe\"}}\n"
                            "{\"code\":\"bad\"}");
  std::vector<Json> lines = Lines(batch);
  ASSERT_EQ(lines.size(), 3u) << batch.body;
  EXPECT_EQ(lines[0], Json::parse(R"({"line":1,"code":"shoes_two","status_code":201})"));
  EXPECT_EQ(lines[1], Json::parse(R"({"line":2,"code":"shoes_color","status_code":204})"));
  EXPECT_EQ(lines[2]["status_code"], 422);
  Json two = GetJson("/api/rest/v1/families/shoes/variants/shoes_two");
  EXPECT_EQ(two["variant_attribute_sets"][0]["attributes"], Json::array({"color"}));
  EXPECT_EQ(two["variant_attribute_sets"][1]["attributes"], Json::parse(R"(["featured","sku"])"));
  Json listed = GetJson("/api/rest/v1/families/shoes/variants?with_count=true");
  EXPECT_EQ(listed["items_count"], 2);
}

}  // namespace
}  // namespace pimsim::api
