// Value filters of the `search` parameter, by attribute type and operator,
// through the product and product model lists of a seeded Api. Each row's
// expected identifiers are computed here, independently of search_filter:
// a second Store seeded the same way (seeding replays byte for byte) is
// walked, each product's served JSON document parsed, and the row's
// predicate applied to the data of the value the row looks at. The list is
// read through every search_after page.
#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "common/url.h"
#include "gtest/gtest.h"
#include "mock_pim/api/api_fixture.h"
#include "mock_pim/api/json_util.h"
#include "mock_pim/api/seed.h"
#include "mock_pim/api/store.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api {
namespace {

constexpr uint32_t kProducts = 300;
constexpr uint64_t kSeed = 42;

// The data of a value, or null when the product has none.
using Predicate = std::function<bool(const Json& data)>;

struct Row {
  std::string name;
  std::string search;  // the `search` JSON
  std::string attribute, locale, scope;  // the value the predicate reads
  Predicate predicate;
  std::string extra_query;  // "&search_locale=en_US", say
  bool may_be_empty = false;
  bool may_be_total = false;
};

// Akeneo's EMPTY: no value, null, "" or [].
bool IsEmpty(const Json& d) {
  return d.is_null() || (d.is_string() && d.get<std::string>().empty()) ||
         (d.is_array() && d.empty());
}

std::optional<double> Number(const Json& v) {
  if (v.is_number()) return v.get<double>();
  double d;
  if (v.is_string() && absl::SimpleAtod(v.get<std::string>(), &d)) return d;
  return std::nullopt;
}

// The original file name of a file key "a/b/c/d/<sha1>_<name>".
std::string FileName(const std::string& key) {
  const size_t slash = key.rfind('/');
  return key.substr(key.find('_', slash) + 1);
}

bool StartsWith(const std::string& s, const std::string& p) {
  return s.compare(0, p.size(), p) == 0;
}
bool Has(const std::string& s, const std::string& p) {
  return s.find(p) != std::string::npos;
}

class ValueFilterTest : public ApiFixture {
 protected:
  void SetUp() override {
    Build("", kProducts, kSeed);
    pimsim::v1::SeedData seed;
    seed.set_products(kProducts);
    SeedStore(seed, kSeed, &store_);
    for (const auto& [id, p] : store_.products_by_identifier()) {
      docs_.emplace_back(std::string(id), Json::parse(p->json));
    }
  }

  // The data of `doc`'s value of `attribute` for `locale` and `scope` ("" for
  // null), or null.
  static Json DataOf(const Json& doc, const std::string& attribute,
                     const std::string& locale, const std::string& scope) {
    const Json& values = doc["values"];
    if (!values.contains(attribute)) return Json();
    for (const Json& v : values[attribute]) {
      const std::string l = v["locale"].is_null() ? "" : v["locale"].get<std::string>();
      const std::string s = v["scope"].is_null() ? "" : v["scope"].get<std::string>();
      if (l == locale && s == scope) return v["data"];
    }
    return Json();
  }

  std::set<std::string> Expected(const Row& row) const {
    std::set<std::string> out;
    for (const auto& [id, doc] : docs_) {
      if (row.predicate(DataOf(doc, row.attribute, row.locale, row.scope))) {
        out.insert(id);
      }
    }
    return out;
  }

  // Every identifier the list gives, through all search_after pages; the
  // status of the first answer that is not 200 in `*status`.
  std::set<std::string> Listed(const std::string& collection,
                               const std::string& search,
                               const std::string& extra_query, int* status,
                               std::string* body = nullptr) {
    std::set<std::string> out;
    std::string target = Cat("/api/rest/v1/", collection, "?limit=100&pagination_type=search_after&search=",
                             url::PercentEncode(search), extra_query);
    for (int pages = 0; pages < 100; ++pages) {
      ApiResponse r = Get(target);
      *status = r.status;
      if (body != nullptr) *body = r.body;
      if (r.status != 200) return out;
      const Json page = Json::parse(r.body);
      for (const Json& item : page["_embedded"]["items"]) {
        const std::string key = collection == "product-models" ? "code" : "identifier";
        EXPECT_TRUE(out.insert(item[key].get<std::string>()).second) << "listed twice";
      }
      if (!page["_links"].contains("next")) return out;
      const std::string next = page["_links"]["next"]["href"].get<std::string>();
      target = next.substr(next.find("/api/rest/v1/"));
    }
    ADD_FAILURE() << "too many pages";
    return out;
  }

  // The data of the first product that has a value of `attribute` there.
  Json AnyData(const std::string& attribute, const std::string& locale = "",
               const std::string& scope = "", size_t skip = 0) const {
    for (const auto& [id, doc] : docs_) {
      Json d = DataOf(doc, attribute, locale, scope);
      if (!IsEmpty(d) && skip-- == 0) return d;
    }
    ADD_FAILURE() << "no product has " << attribute;
    return Json();
  }

  void Check(const Row& row) {
    SCOPED_TRACE(Cat(row.name, ": ", row.search, row.extra_query));
    const std::set<std::string> expected = Expected(row);
    if (!row.may_be_empty) {
      EXPECT_FALSE(expected.empty()) << "pick another operand";
    }
    if (!row.may_be_total) {
      EXPECT_LT(expected.size(), docs_.size()) << "pick another operand";
    }
    int status = 0;
    std::string body;
    const std::set<std::string> listed =
        Listed("products", row.search, row.extra_query, &status, &body);
    ASSERT_EQ(status, 200) << body;
    EXPECT_EQ(listed, expected);
  }

  Store store_;
  std::vector<std::pair<std::string, Json>> docs_;  // by identifier
};

// Shorthands for rows.
std::string Filter(const std::string& attribute, const std::string& op,
                   const Json& value, const std::string& locale = "",
                   const std::string& scope = "") {
  Json f = Json::object();
  f["operator"] = op;
  if (!value.is_null()) f["value"] = value;
  if (!locale.empty()) f["locale"] = locale;
  if (!scope.empty()) f["scope"] = scope;
  Json search = Json::object();
  search[attribute] = Json::array({f});
  return DumpJson(search);
}

Predicate Present(std::function<bool(const Json&)> p) {
  return [p](const Json& d) { return !IsEmpty(d) && p(d); };
}
Predicate Empty() { return [](const Json& d) { return IsEmpty(d); }; }
Predicate NotEmpty() { return [](const Json& d) { return !IsEmpty(d); }; }
Predicate Str(std::function<bool(const std::string&)> p) {
  return Present([p](const Json& d) { return p(d.get<std::string>()); });
}
Predicate Num(std::function<bool(double)> p) {
  return Present([p](const Json& d) { return p(*Number(d)); });
}
// A price collection: some price (of `currency`, when given) holds.
Predicate AnyPrice(std::function<bool(double)> p, std::string currency = "") {
  return Present([p, currency](const Json& d) {
    for (const Json& price : d) {
      if (!currency.empty() && price["currency"] != currency) continue;
      if (p(*Number(price["amount"]))) return true;
    }
    return false;
  });
}
// A metric: its amount as stored (of `unit`, when given) holds.
Predicate Metric(std::function<bool(double)> p, std::string unit = "") {
  return Present([p, unit](const Json& d) {
    return (unit.empty() || d["unit"] == unit) && p(*Number(d["amount"]));
  });
}
// Dates compare as "yyyy-mm-dd" text, which sorts as the days do.
Predicate Day(std::function<bool(const std::string&)> p) {
  return Str([p](const std::string& s) { return p(s.substr(0, 10)); });
}
Predicate Options(std::function<bool(const std::set<std::string>&)> p) {
  return Present([p](const Json& d) {
    std::set<std::string> codes;
    if (d.is_string()) codes.insert(d.get<std::string>());
    for (const Json& c : d) {
      if (c.is_string()) codes.insert(c.get<std::string>());
    }
    return p(codes);
  });
}

TEST_F(ValueFilterTest, IdentifierAttribute) {
  const std::string some = AnyData("sku", "", "", 40).get<std::string>();
  const std::string other = AnyData("sku", "", "", 7).get<std::string>();
  for (const Row& row : std::vector<Row>{
           {"starts with", Filter("sku", "STARTS WITH", "product_00001"), "sku", "", "",
            Str([](auto s) { return StartsWith(s, "product_00001"); })},
           {"contains", Filter("sku", "CONTAINS", "5"), "sku", "", "",
            Str([](auto s) { return Has(s, "5"); })},
           {"does not contain", Filter("sku", "DOES NOT CONTAIN", "5"), "sku", "", "",
            Str([](auto s) { return !Has(s, "5"); })},
           {"=", Filter("sku", "=", some), "sku", "", "",
            Str([&](auto s) { return s == some; })},
           {"!=", Filter("sku", "!=", some), "sku", "", "",
            Str([&](auto s) { return s != some; })},
           {"in", Filter("sku", "IN", Json::array({some, other, "nope"})), "sku", "", "",
            Str([&](auto s) { return s == some || s == other; })},
           {"not in", Filter("sku", "NOT IN", Json::array({some, other})), "sku", "", "",
            Str([&](auto s) { return s != some && s != other; })},
           {"empty", Filter("sku", "EMPTY", Json()), "sku", "", "", Empty(), "", true},
           {"not empty", Filter("sku", "NOT EMPTY", Json()), "sku", "", "", NotEmpty(), "",
            false, true},
       }) {
    Check(row);
  }
}

TEST_F(ValueFilterTest, TextWithLocales) {
  const std::string some = AnyData("name", "en_US", "", 3).get<std::string>();
  const std::string other = AnyData("name", "en_US", "", 9).get<std::string>();
  for (const Row& row : std::vector<Row>{
           {"starts with", Filter("name", "STARTS WITH", "Name product_0001", "en_US"), "name",
            "en_US", "", Str([](auto s) { return StartsWith(s, "Name product_0001"); })},
           {"contains", Filter("name", "CONTAINS", "7 fr", "fr_FR"), "name", "fr_FR", "",
            Str([](auto s) { return Has(s, "7 fr"); })},
           {"contains another locale's text", Filter("name", "CONTAINS", "en_US", "fr_FR"),
            "name", "fr_FR", "", Str([](auto s) { return Has(s, "en_US"); }), "", true},
           {"does not contain", Filter("name", "DOES NOT CONTAIN", "product_0002", "de_DE"),
            "name", "de_DE", "", Str([](auto s) { return !Has(s, "product_0002"); })},
           {"=", Filter("name", "=", some, "en_US"), "name", "en_US", "",
            Str([&](auto s) { return s == some; })},
           {"!=", Filter("name", "!=", some, "en_US"), "name", "en_US", "",
            Str([&](auto s) { return s != some; })},
           {"in", Filter("name", "IN", Json::array({some, other}), "en_US"), "name", "en_US",
            "", Str([&](auto s) { return s == some || s == other; })},
           {"not in", Filter("name", "NOT IN", Json::array({some}), "en_US"), "name", "en_US",
            "", Str([&](auto s) { return s != some; })},
           {"empty", Filter("name", "EMPTY", Json(), "de_DE"), "name", "de_DE", "", Empty()},
           {"not empty", Filter("name", "NOT EMPTY", Json(), "de_DE"), "name", "de_DE", "",
            NotEmpty()},
           {"search_locale default", Filter("name", "STARTS WITH", "Name product_0002"), "name",
            "fr_FR", "", Str([](auto s) { return StartsWith(s, "Name product_0002"); }),
            "&search_locale=fr_FR"},
           {"own locale over search_locale", Filter("name", "CONTAINS", "de_DE", "de_DE"),
            "name", "de_DE", "", Str([](auto s) { return Has(s, "de_DE"); }),
            "&search_locale=fr_FR"},
           {"search_locale ignored by a non-localizable attribute",
            Filter("weight", ">", 500), "weight", "", "", Num([](double n) { return n > 500; }),
            "&search_locale=fr_FR&search_scope=mobile"},
       }) {
    Check(row);
  }
}

TEST_F(ValueFilterTest, TextareaWithLocalesAndScopes) {
  for (const Row& row : std::vector<Row>{
           {"contains", Filter("description", "CONTAINS", "product_0001", "en_US", "mobile"),
            "description", "en_US", "mobile",
            Str([](auto s) { return Has(s, "product_0001"); })},
           {"starts with", Filter("description", "STARTS WITH", "Description of product_00",
                                  "de_DE", "ecommerce"),
            "description", "de_DE", "ecommerce",
            Str([](auto s) { return StartsWith(s, "Description of product_000"); })},
           {"empty", Filter("description", "EMPTY", Json(), "fr_FR", "mobile"), "description",
            "fr_FR", "mobile", Empty()},
           {"search_scope and search_locale defaults",
            Filter("description", "DOES NOT CONTAIN", "product_0000"), "description", "fr_FR",
            "ecommerce", Str([](auto s) { return !Has(s, "product_0000"); }),
            "&search_locale=fr_FR&search_scope=ecommerce"},
           {"own scope over search_scope",
            Filter("description", "NOT EMPTY", Json(), "", "mobile"), "description", "en_US",
            "mobile", NotEmpty(), "&search_locale=en_US&search_scope=ecommerce"},
           {"a locale the channel lacks matches nothing",
            Filter("description", "NOT EMPTY", Json(), "de_DE", "mobile"), "description",
            "de_DE", "mobile", NotEmpty(), "", true},
       }) {
    Check(row);
  }
}

TEST_F(ValueFilterTest, Number) {
  const double some = *Number(AnyData("weight", "", "", 5));
  for (const Row& row : std::vector<Row>{
           {"<", Filter("weight", "<", 300), "weight", "", "", Num([](double n) { return n < 300; })},
           {"<=", Filter("weight", "<=", some), "weight", "", "",
            Num([&](double n) { return n <= some; })},
           {"=", Filter("weight", "=", some), "weight", "", "",
            Num([&](double n) { return n == some; })},
           {"!=", Filter("weight", "!=", some), "weight", "", "",
            Num([&](double n) { return n != some; })},
           {">=", Filter("weight", ">=", 700), "weight", "", "", Num([](double n) { return n >= 700; })},
           {">", Filter("weight", ">", 499.5), "weight", "", "", Num([](double n) { return n > 499.5; })},
           {"numeric string", Filter("weight", "<", "250"), "weight", "", "",
            Num([](double n) { return n < 250; })},
           {"empty", Filter("weight", "EMPTY", Json()), "weight", "", "", Empty()},
           {"not empty", Filter("weight", "NOT EMPTY", Json()), "weight", "", "", NotEmpty()},
           {"weight_2 too", Filter("weight_2", ">", 900), "weight_2", "", "",
            Num([](double n) { return n > 900; })},
       }) {
    Check(row);
  }
}

TEST_F(ValueFilterTest, MetricComparesTheStoredAmount) {
  const double some = *Number(AnyData("length", "", "", 2)["amount"]);
  for (const Row& row : std::vector<Row>{
           {"<", Filter("length", "<", 400), "length", "", "", Metric([](double n) { return n < 400; })},
           {"<=", Filter("length", "<=", some), "length", "", "",
            Metric([&](double n) { return n <= some; })},
           {"=", Filter("length", "=", some), "length", "", "",
            Metric([&](double n) { return n == some; })},
           {"!=", Filter("length", "!=", some), "length", "", "",
            Metric([&](double n) { return n != some; })},
           {">=", Filter("length", ">=", 1500), "length", "", "",
            Metric([](double n) { return n >= 1500; })},
           {">", Filter("length", ">", 1000), "length", "", "",
            Metric([](double n) { return n > 1000; })},
           {"with a unit", Filter("length", ">", Json::parse(R"({"amount":1000,"unit":"METER"})")),
            "length", "", "", Metric([](double n) { return n > 1000; }, "METER")},
           {"empty", Filter("length", "EMPTY", Json()), "length", "", "", Empty()},
           {"not empty", Filter("length", "NOT EMPTY", Json()), "length", "", "", NotEmpty()},
       }) {
    Check(row);
  }
}

TEST_F(ValueFilterTest, PriceCollectionMatchesWhenAPriceDoes) {
  const double some = *Number(AnyData("price", "", "", 4)[0]["amount"]);
  for (const Row& row : std::vector<Row>{
           {"<", Filter("price", "<", 100), "price", "", "", AnyPrice([](double n) { return n < 100; })},
           {"<=", Filter("price", "<=", some), "price", "", "",
            AnyPrice([&](double n) { return n <= some; })},
           {"=", Filter("price", "=", some), "price", "", "",
            AnyPrice([&](double n) { return n == some; })},
           {"!= (no price equals)", Filter("price", "!=", some), "price", "", "",
            Present([&](const Json& d) { return !AnyPrice([&](double n) { return n == some; })(d); })},
           {">=", Filter("price", ">=", "900.50"), "price", "", "",
            AnyPrice([](double n) { return n >= 900.5; })},
           {"> in one currency",
            Filter("price", ">", Json::parse(R"({"amount":950,"currency":"USD"})")), "price", "",
            "", AnyPrice([](double n) { return n > 950; }, "USD")},
           {"> in the other",
            Filter("price", ">", Json::parse(R"({"amount":950,"currency":"EUR"})")), "price", "",
            "", AnyPrice([](double n) { return n > 950; }, "EUR")},
           {"empty", Filter("price", "EMPTY", Json()), "price", "", "", Empty()},
           {"not empty", Filter("price", "NOT EMPTY", Json()), "price", "", "", NotEmpty()},
       }) {
    Check(row);
  }
}

TEST_F(ValueFilterTest, SimpleAndMultiSelect) {
  auto any_of = [](std::set<std::string> wanted) {
    return Options([wanted](const std::set<std::string>& codes) {
      for (const std::string& c : codes) {
        if (wanted.count(c) > 0) return true;
      }
      return false;
    });
  };
  auto none_of = [](std::set<std::string> wanted) {
    return Options([wanted](const std::set<std::string>& codes) {
      for (const std::string& c : codes) {
        if (wanted.count(c) > 0) return false;
      }
      return true;
    });
  };
  for (const Row& row : std::vector<Row>{
           {"simple in", Filter("color", "IN", Json::array({"color_1", "color_2"})), "color", "",
            "", any_of({"color_1", "color_2"})},
           {"simple not in", Filter("color", "NOT IN", Json::array({"color_1"})), "color", "",
            "", none_of({"color_1"})},
           {"simple empty", Filter("color", "EMPTY", Json()), "color", "", "", Empty()},
           {"simple not empty", Filter("color", "NOT EMPTY", Json()), "color", "", "", NotEmpty()},
           {"multi in", Filter("materials", "IN", Json::array({"materials_3"})), "materials", "",
            "", any_of({"materials_3"})},
           {"multi not in",
            Filter("materials", "NOT IN", Json::array({"materials_3", "materials_4"})),
            "materials", "", "", none_of({"materials_3", "materials_4"})},
           {"multi empty", Filter("materials", "EMPTY", Json()), "materials", "", "", Empty()},
           {"multi not empty", Filter("materials", "NOT EMPTY", Json()), "materials", "", "",
            NotEmpty()},
       }) {
    Check(row);
  }
}

TEST_F(ValueFilterTest, Boolean) {
  auto is = [](bool b) { return Present([b](const Json& d) { return d == b; }); };
  for (const Row& row : std::vector<Row>{
           {"= true", Filter("featured", "=", true), "featured", "", "", is(true)},
           {"= false", Filter("featured", "=", false), "featured", "", "", is(false)},
           {"!= true", Filter("featured", "!=", true), "featured", "", "", is(false)},
           {"empty", Filter("featured", "EMPTY", Json()), "featured", "", "", Empty()},
           {"not empty", Filter("featured", "NOT EMPTY", Json()), "featured", "", "", NotEmpty()},
       }) {
    Check(row);
  }
}

TEST_F(ValueFilterTest, Date) {
  const std::string some = AnyData("release_date", "", "", 6).get<std::string>().substr(0, 10);
  for (const Row& row : std::vector<Row>{
           {"<", Filter("release_date", "<", "2018-03-01"), "release_date", "", "",
            Day([](auto d) { return d < "2018-03-01"; })},
           {"=", Filter("release_date", "=", some), "release_date", "", "",
            Day([&](auto d) { return d == some; })},
           {"!=", Filter("release_date", "!=", some), "release_date", "", "",
            Day([&](auto d) { return d != some; })},
           {">", Filter("release_date", ">", "2021-07-15"), "release_date", "", "",
            Day([](auto d) { return d > "2021-07-15"; })},
           {"between", Filter("release_date", "BETWEEN", Json::array({"2016-01-01", some})),
            "release_date", "", "", Day([&](auto d) { return d >= "2016-01-01" && d <= some; })},
           {"not between",
            Filter("release_date", "NOT BETWEEN", Json::array({"2016-01-01", "2020-12-31"})),
            "release_date", "", "", Day([](auto d) { return d < "2016-01-01" || d > "2020-12-31"; })},
           {"empty", Filter("release_date", "EMPTY", Json()), "release_date", "", "", Empty()},
           {"not empty", Filter("release_date", "NOT EMPTY", Json()), "release_date", "", "",
            NotEmpty()},
       }) {
    Check(row);
  }
}

TEST_F(ValueFilterTest, ImageAndFileMatchTheOriginalFileName) {
  const std::string photo = FileName(AnyData("photo", "", "", 3).get<std::string>());
  const std::string sheet = FileName(AnyData("datasheet", "", "", 1).get<std::string>());
  auto file = [](std::function<bool(const std::string&)> p) {
    return Str([p](const std::string& key) { return p(FileName(key)); });
  };
  for (const Row& row : std::vector<Row>{
           {"image starts with", Filter("photo", "STARTS WITH", "photo_product_0001"), "photo",
            "", "", file([](auto s) { return StartsWith(s, "photo_product_0001"); })},
           {"image contains", Filter("photo", "CONTAINS", ".png"), "photo", "", "",
            file([](auto s) { return Has(s, ".png"); })},
           {"image does not contain", Filter("photo", "DOES NOT CONTAIN", ".png"), "photo", "",
            "", file([](auto s) { return !Has(s, ".png"); })},
           {"image =", Filter("photo", "=", photo), "photo", "", "",
            file([&](auto s) { return s == photo; })},
           {"image !=", Filter("photo", "!=", photo), "photo", "", "",
            file([&](auto s) { return s != photo; })},
           {"image empty", Filter("photo", "EMPTY", Json()), "photo", "", "", Empty()},
           {"image not empty", Filter("photo", "NOT EMPTY", Json()), "photo", "", "", NotEmpty()},
           {"file contains", Filter("datasheet", "CONTAINS", "_00002"), "datasheet", "", "",
            file([](auto s) { return Has(s, "_00002"); })},
           {"file =", Filter("datasheet", "=", sheet), "datasheet", "", "",
            file([&](auto s) { return s == sheet; })},
           {"file starts with", Filter("datasheet", "STARTS WITH", "product_0001"), "datasheet",
            "", "", file([](auto s) { return StartsWith(s, "product_0001"); })},
           {"file does not contain", Filter("datasheet", "DOES NOT CONTAIN", "product_0001"),
            "datasheet", "", "", file([](auto s) { return !Has(s, "product_0001"); })},
           {"file !=", Filter("datasheet", "!=", sheet), "datasheet", "", "",
            file([&](auto s) { return s != sheet; })},
           {"file empty", Filter("datasheet", "EMPTY", Json()), "datasheet", "", "", Empty()},
           {"file not empty", Filter("datasheet", "NOT EMPTY", Json()), "datasheet", "", "",
            NotEmpty()},
       }) {
    Check(row);
  }
}

TEST_F(ValueFilterTest, ConditionsCombineWithPropertiesAndEachOther) {
  const std::string search = R"({"weight":[{"operator":">","value":200}],
      "sku":[{"operator":"CONTAINS","value":"1"}], "enabled":[{"operator":"=","value":true}],
      "family":[{"operator":"NOT IN","value":["family_1"]}]})";
  std::set<std::string> expected;
  for (const auto& [id, doc] : docs_) {
    const Json w = DataOf(doc, "weight", "", "");
    if (!IsEmpty(w) && *Number(w) > 200 && Has(id, "1") && doc["enabled"] == true &&
        doc["family"] != "family_1") {
      expected.insert(id);
    }
  }
  ASSERT_FALSE(expected.empty());
  ASSERT_LT(expected.size(), docs_.size());
  int status = 0;
  EXPECT_EQ(Listed("products", search, "", &status), expected);
  EXPECT_EQ(status, 200);
  // The same through /products-uuid, in page mode, with a count.
  const Json page = GetJson(Cat("/api/rest/v1/products-uuid?with_count=true&limit=100&search=",
                                url::PercentEncode(search)));
  EXPECT_EQ(page["items_count"], expected.size());
}

TEST_F(ValueFilterTest, ProductModelsFilterTheirOwnValues) {
  // Sub models carry the value of their first axis: filter on the first one
  // found.
  std::string attribute;
  Json data;
  std::set<std::string> total;
  for (const auto& [code, model] : store_.product_models) {
    total.insert(code);
    const Json& values = model.doc["values"];
    if (attribute.empty() && !values.empty()) {
      attribute = values.begin().key();
      data = values.begin().value()[0]["data"];
    }
  }
  ASSERT_FALSE(attribute.empty());
  std::set<std::string> expected, without;
  for (const auto& [code, model] : store_.product_models) {
    const Json& values = model.doc["values"];
    if (!values.contains(attribute)) {
      without.insert(code);
    } else if (values[attribute][0]["data"] == data) {
      expected.insert(code);
    }
  }
  ASSERT_FALSE(expected.empty());
  ASSERT_LT(expected.size(), total.size());
  ASSERT_FALSE(without.empty());
  const std::string search = data.is_boolean()
                                 ? Filter(attribute, "=", data)
                                 : Filter(attribute, "IN", Json::array({data}));
  int status = 0;
  EXPECT_EQ(Listed("product-models", search, "", &status), expected) << search;
  EXPECT_EQ(status, 200);
  EXPECT_EQ(Listed("product-models", Filter(attribute, "EMPTY", Json()), "", &status), without);
  EXPECT_EQ(status, 200);
}

TEST_F(ValueFilterTest, FilterSeesWrittenValues) {
  ASSERT_EQ(Call("PATCH", "/api/rest/v1/products/product_000002",
                 R"({"values":{"weight":[{"locale":null,"scope":null,"data":"123456.5"}]}})")
                .status,
            204);
  int status = 0;
  EXPECT_EQ(Listed("products", Filter("weight", ">", 100000), "", &status),
            std::set<std::string>{"product_000002"});
  EXPECT_EQ(status, 200);
}

TEST_F(ValueFilterTest, ManyRewritesKeepTheIndexRight) {
  // Each rewrite leaves the old text dead in the index's column, which is
  // compacted as they pile up.
  for (int i = 0; i < 400; ++i) {
    ASSERT_EQ(Call("PATCH", "/api/rest/v1/products/product_000002",
                   Cat(R"({"values":{"name":[{"locale":"en_US","scope":null,"data":"Renamed )", i,
                       R"("}]}})"))
                  .status,
              204);
  }
  int status = 0;
  EXPECT_EQ(Listed("products", Filter("name", "STARTS WITH", "Renamed", "en_US"), "", &status),
            std::set<std::string>{"product_000002"});
  EXPECT_EQ(Listed("products", Filter("name", "=", "Renamed 399", "en_US"), "", &status),
            std::set<std::string>{"product_000002"});
  Row row{"others unchanged", Filter("name", "STARTS WITH", "Name product_0001", "en_US"),
          "name", "en_US", "", Str([](auto s) { return StartsWith(s, "Name product_0001"); })};
  Check(row);
}

TEST_F(ValueFilterTest, BadFiltersAre422WithAkeneosWording) {
  struct ErrorRow {
    std::string search;
    std::string extra_query;
    std::string message;
  };
  for (const ErrorRow& row : std::vector<ErrorRow>{
           {Filter("nope", "=", "x"), "",
            "Filter on property \"nope\" is not supported or does not support operator \"=\""},
           {Filter("weight", "STARTS WITH", "1"), "",
            "Filter on property \"weight\" is not supported or does not support operator "
            "\"STARTS WITH\""},
           {Filter("featured", "<", true), "",
            "Filter on property \"featured\" is not supported or does not support operator \"<\""},
           {Filter("color", "=", "color_1"), "",
            "Filter on property \"color\" is not supported or does not support operator \"=\""},
           {Filter("photo", "IN", Json::array({"a"})), "",
            "Filter on property \"photo\" is not supported or does not support operator \"IN\""},
           {Filter("release_date", "<=", "2020-01-01"), "",
            "Filter on property \"release_date\" is not supported or does not support operator "
            "\"<=\""},
           {Filter("weight", ">", "heavy"), "",
            "Property \"weight\" expects a numeric as data, \"string\" given."},
           {Filter("price", ">", Json::array({1})), "",
            "Property \"price\" expects a numeric as data, \"array\" given."},
           {Filter("length", ">", Json::parse(R"({"unit":"METER"})")), "",
            "Property \"length\" expects an array with the key \"amount\" as data."},
           {Filter("featured", "=", "yes"), "",
            "Property \"featured\" expects a boolean as data, \"string\" given."},
           {Filter("name", "STARTS WITH", 3, "en_US"), "",
            "Property \"name\" expects a string as data, \"integer\" given."},
           {Filter("color", "IN", "color_1"), "",
            "Property \"color\" expects an array as data, \"string\" given."},
           {Filter("color", "IN", Json::array({"color_1", "nope"})), "",
            "Property \"color\" expects a valid code. The option does not exist, \"nope\" given."},
           {Filter("release_date", ">", "2020/01/01"), "",
            "Property \"release_date\" expects a string with the format \"yyyy-mm-dd\" as data, "
            "\"2020/01/01\" given."},
           {Filter("release_date", "BETWEEN", Json::array({"2020-01-01"})), "",
            "Property \"release_date\" expects an array with 2 dates as data, \"array\" given."},
           {Filter("name", "CONTAINS", "x"), "",
            "Attribute \"name\" expects a locale, none given."},
           {Filter("description", "CONTAINS", "x", "en_US"), "",
            "Attribute \"description\" expects a channel code, none given."},
           {Filter("description", "CONTAINS", "x"), "&search_scope=mobile",
            "Attribute \"description\" expects a locale, none given."},
           {Filter("name", "CONTAINS", "x", "es_ES"), "",
            "Attribute \"name\" expects an existing and activated locale, \"es_ES\" given."},
           {Filter("name", "CONTAINS", "x"), "&search_locale=xx_XX",
            "Attribute \"name\" expects an existing and activated locale, \"xx_XX\" given."},
           {Filter("description", "CONTAINS", "x", "en_US", "print"), "",
            "Attribute \"description\" expects an existing channel code, \"print\" given."},
           {Filter("weight", ">", 1, "en_US"), "",
            "Attribute \"weight\" does not expect a locale, \"en_US\" given."},
           {Filter("weight", ">", 1, "", "mobile"), "",
            "Attribute \"weight\" does not expect a channel, \"mobile\" given."},
       }) {
    SCOPED_TRACE(row.search);
    for (const char* collection : {"products", "products-uuid", "product-models"}) {
      ExpectError(Get(Cat("/api/rest/v1/", collection, "?search=", url::PercentEncode(row.search),
                          row.extra_query)),
                  422, row.message);
    }
  }
}

}  // namespace
}  // namespace pimsim::api
