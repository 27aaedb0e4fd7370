// Fuzzes the `search` filters with the input as the decoded parameter value:
// ProductFilter (every property and operator, dates, category trees, value
// filters on attributes of every type, locales and scopes) and CodeFilter,
// each matched against a few products and codes.
//
// Properties: parsing never throws and fails only as documented
// (InvalidArgument for text that is not JSON, FailedPrecondition for a filter
// that is); a filter depends only on the JSON value, so the same value
// written compactly gives a filter that matches the same products; and its
// value conditions evaluated over a ValueIndex match the same products as
// read from each product's ValueFacts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bazel/fuzz_check.h"
#include "mock_pim/api/json_util.h"
#include "mock_pim/api/search_filter.h"

namespace pimsim::api {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1717243200);  // 2024-06-01

std::vector<std::string> Expand(std::string_view code) {
  if (code == "master") return {"master", "shoes", "boots", "hats"};
  if (code == "shoes") return {"shoes", "boots"};
  if (code == "boots" || code == "hats") return {std::string(code)};
  return {};
}

std::vector<std::string> ExpandModels(std::string_view code) {
  if (code == "tshirt") return {"tshirt", "tshirt_red"};
  if (code == "tshirt_red") return {"tshirt_red"};
  return {};
}

// One attribute of each type; "name" localizable, "description" also
// scopable.
class Catalog : public ValueCatalog {
 public:
  std::optional<FilterAttribute> Attribute(std::string_view code) const override {
    static const auto* kAttributes = new std::vector<std::pair<std::string_view, FilterAttribute>>{
        {"sku", {"pim_catalog_identifier"}},
        {"name", {"pim_catalog_text", true, false}},
        {"description", {"pim_catalog_textarea", true, true}},
        {"weight", {"pim_catalog_number"}},
        {"length", {"pim_catalog_metric"}},
        {"price", {"pim_catalog_price_collection"}},
        {"color", {"pim_catalog_simpleselect"}},
        {"materials", {"pim_catalog_multiselect"}},
        {"featured", {"pim_catalog_boolean"}},
        {"release_date", {"pim_catalog_date"}},
        {"photo", {"pim_catalog_image"}},
        {"manual", {"pim_catalog_file"}},
    };
    for (const auto& [c, a] : *kAttributes) {
      if (c == code) return a;
    }
    return std::nullopt;
  }
  bool HasOption(std::string_view attribute, std::string_view option) const override {
    return option.size() > attribute.size() && option.substr(0, attribute.size()) == attribute;
  }
  bool LocaleActive(std::string_view locale) const override {
    return locale == "en_US" || locale == "fr_FR";
  }
  bool ChannelExists(std::string_view channel) const override {
    return channel == "ecommerce" || channel == "mobile";
  }
};

// The values of the products below, from their documents.
const std::vector<ValueFacts>& Values() {
  static const auto* values = new std::vector<ValueFacts>{
      ValueFacts::FromJson(*ParseJson(R"({
        "sku":[{"locale":null,"scope":null,"data":"sku_12"}],
        "name":[{"locale":"en_US","scope":null,"data":"Red boot"},
                {"locale":"fr_FR","scope":null,"data":"Botte rouge"}],
        "description":[{"locale":"en_US","scope":"mobile","data":"A boot"}],
        "weight":[{"locale":null,"scope":null,"data":"12.5"}],
        "length":[{"locale":null,"scope":null,"data":{"amount":30,"unit":"CENTIMETER"}}],
        "price":[{"locale":null,"scope":null,"data":[{"amount":"10.50","currency":"EUR"},
                                                      {"amount":"12.00","currency":"USD"}]}],
        "color":[{"locale":null,"scope":null,"data":"color_red"}],
        "materials":[{"locale":null,"scope":null,"data":["materials_leather","materials_wool"]}],
        "featured":[{"locale":null,"scope":null,"data":true}],
        "release_date":[{"locale":null,"scope":null,"data":"2023-05-04T00:00:00+00:00"}],
        "photo":[{"locale":null,"scope":null,"data":"a/b/c/d/abcd_boot.jpg"}]})")),
      ValueFacts::FromJson(*ParseJson(R"({
        "weight":[{"locale":null,"scope":null,"data":3}],
        "name":[{"locale":"en_US","scope":null,"data":""}],
        "materials":[{"locale":null,"scope":null,"data":[]}],
        "featured":[{"locale":null,"scope":null,"data":false}],
        "release_date":[{"locale":null,"scope":null,"data":"2020-01-01"}],
        "price":[{"locale":null,"scope":null,"data":[{"amount":null,"currency":"EUR"}]}],
        "manual":[{"locale":null,"scope":null,"data":"1/2/3/4/ffff_manual.pdf"}]})")),
      ValueFacts::FromJson(*ParseJson(R"({
        "sku":[{"locale":null,"scope":null,"data":"hat"}],
        "color":[{"locale":null,"scope":null,"data":"color_blue"}],
        "length":[{"locale":null,"scope":null,"data":{"amount":"1.5","unit":"METER"}}],
        "weight":[{"locale":null,"scope":null,"data":12.5}]})")),
  };
  return *values;
}

const ValueIndex& Index() {
  static const auto* index = [] {
    auto* i = new ValueIndex;
    for (const ValueFacts& v : Values()) i->Add(&v, &v);
    return i;
  }();
  return *index;
}

const std::vector<ProductFacts>& Products() {
  static const auto* products = [] {
    static const std::vector<std::string> boots = {"boots"};
    static const std::vector<std::string> two = {"hats", "shoes"};
    auto* p = new std::vector<ProductFacts>(3);
    (*p)[0].identifier = "sku_12";
    (*p)[0].uuid = "0b9a3c6e-0000-4000-8000-000000000001";
    (*p)[0].family = "shoes";
    (*p)[0].categories = boots;
    (*p)[0].created = kNow - absl::Hours(24 * 10);
    (*p)[0].updated = kNow - absl::Hours(24 * 2);
    (*p)[0].parent = "tshirt_red";
    (*p)[1].uuid = "0b9a3c6e-0000-4000-8000-000000000002";  // no identifier, family
    (*p)[1].enabled = false;
    (*p)[1].created = absl::FromUnixSeconds(0);
    (*p)[1].updated = kNow;
    (*p)[2].identifier = "hat";
    (*p)[2].uuid = "0b9a3c6e-0000-4000-8000-000000000003";
    (*p)[2].family = "hats";
    (*p)[2].categories = two;
    (*p)[2].created = kNow - absl::Hours(24 * 400);
    (*p)[2].updated = kNow - absl::Seconds(1);
    for (size_t i = 0; i < p->size(); ++i) (*p)[i].values = &Values()[i];
    return p;
  }();
  return *products;
}

constexpr std::string_view kCodes[] = {"", "name", "color", "master", "en_US"};

void CheckStatus(const absl::Status& s) {
  FUZZ_CHECK(s.code() == absl::StatusCode::kInvalidArgument ||
             s.code() == absl::StatusCode::kFailedPrecondition);
  FUZZ_CHECK(!s.message().empty());
}

}  // namespace
}  // namespace pimsim::api

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pimsim::api;
  const std::string_view search(reinterpret_cast<const char*>(data), size);
  const std::optional<Json> json = ParseJson(search);
  const std::string compact = json.has_value() ? DumpJson(*json) : std::string();

  static const Catalog catalog;
  // Defaults for value filters, from the input's length.
  const ValueFilterContext context{&catalog, size % 2 ? "en_US" : "",
                                   size % 3 ? "mobile" : ""};
  const absl::StatusOr<ProductFilter> products =
      ProductFilter::Parse(search, kNow, Expand, ExpandModels, context);
  if (!products.ok()) {
    CheckStatus(products.status());
    if (!json.has_value()) FUZZ_CHECK(products.status().code() == absl::StatusCode::kInvalidArgument);
  } else {
    FUZZ_CHECK(json.has_value());
    const absl::StatusOr<ProductFilter> again =
        ProductFilter::Parse(compact, kNow, Expand, ExpandModels, context);
    FUZZ_CHECK(again.ok());
    const ProductFilter::Indexed indexed = products->Index(Index());
    for (const ProductFacts& p : Products()) {
      const bool matches = products->Matches(p);
      FUZZ_CHECK(matches == again->Matches(p));
      FUZZ_CHECK(matches == (indexed.Matches(p.values) && products->MatchesProperties(p)));
      if (matches && indexed.candidates() != nullptr) {
        FUZZ_CHECK(indexed.candidates()->contains(p.values));
      }
    }
  }

  const absl::StatusOr<CodeFilter> codes = CodeFilter::Parse(search);
  if (!codes.ok()) {
    CheckStatus(codes.status());
  } else {
    FUZZ_CHECK(json.has_value());
    const absl::StatusOr<CodeFilter> again = CodeFilter::Parse(compact);
    FUZZ_CHECK(again.ok());
    for (std::string_view code : kCodes) FUZZ_CHECK(codes->Matches(code) == again->Matches(code));
  }
  return 0;
}
