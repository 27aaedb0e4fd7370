// How a product or product model is served: the query parameters of product
// and product model reads (`scope`, `locales`, `attributes`,
// `with_attribute_options`, `with_completenesses`, `with_quality_scores`),
// their validation, and the rewrite of a stored document into the served one.
//
// The store keeps each product as the compact JSON text the mock wrote
// itself; RenderProductView rewrites that text with a scanner that finds
// value bounds and copies byte ranges, never building a DOM per product.
// It applies the normalisation of the collection too: /products drops the
// identifier attribute's value from "values" (the identifier is at the
// root), /products-uuid drops the root "identifier" (the value carries it), and
// /products names associated products by identifier where the store keeps
// uuids (that member alone is parsed, when it is not empty). Without
// parameters, RenderStoredProduct serves a product with two copies around
// a span found when the product was written (IndexProductJson). Costs
// (api_benchmark, -c opt, shared 2-core VM, 2026-12-01, CPU per 100-product
// page of the 100,000-product seed): 64-80 us without parameters (47-57 us
// before the normalisation), 0.87 ms with scope, locales and attributes,
// 2.5-2.7 ms with the three with_* additions.
//
// What the parameters do (Akeneo's list and get controllers):
// - `scope=C`: values whose "scope" is C or null; the locales default to
//   C's locales; lists keep only items classified in C's category tree
//   (the caller's job, see ProductViewParams::tree).
// - `locales=a,b`: values whose "locale" is one of them or null.
// - `attributes=a,b`: values of those attributes only.
// - `with_attribute_options=true`: each simple or multi select value gets
//   "linked_data" after "data": {"attribute","code","labels"} for a simple
//   select, {code: {"attribute","code","labels"}} for a multi select.
// - `with_completenesses=true`: "completenesses": [{"scope","locale",
//   "data"}] per channel of the family's attribute_requirements and locale
//   of that channel, data = floor(100 * required attributes filled /
//   required), over the whole product (not the filtered values); [] without
//   a family.
// - `with_quality_scores=true`: "quality_scores": [{"scope","locale",
//   "data"}] per channel and locale of the channel, data a letter "A".."E".
//   SYNTHETIC: Akeneo computes these from its data quality criteria; the
//   mock derives a deterministic letter from a hash of the product's uuid
//   (a product model's code), the channel and the locale, so the same
//   product always gets the same scores. {} without a family, as Akeneo's
//   example of a family-less product shows.
// - The `with_*` flags are on for "true" only; any other value is off, as
//   Akeneo's ListProductsQuery reads them (the reference documents no error
//   for them, unlike `with_count`).
//
// Thread-safety: ParseProductViewParams and RenderProductView are pure; a
// ViewCatalog reads one Store and memoizes, so it belongs to one request
// (one thread) under the Store's reader lock.
//
//   absl::StatusOr<ProductViewParams> p =
//       ParseProductViewParams(store, params, ViewRoute::kProductList);
//   ViewCatalog catalog(store);
//   ProductView view{&*p, /*drop_root_key=*/"identifier"};  // /products-uuid
//   RenderStoredProduct(product, view, catalog, &out);
#ifndef PIMSIM_MOCK_PIM_API_PRODUCT_VIEW_H_
#define PIMSIM_MOCK_PIM_API_PRODUCT_VIEW_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "common/url.h"
#include "mock_pim/api/store.h"

namespace pimsim::api {

// Which values of a document are served; an empty optional keeps all.
struct ValueFilter {
  std::optional<std::string> scope;
  std::optional<std::vector<std::string>> locales;
  std::optional<absl::flat_hash_set<std::string>> attributes;

  bool empty() const { return !scope && !locales && !attributes; }
  // `locale` and `scope` are empty for null.
  bool KeepsAttribute(std::string_view attribute) const;
  bool KeepsEntry(std::string_view locale, std::string_view scope) const;
};

// Which reads a parameter applies to (akeneo-web-api.json): lists take them
// all; GET of one product only the with_* flags; product models take no
// with_attribute_options nor with_completenesses.
enum class ViewRoute { kProductList, kProductItem, kModelList, kModelItem };

struct ProductViewParams {
  ValueFilter filter;
  // With `scope`: the channel's category tree, the tree's root and every
  // category under it; a list keeps only items classified in one of them.
  std::optional<absl::flat_hash_set<std::string>> tree;
  bool with_attribute_options = false;
  bool with_completenesses = false;
  bool with_quality_scores = false;

  // True when an item classified in `categories` is in the list.
  bool InTree(const std::vector<std::string>& categories) const;
};

// Reads the parameters that `route` takes from `params` and checks their
// codes against `store`. InvalidArgument carries Akeneo's 422 message:
// `Attribute "x" does not exist.`, `Scope "x" does not exist.`,
// `Locale "x" does not exist or is not activated.`, `Locale "x" is not
// activated for the scope "c".` (several codes: `Attributes "x, y" do not
// exist.` and so on), checked in that order.
absl::StatusOr<ProductViewParams> ParseProductViewParams(
    const Store& store, const std::vector<url::QueryParam>& params,
    ViewRoute route);

// One rendering: the parameters plus the collection's normalisation.
struct ProductView {
  const ProductViewParams* params = nullptr;
  // A root key dropped from the document ("identifier" on /products-uuid).
  std::string_view drop_root_key;
  // An attribute whose value is dropped (the identifier attribute on
  // /products).
  std::string_view drop_value;
  // The store names associated products by uuid ("associations.T.products"
  // lists uuids, "quantified_associations.T.products" {uuid, quantity});
  // /products names them by identifier (a product without one is left
  // out).
  bool associations_by_identifier = false;
};

// The catalogue facts a rendering needs (attribute types, option labels,
// family requirements, channels), looked up once per request.
class ViewCatalog {
 public:
  explicit ViewCatalog(const Store& store) : store_(store) {}
  ViewCatalog(const ViewCatalog&) = delete;
  ViewCatalog& operator=(const ViewCatalog&) = delete;

  // The attribute's type, "" if unknown.
  const std::string& TypeOf(std::string_view attribute);
  // `{"attribute":..,"code":..,"labels":{..}}` of an option, or "" if the
  // option does not exist.
  const std::string& OptionJson(std::string_view attribute,
                                std::string_view code);

  struct Requirement {
    std::string channel;
    std::vector<std::string> locales;    // the channel's
    std::vector<std::string> attributes;  // required for the channel
  };
  // The family's requirements, in channel code order; empty for an
  // unknown family.
  const std::vector<Requirement>& RequirementsOf(std::string_view family);
  // Every channel with its locales, in code order.
  const std::vector<Requirement>& Channels();
  // The identifier of the product `uuid`; "" if it has none or does not
  // exist.
  std::string_view IdentifierOf(std::string_view uuid) const;

 private:
  const Store& store_;
  absl::flat_hash_map<std::string, std::string> types_;
  absl::flat_hash_map<std::string, std::string> options_;
  absl::flat_hash_map<std::string, std::vector<Requirement>> requirements_;
  std::optional<std::vector<Requirement>> channels_;
};

// Appends the served form of `doc` (a compact JSON object the mock wrote)
// to `*out`. `key` is the product's uuid or the model's code (the quality
// scores' seed). A `doc` that is not a JSON object is appended unchanged.
void RenderProductView(std::string_view doc, const ProductView& view,
                       ViewCatalog& catalog, std::string_view key,
                       std::string* out);

// Sets the spans and has_associations of `*p` from its json; call whenever
// p->json changes.
void IndexProductJson(std::string_view identifier_attribute, Product* p);

// Appends the served form of a stored product: its json less one span when
// the view has no parameters (and, on /products, no associations to
// rename), else RenderProductView.
void RenderStoredProduct(const Product& p, const ProductView& view,
                         ViewCatalog& catalog, std::string* out);

// The synthetic quality score of a product for a channel and locale.
char SyntheticQualityScore(std::string_view key, std::string_view channel,
                           std::string_view locale);

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_PRODUCT_VIEW_H_
