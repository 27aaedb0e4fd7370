// The query parameters of product and product model reads through
// Api::Handle: scope (values and the channel's category tree), locales,
// attributes, their 422s, their links, with_attribute_options,
// with_completenesses and with_quality_scores; the normalisation of
// /products and /products-uuid; categories listed in tree order.
//
// The seed (25 products, rng seed 42) has the channels ecommerce (de_DE,
// en_US, fr_FR) and mobile (en_US, fr_FR), both on the tree "master", which
// classifies every seeded product; the tests add a second tree and a
// channel on it.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "common/url.h"
#include "gtest/gtest.h"
#include "mock_pim/api/api_fixture.h"

namespace pimsim::api {
namespace {

constexpr char kProducts[] = "/api/rest/v1/products";
constexpr char kProductsUuid[] = "/api/rest/v1/products-uuid";
constexpr char kModels[] = "/api/rest/v1/product-models";

class ListParamsTest : public ApiFixture {
 protected:
  void SetUp() override { Build("", 25); }

  // Every item of a list, following _links.next as given.
  std::vector<Json> All(std::string target) {
    std::vector<Json> items;
    for (int pages = 0; pages < 100; ++pages) {
      Json page = GetJson(target);
      for (const Json& item : page["_embedded"]["items"]) items.push_back(item);
      if (!page["_links"].contains("next")) return items;
      target = Path(page["_links"]["next"]["href"].get<std::string>());
    }
    ADD_FAILURE() << "more than 100 pages";
    return items;
  }
  // The path and query of an href.
  static std::string Path(const std::string& href) {
    const size_t at = href.find("/api/rest/v1");
    return at == std::string::npos ? href : href.substr(at);
  }
  // A second category tree, "print_root" > "print_a" > "print_a_1", and the
  // channel "print" on it (en_US only).
  void AddPrintChannel() {
    ASSERT_EQ(Call("POST", "/api/rest/v1/categories", R"({"code":"print_root"})").status,
              201);
    ASSERT_EQ(Call("POST", "/api/rest/v1/categories",
                   R"({"code":"print_a","parent":"print_root"})")
                  .status,
              201);
    ASSERT_EQ(Call("POST", "/api/rest/v1/categories",
                   R"({"code":"print_a_1","parent":"print_a"})")
                  .status,
              201);
    ApiResponse r = Call("POST", "/api/rest/v1/channels",
                         R"({"code":"print","category_tree":"print_root",
                             "locales":["en_US"],"currencies":["EUR"]})");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  void SetCategories(const std::string& identifier, const std::string& json) {
    ApiResponse r = Call("PATCH", std::string(kProducts) + "/" + identifier,
                         R"({"categories":)" + json + "}");
    ASSERT_EQ(r.status, 204) << r.body;
  }
  static std::set<std::string> Identifiers(const std::vector<Json>& items) {
    std::set<std::string> out;
    for (const Json& item : items) out.insert(item["identifier"].get<std::string>());
    return out;
  }
};

// --- scope, locales, attributes --------------------------------------------------

TEST_F(ListParamsTest, ScopeKeepsTheChannelsValuesAndLocales) {
  const std::vector<Json> items = All(std::string(kProducts) + "?scope=mobile&limit=100");
  ASSERT_EQ(items.size(), 25u);
  size_t scoped = 0, localized = 0;
  for (const Json& item : items) {
    for (const auto& [attribute, entries] : item["values"].items()) {
      for (const Json& e : entries) {
        if (!e["scope"].is_null()) {
          EXPECT_EQ(e["scope"], "mobile") << attribute;
          ++scoped;
        }
        if (!e["locale"].is_null()) {
          // mobile's locales: de_DE values are gone.
          EXPECT_TRUE(e["locale"] == "en_US" || e["locale"] == "fr_FR") << e;
          ++localized;
        }
      }
    }
  }
  EXPECT_GT(scoped, 0u);
  EXPECT_GT(localized, 0u);
  // Without scope the other channel's values are there.
  Json full = GetJson(std::string(kProducts) + "/product_000001");
  Json scoped_one = All(std::string(kProducts) +
                        "?scope=mobile&search=" +
                        url::PercentEncode(R"({"identifier":[{"operator":"IN","value":["product_000001"]}]})"))
                        .at(0);
  EXPECT_GT(full["values"]["description"].size(), scoped_one["values"]["description"].size());
}

TEST_F(ListParamsTest, ScopeKeepsOnlyProductsClassifiedInTheChannelsTree) {
  AddPrintChannel();
  SetCategories("product_000002", R"(["print_a_1"])");
  SetCategories("product_000003", R"(["print_root","master"])");
  SetCategories("product_000004", R"(["print_a"])");
  SetCategories("product_000005", "[]");
  ASSERT_EQ(Call("POST", kProducts, R"({"identifier":"unclassified"})").status, 201);

  // The expectation, computed here from the categories' parent links and
  // the products' own categories.
  std::map<std::string, std::string> parent;
  for (const Json& c : All("/api/rest/v1/categories?limit=100")) {
    parent[c["code"].get<std::string>()] =
        c["parent"].is_null() ? "" : c["parent"].get<std::string>();
  }
  auto root_of = [&](std::string code) {
    for (int depth = 0; depth < 100 && !parent[code].empty(); ++depth) code = parent[code];
    return code;
  };
  auto expected_in = [&](const std::string& tree) {
    std::set<std::string> out;
    for (const Json& p : All(std::string(kProducts) + "?limit=100")) {
      for (const Json& c : p["categories"]) {
        if (root_of(c.get<std::string>()) == tree) {
          out.insert(p["identifier"].get<std::string>());
        }
      }
    }
    return out;
  };
  const std::set<std::string> print = expected_in("print_root");
  EXPECT_EQ(print, (std::set<std::string>{"product_000002", "product_000003",
                                          "product_000004"}));
  const std::set<std::string> master = expected_in("master");
  EXPECT_EQ(master.size(), 25u - 3u);  // not 000002, 000004, 000005; 000003 is in both

  for (const char* mode : {"", "&pagination_type=search_after", "&with_count=true"}) {
    EXPECT_EQ(Identifiers(All(std::string(kProducts) + "?scope=print&limit=2" + mode)),
              print) << mode;
    EXPECT_EQ(Identifiers(All(std::string(kProducts) + "?scope=ecommerce&limit=7" + mode)),
              master) << mode;
  }
  Json counted = GetJson(std::string(kProducts) + "?scope=print&with_count=true");
  EXPECT_EQ(counted["items_count"], 3);
  // products-uuid the same way, by uuid.
  std::set<std::string> uuids;
  for (const Json& p : All(std::string(kProductsUuid) + "?scope=print&limit=1")) {
    uuids.insert(p["uuid"].get<std::string>());
  }
  std::set<std::string> expected_uuids;
  for (const std::string& id : print) {
    expected_uuids.insert(
        GetJson(std::string(kProducts) + "/" + id)["uuid"].get<std::string>());
  }
  EXPECT_EQ(uuids, expected_uuids);
  // print's only locale is en_US.
  for (const Json& p : All(std::string(kProducts) + "?scope=print")) {
    for (const auto& [attribute, entries] : p["values"].items()) {
      for (const Json& e : entries) {
        EXPECT_TRUE(e["locale"].is_null() || e["locale"] == "en_US") << e;
        EXPECT_TRUE(e["scope"].is_null()) << e;  // print has no scoped values
      }
    }
  }
}

TEST_F(ListParamsTest, LocalesKeepThoseLocalesAndUnlocalizedValues) {
  size_t unlocalized = 0;
  for (const Json& p : All(std::string(kProducts) + "?locales=fr_FR,de_DE&limit=100")) {
    std::set<std::string> seen;
    for (const auto& [attribute, entries] : p["values"].items()) {
      EXPECT_FALSE(entries.empty()) << attribute;
      for (const Json& e : entries) {
        if (e["locale"].is_null()) {
          ++unlocalized;
        } else {
          seen.insert(e["locale"].get<std::string>());
        }
      }
    }
    EXPECT_EQ(seen.count("en_US"), 0u);
  }
  EXPECT_GT(unlocalized, 0u);
  // Both scopes stay: locales alone does not filter channels.
  Json one = All(std::string(kProducts) + "?locales=fr_FR&limit=1").at(0);
  std::set<std::string> scopes;
  for (const Json& e : one["values"]["description"]) scopes.insert(e["scope"].get<std::string>());
  EXPECT_EQ(scopes, (std::set<std::string>{"ecommerce", "mobile"}));
}

TEST_F(ListParamsTest, AttributesKeepOnlyThoseAttributes) {
  size_t with_name = 0;
  for (const Json& p : All(std::string(kProducts) + "?attributes=name,weight&limit=100")) {
    for (const auto& [attribute, entries] : p["values"].items()) {
      EXPECT_TRUE(attribute == "name" || attribute == "weight") << attribute;
    }
    with_name += p["values"].contains("name");
    // The rest of the product is unchanged.
    EXPECT_TRUE(p.contains("categories"));
    EXPECT_TRUE(p.contains("associations"));
  }
  EXPECT_GT(with_name, 0u);
  // Combined: name in en_US only.
  Json p = GetJson(std::string(kProductsUuid) + "?attributes=name,sku&locales=en_US")
               ["_embedded"]["items"][0];
  ASSERT_TRUE(p["values"].contains("name"));
  EXPECT_EQ(p["values"]["name"].size(), 1u);
  EXPECT_EQ(p["values"]["name"][0]["locale"], "en_US");
  EXPECT_TRUE(p["values"].contains("sku"));
}

TEST_F(ListParamsTest, UnknownCodesAre422WithAkeneosMessages) {
  for (const char* list : {kProducts, kProductsUuid, kModels}) {
    const std::string l(list);
    ExpectError(Get(l + "?scope=not_found"), 422, "Scope \"not_found\" does not exist.");
    ExpectError(Get(l + "?locales=not_found"), 422,
                "Locale \"not_found\" does not exist or is not activated.");
    // en_GB exists but is not activated.
    ExpectError(Get(l + "?locales=en_US,en_GB"), 422,
                "Locale \"en_GB\" does not exist or is not activated.");
    ExpectError(Get(l + "?attributes=not_found"), 422,
                "Attribute \"not_found\" does not exist.");
    ExpectError(Get(l + "?attributes=name,x,y"), 422, "Attributes \"x, y\" do not exist.");
    ExpectError(Get(l + "?locales=x,y"), 422,
                "Locales \"x, y\" do not exist or are not activated.");
    ExpectError(Get(l + "?scope=mobile&locales=de_DE"), 422,
                "Locale \"de_DE\" is not activated for the scope \"mobile\".");
  }
  // POST /products-uuid/search answers the same.
  ExpectError(Call("POST", std::string(kProductsUuid) + "/search", R"({"scope":"not_found"})"),
              422, "Scope \"not_found\" does not exist.");
  ExpectError(Call("POST", std::string(kProductsUuid) + "/search",
                   R"({"locales":["not_found"]})"),
              422, "Locale \"not_found\" does not exist or is not activated.");
}

TEST_F(ListParamsTest, LinksCarryTheParametersAndNextKeepsThem) {
  const std::string params =
      "scope=mobile&locales=en_US&attributes=name,description&with_completenesses=true";
  for (const char* mode : {"", "&pagination_type=search_after"}) {
    Json page = GetJson(std::string(kProducts) + "?limit=3&" + params + mode);
    for (const char* link : {"self", "first", "next"}) {
      const std::string href = page["_links"][link]["href"].get<std::string>();
      EXPECT_TRUE(href.find(params) != std::string::npos) << link << ": " << href;
    }
    // Every page reached by next is filtered the same way.
    std::vector<Json> items = All(std::string(kProducts) + "?limit=3&" + params + mode);
    EXPECT_EQ(items.size(), 25u);
    for (const Json& p : items) {
      EXPECT_TRUE(p.contains("completenesses"));
      for (const auto& [attribute, entries] : p["values"].items()) {
        EXPECT_TRUE(attribute == "name" || attribute == "description") << attribute;
        for (const Json& e : entries) {
          EXPECT_EQ(e["locale"], "en_US");
          EXPECT_TRUE(e["scope"].is_null() || e["scope"] == "mobile");
        }
      }
    }
  }
}

// --- with_attribute_options, with_completenesses, with_quality_scores ------------

TEST_F(ListParamsTest, WithAttributeOptionsAddsLinkedDataToSelectValues) {
  size_t simple = 0, multi = 0;
  for (const Json& p : All(std::string(kProducts) + "?with_attribute_options=true&limit=100")) {
    for (const auto& [attribute, entries] : p["values"].items()) {
      const std::string type =
          GetJson("/api/rest/v1/attributes/" + attribute)["type"].get<std::string>();
      for (const Json& e : entries) {
        if (type == "pim_catalog_simpleselect") {
          ++simple;
          const std::string code = e["data"].get<std::string>();
          Json option = GetJson("/api/rest/v1/attributes/" + attribute + "/options/" + code);
          EXPECT_EQ(e["linked_data"],
                    Json({{"attribute", attribute}, {"code", code}, {"labels", option["labels"]}}));
          // linked_data follows data.
          auto it = e.begin();
          while (it != e.end() && it.key() != "data") ++it;
          ASSERT_NE(it, e.end());
          ++it;
          ASSERT_NE(it, e.end());
          EXPECT_EQ(it.key(), "linked_data");
        } else if (type == "pim_catalog_multiselect") {
          ++multi;
          ASSERT_TRUE(e["linked_data"].is_object()) << e;
          EXPECT_EQ(e["linked_data"].size(), e["data"].size());
          for (const Json& code : e["data"]) {
            const Json& linked = e["linked_data"][code.get<std::string>()];
            EXPECT_EQ(linked["attribute"], attribute);
            EXPECT_EQ(linked["code"], code);
            EXPECT_TRUE(linked["labels"].is_object());
          }
        } else {
          EXPECT_FALSE(e.contains("linked_data")) << attribute;
        }
      }
    }
  }
  EXPECT_GT(simple, 0u);
  EXPECT_GT(multi, 0u);
  // Without the parameter, or with anything but "true", there is none.
  for (const char* flag : {"", "?with_attribute_options=false", "?with_attribute_options=1"}) {
    const std::string body = Get(std::string(kProducts) + flag).body;
    EXPECT_EQ(body.find("linked_data"), std::string::npos) << flag;
  }
  // GET of one product takes it too.
  EXPECT_NE(Get(std::string(kProducts) + "/product_000001?with_attribute_options=true")
                .body.find("linked_data"),
            std::string::npos);
}

TEST_F(ListParamsTest, WithCompletenessesFollowsTheFamilysRequirements) {
  // A family whose requirements are known: ecommerce needs name, mobile
  // needs name and weight.
  ApiResponse f = Call("POST", "/api/rest/v1/families",
                       R"({"code":"shirts","attributes":["sku","name","weight"],
                           "attribute_as_label":"name",
                           "attribute_requirements":{"ecommerce":["sku","name"],
                                                     "mobile":["sku","name","weight"]}})");
  ASSERT_EQ(f.status, 201) << f.body;
  ApiResponse p = Call("POST", kProducts,
                       R"({"identifier":"shirt","family":"shirts","values":{
                           "name":[{"locale":"en_US","scope":null,"data":"Shirt"},
                                   {"locale":"fr_FR","scope":null,"data":""}]}})");
  ASSERT_EQ(p.status, 201) << p.body;
  Json shirt = GetJson(std::string(kProducts) + "/shirt?with_completenesses=true");
  // ecommerce: sku + name(en_US) of 2; fr_FR and de_DE have sku only.
  // mobile: sku + name(en_US) of 3, fr_FR 1 of 3 (the empty name counts as
  // missing).
  EXPECT_EQ(shirt["completenesses"], Json::parse(R"([
      {"scope":"ecommerce","locale":"de_DE","data":50},
      {"scope":"ecommerce","locale":"en_US","data":100},
      {"scope":"ecommerce","locale":"fr_FR","data":50},
      {"scope":"mobile","locale":"en_US","data":66},
      {"scope":"mobile","locale":"fr_FR","data":33}])"));
  // The last two keys: quality scores, then completenesses.
  Json both = GetJson(std::string(kProductsUuid) + "/" + shirt["uuid"].get<std::string>() +
                      "?with_completenesses=true&with_quality_scores=true");
  auto last = both.end();
  --last;
  EXPECT_EQ(last.key(), "completenesses");
  --last;
  EXPECT_EQ(last.key(), "quality_scores");
  // A product without a family has none.
  ASSERT_EQ(Call("POST", kProducts, R"({"identifier":"bare"})").status, 201);
  EXPECT_EQ(GetJson(std::string(kProducts) + "/bare?with_completenesses=true")["completenesses"],
            Json::array());
  // The filters of a list do not change completeness, which is the whole
  // product's.
  Json listed = All(std::string(kProducts) +
                    "?attributes=weight&with_completenesses=true&search=" +
                    url::PercentEncode(R"({"identifier":[{"operator":"IN","value":["shirt"]}]})"))
                    .at(0);
  EXPECT_EQ(listed["completenesses"], shirt["completenesses"]);
  EXPECT_FALSE(GetJson(std::string(kProducts) + "/shirt?with_completenesses=yes")
                   .contains("completenesses"));
}

TEST_F(ListParamsTest, CompletenessOfSeededProductsMatchesARecount) {
  for (const Json& p : All(std::string(kProductsUuid) + "?with_completenesses=true&limit=100")) {
    const Json family = GetJson("/api/rest/v1/families/" + p["family"].get<std::string>());
    Json expected = Json::array();
    std::vector<std::string> channels;
    for (const auto& [channel, required] : family["attribute_requirements"].items()) {
      channels.push_back(channel);
    }
    std::sort(channels.begin(), channels.end());
    for (const std::string& channel : channels) {
      const Json& required = family["attribute_requirements"][channel];
      const Json channel_doc = GetJson("/api/rest/v1/channels/" + channel);
      for (const Json& locale : channel_doc["locales"]) {
        int filled = 0;
        for (const Json& a : required) {
          bool any = false;
          for (const Json& e : p["values"].value(a.get<std::string>(), Json::array())) {
            any = any || ((e["locale"].is_null() || e["locale"] == locale) &&
                          (e["scope"].is_null() || e["scope"] == channel) &&
                          !e["data"].is_null() && e["data"] != "");
          }
          filled += any;
        }
        expected.push_back({{"scope", channel},
                            {"locale", locale},
                            {"data", 100 * filled / static_cast<int>(required.size())}});
      }
    }
    EXPECT_EQ(p["completenesses"], expected) << p["uuid"];
  }
}

TEST_F(ListParamsTest, WithQualityScoresIsDeterministicPerChannelAndLocale) {
  const std::string target = std::string(kProducts) + "?with_quality_scores=true&limit=100";
  const std::vector<Json> items = All(target);
  std::set<std::string> letters;
  for (const Json& p : items) {
    const Json& scores = p["quality_scores"];
    ASSERT_TRUE(scores.is_array());
    ASSERT_EQ(scores.size(), 5u);  // ecommerce x 3 locales, mobile x 2
    EXPECT_EQ(scores[0]["scope"], "ecommerce");
    EXPECT_EQ(scores[0]["locale"], "de_DE");
    EXPECT_EQ(scores[4]["scope"], "mobile");
    EXPECT_EQ(scores[4]["locale"], "fr_FR");
    for (const Json& s : scores) {
      const std::string letter = s["data"].get<std::string>();
      EXPECT_TRUE(letter.size() == 1 && letter[0] >= 'A' && letter[0] <= 'E') << letter;
      letters.insert(letter);
    }
    // The same on GET of the product.
    EXPECT_EQ(GetJson(std::string(kProducts) + "/" + p["identifier"].get<std::string>() +
                      "?with_quality_scores=true")["quality_scores"],
              scores);
  }
  EXPECT_GT(letters.size(), 2u);
  EXPECT_EQ(All(target), items);
  // No family: {}, as Akeneo's example shows.
  ASSERT_EQ(Call("POST", kProducts, R"({"identifier":"bare"})").status, 201);
  EXPECT_EQ(GetJson(std::string(kProducts) + "/bare?with_quality_scores=true")["quality_scores"],
            Json::object());
  EXPECT_FALSE(GetJson(std::string(kProducts) + "/bare?with_quality_scores=TRUE")
                   .contains("quality_scores"));
}

TEST_F(ListParamsTest, ProductModelsTakeScopeLocalesAttributesAndQualityScores) {
  // A root model and a localizable text attribute it may hold.
  std::string code, name;
  for (const Json& m : All(std::string(kModels) + "?limit=100")) {
    if (!m["parent"].is_null() || !name.empty()) continue;
    const Json variant = GetJson("/api/rest/v1/families/" + m["family"].get<std::string>() +
                                 "/variants/" + m["family_variant"].get<std::string>());
    for (const Json& a : variant["common_attributes"]) {
      const Json attribute = GetJson("/api/rest/v1/attributes/" + a.get<std::string>());
      if (attribute["type"] == "pim_catalog_text" && attribute["localizable"] == true) {
        code = m["code"].get<std::string>();
        name = a.get<std::string>();
        break;
      }
    }
  }
  ASSERT_FALSE(name.empty());
  // Seeded models are unclassified: a scope keeps none until one is.
  EXPECT_TRUE(All(std::string(kModels) + "?scope=ecommerce").empty());
  ApiResponse r = Call("PATCH", std::string(kModels) + "/" + code,
                       R"({"categories":["master"],"values":{")" + name +
                           R"(":[{"locale":"en_US","scope":null,"data":"Model"},
                                   {"locale":"de_DE","scope":null,"data":"Modell"}]}})");
  ASSERT_EQ(r.status, 204) << r.body;
  std::vector<Json> scoped = All(std::string(kModels) + "?scope=mobile&with_quality_scores=true");
  ASSERT_EQ(scoped.size(), 1u);
  EXPECT_EQ(scoped[0]["code"], code);
  EXPECT_EQ(scoped[0]["values"][name].size(), 1u);  // de_DE is not mobile's
  EXPECT_EQ(scoped[0]["values"][name][0]["locale"], "en_US");
  EXPECT_EQ(scoped[0]["quality_scores"].size(), 5u);
  Json named = GetJson(std::string(kModels) + "?attributes=" + name + "&locales=de_DE&search=" +
                       url::PercentEncode(R"({"identifier":[{"operator":"IN","value":[")" +
                                          code + R"("]}]})"))["_embedded"]["items"].at(0);
  EXPECT_EQ(named["values"], Json::parse(
      R"({")" + name + R"(":[{"locale":"de_DE","scope":null,"data":"Modell"}]})"));
  // GET of one model takes with_quality_scores only.
  Json one = GetJson(std::string(kModels) + "/" + code +
                     "?with_quality_scores=true&with_completenesses=true&scope=x");
  EXPECT_EQ(one["quality_scores"], scoped[0]["quality_scores"]);
  EXPECT_FALSE(one.contains("completenesses"));
  EXPECT_EQ(Get(std::string(kModels) + "?with_attribute_options=true").body.find("linked_data"),
            std::string::npos);
}

// --- normalisation -----------------------------------------------------------------

TEST_F(ListParamsTest, ProductsAndProductsUuidNormaliseTheIdentifier) {
  for (const Json& p : All(std::string(kProducts) + "?limit=100")) {
    EXPECT_TRUE(p["identifier"].is_string());
    EXPECT_FALSE(p["values"].contains("sku")) << p["identifier"];
  }
  for (const Json& p : All(std::string(kProductsUuid) + "?limit=100")) {
    EXPECT_FALSE(p.contains("identifier"));
    ASSERT_TRUE(p["values"].contains("sku"));
    EXPECT_EQ(p["values"]["sku"].size(), 1u);
  }
  // Setting the sku value through products-uuid renames the product.
  const std::string uuid = GetJson(std::string(kProducts) + "/product_000007")["uuid"];
  ApiResponse r = Call("PATCH", std::string(kProductsUuid) + "/" + uuid,
                       R"({"values":{"sku":[{"locale":null,"scope":null,"data":"renamed"}]}})");
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(Get(std::string(kProducts) + "/product_000007").status, 404);
  EXPECT_EQ(GetJson(std::string(kProducts) + "/renamed")["uuid"], uuid);
}

TEST_F(ListParamsTest, AssociationsAlwaysCarryTheThreeKeys) {
  ApiResponse r = Call("PATCH", std::string(kProducts) + "/product_000001",
                       R"({"associations":{"X_SELL":{"groups":[]},"PACK":{}}})");
  ASSERT_EQ(r.status, 204) << r.body;
  Json p = GetJson(std::string(kProducts) + "/product_000001");
  for (const char* type : {"X_SELL", "PACK"}) {
    const Json& a = p["associations"][type];
    ASSERT_EQ(a.size(), 3u) << a;
    auto it = a.begin();
    EXPECT_EQ(it.key(), "products");
    EXPECT_EQ((++it).key(), "product_models");
    EXPECT_EQ((++it).key(), "groups");
  }
}

TEST_F(ListParamsTest, AssociationsNameProductsByIdentifierOrByUuid) {
  const std::string u2 = GetJson(std::string(kProducts) + "/product_000002")["uuid"];
  const std::string u3 = GetJson(std::string(kProducts) + "/product_000003")["uuid"];
  ApiResponse r = Call("PATCH", std::string(kProducts) + "/product_000001",
                       R"({"associations":{"X_SELL":{"products":["product_000002"]}},
                           "quantified_associations":{"SET":{"products":[
                             {"identifier":"product_000003","quantity":2}]}}})");
  ASSERT_EQ(r.status, 204) << r.body;
  Json by_id = GetJson(std::string(kProducts) + "/product_000001");
  EXPECT_EQ(by_id["associations"]["X_SELL"]["products"], Json::array({"product_000002"}));
  EXPECT_EQ(by_id["quantified_associations"]["SET"]["products"],
            Json::parse(R"([{"identifier":"product_000003","quantity":2}])"));
  const std::string u1 = by_id["uuid"];
  Json by_uuid = GetJson(std::string(kProductsUuid) + "/" + u1);
  EXPECT_EQ(by_uuid["associations"]["X_SELL"]["products"], Json::array({u2}));
  EXPECT_EQ(by_uuid["quantified_associations"]["SET"]["products"],
            Json::array({Json({{"uuid", u3}, {"quantity", 2}})}));
  // Lists name them the same way.
  EXPECT_EQ(All(std::string(kProductsUuid) + "?limit=100&search=" +
                url::PercentEncode(R"({"uuid":[{"operator":"IN","value":[")" + u1 + R"("]}]})"))
                .at(0)["associations"],
            by_uuid["associations"]);
  // Through products-uuid, by uuid (any case).
  std::string upper = u3;
  for (char& c : upper) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  r = Call("PATCH", std::string(kProductsUuid) + "/" + u1,
           R"({"associations":{"PACK":{"products":[")" + upper + R"("]}}})");
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(GetJson(std::string(kProducts) + "/product_000001")["associations"]["PACK"]["products"],
            Json::array({"product_000003"}));
  // Products that do not exist.
  ExpectError(Call("PATCH", std::string(kProducts) + "/product_000001",
                   R"({"associations":{"PACK":{"products":["nope"]}}})"),
              422,
              "Property \"associations\" expects a valid product identifier. The product "
              "does not exist, \"nope\" given.");
  ExpectError(Call("PATCH", std::string(kProductsUuid) + "/" + u1,
                   R"({"associations":{"PACK":{"products":["00000000-0000-4000-8000-000000000000"]}}})"),
              422,
              "Property \"associations\" expects a valid product uuid. The product "
              "does not exist, \"00000000-0000-4000-8000-000000000000\" given.");
}

// --- categories ----------------------------------------------------------------------

TEST_F(ListParamsTest, CategoriesListInTreeOrder) {
  // Children created out of code order: "zeta" before "alpha" under a new
  // root, and a grandchild.
  for (const char* body : {R"({"code":"b_root"})", R"({"code":"zeta","parent":"b_root"})",
                           R"({"code":"alpha","parent":"b_root"})",
                           R"({"code":"zeta_child","parent":"zeta"})"}) {
    ASSERT_EQ(Call("POST", "/api/rest/v1/categories", body).status, 201) << body;
  }
  std::vector<std::string> codes;
  std::map<std::string, std::string> parent;
  for (const Json& c : All("/api/rest/v1/categories?limit=7")) {
    codes.push_back(c["code"].get<std::string>());
    parent[codes.back()] = c["parent"].is_null() ? "" : c["parent"].get<std::string>();
  }
  ASSERT_EQ(codes.size(), 25u);  // 20 seeded + master + 4
  // Pre-order: each category comes right after its parent or a sibling's
  // subtree, so every category's parent appears before it and every
  // subtree is contiguous.
  EXPECT_EQ(codes[0], "master");
  for (size_t i = 0; i < codes.size(); ++i) {
    if (parent[codes[i]].empty()) continue;
    auto at = std::find(codes.begin(), codes.end(), parent[codes[i]]);
    ASSERT_LT(at - codes.begin(), static_cast<ptrdiff_t>(i)) << codes[i];
    for (auto between = at + 1; between != codes.begin() + i; ++between) {
      // Everything between a parent and its child is under the parent.
      std::string up = *between;
      while (!up.empty() && up != parent[codes[i]]) up = parent[up];
      EXPECT_EQ(up, parent[codes[i]]) << *between << " between " << *at << " and " << codes[i];
    }
  }
  const std::vector<std::string> tail(codes.end() - 4, codes.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"b_root", "zeta", "zeta_child", "alpha"}));
  // The seeded tree: the root first (alphabetically it would follow the
  // cat_* codes), then cat_1 and its children.
  EXPECT_EQ(codes[1], "cat_1");
  EXPECT_EQ(codes[2], "cat_1_1");
}

}  // namespace
}  // namespace pimsim::api
