#include "mock_pim/api/product_view.h"

#include <string>
#include <vector>

#include "common/url.h"
#include "gtest/gtest.h"
#include "mock_pim/api/json_util.h"
#include "mock_pim/api/model.h"
#include "mock_pim/api/store.h"

namespace pimsim::api {
namespace {

constexpr char kDoc[] =
    R"({"uuid":"u1","identifier":"p1","family":"f","categories":["leaf"],)"
    R"("values":{"sku":[{"locale":null,"scope":null,"data":"p1"}],)"
    R"("name":[{"locale":"en_US","scope":null,"data":"Hat"},)"
    R"({"locale":"fr_FR","scope":null,"data":"Chapeau"}],)"
    R"("blurb":[{"locale":"en_US","scope":"web","data":"Web"},)"
    R"({"locale":"en_US","scope":"print","data":"Print"}],)"
    R"("color":[{"locale":null,"scope":null,"data":"red"}],)"
    R"("tags":[{"locale":null,"scope":null,"data":["a","gone","b"]}]},)"
    R"("associations":{}})";

class ProductViewTest : public testing::Test {
 protected:
  void SetUp() override {
    store_.attributes["sku"] = Resource(NewAttributeDoc("sku", kIdentifierType));
    store_.attributes["name"] = Resource(NewAttributeDoc("name", kTextType));
    store_.attributes["blurb"] = Resource(NewAttributeDoc("blurb", kTextareaType));
    store_.attributes["color"] = Resource(NewAttributeDoc("color", kSimpleSelectType));
    store_.attributes["tags"] = Resource(NewAttributeDoc("tags", kMultiSelectType));
    for (const auto& [attribute, code] :
         std::vector<std::pair<std::string, std::string>>{
             {"color", "red"}, {"tags", "a"}, {"tags", "b"}}) {
      Json option = NewAttributeOptionDoc(attribute, code);
      option["labels"]["en_US"] = "L_" + code;
      store_.options[attribute][code] = Resource(std::move(option));
    }
    store_.locales["en_US"] = Resource(NewLocaleDoc("en_US", true));
    store_.locales["fr_FR"] = Resource(NewLocaleDoc("fr_FR", true));
    store_.locales["en_GB"] = Resource(NewLocaleDoc("en_GB", false));
    Json root = NewCategoryDoc("root", absl::UnixEpoch());
    Json leaf = NewCategoryDoc("leaf", absl::UnixEpoch());
    leaf["parent"] = "root";
    store_.categories["root"] = Resource(std::move(root));
    store_.categories["leaf"] = Resource(std::move(leaf));
    store_.categories["other"] = Resource(NewCategoryDoc("other", absl::UnixEpoch()));
    for (const char* code : {"web", "print"}) {
      Json ch = NewChannelDoc(code);
      ch["locales"] = Json::array({"en_US"});
      if (std::string(code) == "web") ch["locales"].push_back("fr_FR");
      ch["category_tree"] = std::string(code) == "web" ? "root" : "other";
      store_.channels[code] = Resource(std::move(ch));
    }
    Json family = NewFamilyDoc("f", "sku");
    family["attributes"] = Json::array({"sku", "name", "color"});
    family["attribute_requirements"] = Json::object();
    family["attribute_requirements"]["web"] = Json::array({"sku", "name", "color"});
    family["attribute_requirements"]["print"] = Json::array({"sku"});
    store_.families["f"] = Resource(std::move(family));
  }

  ProductViewParams Params(std::string_view query, ViewRoute route = ViewRoute::kProductList) {
    absl::StatusOr<ProductViewParams> p =
        ParseProductViewParams(store_, url::ParseQuery(query), route);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : ProductViewParams();
  }
  std::string Render(std::string_view doc, const ProductViewParams& params,
                     std::string_view drop_root = "", std::string_view drop_value = "") {
    ProductView view;
    view.params = &params;
    view.drop_root_key = drop_root;
    view.drop_value = drop_value;
    ViewCatalog catalog(store_);
    std::string out = "prefix:";
    RenderProductView(doc, view, catalog, "u1", &out);
    EXPECT_EQ(out.substr(0, 7), "prefix:");
    return out.substr(7);
  }

  Store store_;
};

TEST_F(ProductViewTest, WithoutParametersTheDocumentIsServedByteForByte) {
  EXPECT_EQ(Render(kDoc, ProductViewParams()), kDoc);
}

TEST_F(ProductViewTest, DropsTheRootIdentifierOrTheIdentifierValue) {
  Json uuid_form = Json::parse(Render(kDoc, ProductViewParams(), "identifier"));
  EXPECT_FALSE(uuid_form.contains("identifier"));
  EXPECT_EQ(uuid_form["values"]["sku"][0]["data"], "p1");
  Json products_form = Json::parse(Render(kDoc, ProductViewParams(), "", "sku"));
  EXPECT_EQ(products_form["identifier"], "p1");
  EXPECT_FALSE(products_form["values"].contains("sku"));
  EXPECT_EQ(products_form["values"].size(), 4u);
}

TEST_F(ProductViewTest, ScopeLocalesAndAttributesFilterValues) {
  Json web = Json::parse(Render(kDoc, Params("scope=print")));
  // print: scope print or null, locales en_US (print's) or null.
  EXPECT_EQ(web["values"]["blurb"],
            Json::parse(R"([{"locale":"en_US","scope":"print","data":"Print"}])"));
  EXPECT_EQ(web["values"]["name"],
            Json::parse(R"([{"locale":"en_US","scope":null,"data":"Hat"}])"));
  Json fr = Json::parse(Render(kDoc, Params("locales=fr_FR")));
  EXPECT_FALSE(fr["values"].contains("blurb"));  // no entry left: no key
  EXPECT_EQ(fr["values"]["name"].size(), 1u);
  EXPECT_TRUE(fr["values"].contains("color"));
  Json some = Json::parse(Render(kDoc, Params("attributes=color,blurb")));
  EXPECT_EQ(some["values"].size(), 2u);
  EXPECT_EQ(some["values"]["blurb"].size(), 2u);
}

TEST_F(ProductViewTest, ScopeSelectsTheChannelsCategoryTree) {
  ProductViewParams web = Params("scope=web");
  ASSERT_TRUE(web.tree.has_value());
  EXPECT_TRUE(web.InTree({"leaf"}));
  EXPECT_TRUE(web.InTree({"other", "root"}));
  EXPECT_FALSE(web.InTree({"other"}));
  EXPECT_FALSE(web.InTree({}));
  EXPECT_TRUE(Params("").InTree({}));
}

TEST_F(ProductViewTest, UnknownCodesAreInvalidArgumentWithAkeneosMessages) {
  auto message = [&](std::string_view query) {
    absl::StatusOr<ProductViewParams> p =
        ParseProductViewParams(store_, url::ParseQuery(query), ViewRoute::kProductList);
    EXPECT_FALSE(p.ok()) << query;
    return p.ok() ? std::string() : std::string(p.status().message());
  };
  EXPECT_EQ(message("scope=not_found"), "Scope \"not_found\" does not exist.");
  EXPECT_EQ(message("locales=not_found"),
            "Locale \"not_found\" does not exist or is not activated.");
  EXPECT_EQ(message("locales=en_GB"), "Locale \"en_GB\" does not exist or is not activated.");
  EXPECT_EQ(message("attributes=not_found"), "Attribute \"not_found\" does not exist.");
  EXPECT_EQ(message("scope=print&locales=fr_FR"),
            "Locale \"fr_FR\" is not activated for the scope \"print\".");
  // The item routes ignore scope, locales and attributes.
  EXPECT_TRUE(ParseProductViewParams(store_, url::ParseQuery("scope=x&locales=y"),
                                     ViewRoute::kProductItem)
                  .ok());
}

TEST_F(ProductViewTest, LinkedDataFollowsDataOnSelectValues) {
  Json doc = Json::parse(Render(kDoc, Params("with_attribute_options=true")));
  EXPECT_EQ(DumpJson(doc["values"]["color"][0]),
            R"({"locale":null,"scope":null,"data":"red","linked_data":)"
            R"({"attribute":"color","code":"red","labels":{"en_US":"L_red"}}})");
  // An option that does not exist is left out.
  EXPECT_EQ(DumpJson(doc["values"]["tags"][0]["linked_data"]),
            R"({"a":{"attribute":"tags","code":"a","labels":{"en_US":"L_a"}},)"
            R"("b":{"attribute":"tags","code":"b","labels":{"en_US":"L_b"}}})");
  EXPECT_FALSE(doc["values"]["name"][0].contains("linked_data"));
  // Product models do not take it.
  EXPECT_FALSE(Params("with_attribute_options=true", ViewRoute::kModelList)
                   .with_attribute_options);
}

TEST_F(ProductViewTest, CompletenessCountsFilledRequiredAttributes) {
  Json doc = Json::parse(Render(kDoc, Params("with_completenesses=true&attributes=blurb")));
  // print needs sku: 100. web needs sku, name, color: all filled in en_US
  // and fr_FR.
  EXPECT_EQ(doc["completenesses"], Json::parse(R"([
      {"scope":"print","locale":"en_US","data":100},
      {"scope":"web","locale":"en_US","data":100},
      {"scope":"web","locale":"fr_FR","data":100}])"));
  std::string no_fr = kDoc;
  no_fr.replace(no_fr.find(R"("Chapeau")"), 9, R"("")");
  doc = Json::parse(Render(no_fr, Params("with_completenesses=true")));
  EXPECT_EQ(doc["completenesses"][2]["data"], 66);  // 2 of 3
}

TEST_F(ProductViewTest, QualityScoresAreSyntheticAndStable) {
  Json doc = Json::parse(Render(kDoc, Params("with_quality_scores=true")));
  ASSERT_EQ(doc["quality_scores"].size(), 3u);  // print en_US, web en_US, fr_FR
  EXPECT_EQ(doc["quality_scores"][0]["data"],
            std::string(1, SyntheticQualityScore("u1", "print", "en_US")));
  EXPECT_EQ(SyntheticQualityScore("u1", "web", "en_US"),
            SyntheticQualityScore("u1", "web", "en_US"));
  std::string no_family = kDoc;
  no_family.replace(no_family.find(R"("f")"), 3, "null");
  EXPECT_EQ(Json::parse(Render(no_family, Params("with_quality_scores=true")))["quality_scores"],
            Json::object());
  for (const char* off : {"with_quality_scores=1", "with_quality_scores=TRUE",
                          "with_quality_scores="}) {
    EXPECT_FALSE(Params(off).with_quality_scores) << off;
  }
}

TEST_F(ProductViewTest, StoredProductsCutTheSameBytesAsTheFullRendering) {
  const std::string docs[] = {
      kDoc,
      R"({"identifier":"p1","uuid":"u1","values":{"x":[{"data":1}],"sku":[{"data":"p1"}]}})",
      R"({"identifier":null,"values":{"sku":[{"data":"p1"}],"x":[{"data":1}]}})",
      R"({"identifier":"p1","values":{"sku":[{"data":"p1"}]}})",
      R"({"uuid":"u1","values":{}})",
      R"({ "uuid" : "u1" , "identifier" : "p1" , "values" : { "a" : [ {"data":1} ] , )"
      R"("sku" : [ {"data":"p1"} ] } })",
  };
  const ProductViewParams none;
  for (const std::string& doc : docs) {
    Product p;
    p.uuid = "u1";
    p.json = doc;
    IndexProductJson("sku", &p);
    EXPECT_FALSE(p.has_associations) << doc;
    for (int drop = 0; drop < 3; ++drop) {
      ProductView view;
      view.params = &none;
      if (drop == 1) view.drop_root_key = "identifier";
      if (drop == 2) view.drop_value = "sku";
      ViewCatalog catalog(store_);
      std::string stored, full;
      RenderStoredProduct(p, view, catalog, &stored);
      RenderProductView(doc, view, catalog, "u1", &full);
      EXPECT_EQ(Json::parse(stored), Json::parse(full)) << doc << " drop " << drop;
      if (drop == 0) EXPECT_EQ(stored, doc);
    }
  }
  Product with;
  with.json = R"({"uuid":"u1","associations":{"X":{}},"quantified_associations":{}})";
  IndexProductJson("sku", &with);
  EXPECT_TRUE(with.has_associations);
}

TEST_F(ProductViewTest, ToleratesWhitespaceAndEscapesAndRefusesNothing) {
  const std::string spaced =
      "{ \"uuid\" : \"u1\" , \"values\" : { \"n\\u0061me\" : [ { \"locale\" : \"fr_FR\" ,"
      " \"scope\" : null , \"data\" : \"x \\\" ]}\" } ] } }";
  Json doc = Json::parse(Render(spaced, Params("locales=en_US")));
  EXPECT_EQ(doc["values"], Json::object());
  doc = Json::parse(Render(spaced, Params("locales=fr_FR&attributes=name")));
  EXPECT_EQ(doc["values"]["name"][0]["data"], "x \" ]}");
  // Not a document of ours: served unchanged.
  for (const char* bad : {"", "[]", "{\"values\":{\"a\":[{]}", "{\"a\":", "nul"}) {
    EXPECT_EQ(Render(bad, Params("locales=en_US")), bad);
  }
}

}  // namespace
}  // namespace pimsim::api
