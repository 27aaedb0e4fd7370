#include "mock_pim/api/handlers.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mock_pim/api/batch_parser.h"
#include "mock_pim/api/family_variant_handlers.h"
#include "mock_pim/api/job_handlers.h"
#include "mock_pim/api/media_handlers.h"
#include "mock_pim/api/merge.h"
#include "mock_pim/api/pagination.h"
#include "mock_pim/api/product_model_handlers.h"
#include "mock_pim/api/product_view.h"
#include "mock_pim/api/reference_handlers.h"
#include "mock_pim/api/search_filter.h"
#include "mock_pim/api/str_util.h"
#include "common/url.h"

namespace pimsim::api::internal {
namespace {

constexpr const char* kInvalidJson = kInvalidJsonMessage;
constexpr char kApiPath[] = "/api/rest/v1/";
// Elasticsearch's max_result_window: Akeneo refuses a page-mode page of
// products or product models that ends past this many items (from + size).
constexpr size_t kMaxPageModeWindow = 10000;

// ---------------------------------------------------------------------------
// Small helpers.

std::string Decode(std::string_view segment) {
  return url::PercentDecode(segment, /*plus_as_space=*/false);
}

std::string ItemHref(std::string_view base, std::string_view collection,
                     std::string_view code) {
  return Cat(base, kApiPath, collection, "/", url::PercentEncode(code));
}

std::string VariantsHref(std::string_view base, std::string_view family) {
  return Cat(base, kApiPath, "families/", url::PercentEncode(family),
             "/variants");
}

std::string VariantHref(std::string_view base, std::string_view family,
                        std::string_view code) {
  return Cat(VariantsHref(base, family), "/", url::PercentEncode(code));
}

std::string OptionHref(std::string_view base, std::string_view attribute,
                       std::string_view code) {
  return Cat(base, kApiPath, "attributes/", url::PercentEncode(attribute),
                      "/options/", url::PercentEncode(code));
}

// Akeneo's API reference anchor for a route and method, e.g.
// "#patch_products__code_".
std::string DocumentationHref(std::string_view method,
                              std::string_view route_name) {
  std::string anchor = Lower(method);
  anchor.push_back('_');
  std::string_view rest = route_name;
  if (rest.substr(0, 13) == "/api/rest/v1/") rest.remove_prefix(13);
  for (char c : rest) {
    anchor.push_back((c == '/' || c == '-' || c == '{' || c == '}') ? '_' : c);
  }
  return Cat("http://api.akeneo.com/api-reference.html#", anchor);
}

ApiError FormatError(const absl::Status& status, std::string_view method,
                     std::string_view route_name) {
  ApiError e = PlainError(422, std::string(status.message()));
  e.documentation = DocumentationHref(method, route_name);
  return e;
}

bool IsValidCode(std::string_view code) {
  if (code.empty() || code.size() > 100) return false;
  for (char c : code) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

ApiResponse Empty(int status, std::string location) {
  ApiResponse r;
  r.status = status;
  r.location = std::move(location);
  return r;
}

// The outcome of one create/upsert: 201 or 204, or an error.
struct Outcome {
  int status = 0;
  ApiError error;
  std::string key;  // identifier, uuid or code of the resource
};

Outcome Fail(ApiError e) {
  Outcome o;
  o.error = std::move(e);
  return o;
}

// ---------------------------------------------------------------------------
// Lists.

struct ListContext {
  const Store& store;
  std::string_view base;
  absl::Time now;
  std::vector<url::QueryParam> params;
};

ApiResponse ParseError(const absl::Status& s) {
  return ErrorResponse(422, SV(s.message()));
}

ApiResponse FilterError(const absl::Status& s) {
  const int status = s.code() == absl::StatusCode::kInvalidArgument      ? 400
                     : s.code() == absl::StatusCode::kResourceExhausted ? 413
                                                                        : 422;
  return ErrorResponse(status, SV(s.message()));
}

// One page of the items [begin, end), which are in list order: `match(it)`
// says whether an item passes the filter, `add(it)` puts it on `page`, and
// `key(it)` is its search-after key.
template <typename It, typename Match, typename Add, typename Key>
ApiResponse WalkList(const PageRequest& req, PageBuilder& page, It begin,
                     It end, const Match& match, const Add& add,
                     const Key& key) {
  if (req.type == PaginationType::kSearchAfter) {
    std::optional<std::string_view> next_key;
    std::string_view last;
    for (auto it = begin; it != end; ++it) {
      if (!match(it)) continue;
      if (page.item_count() == static_cast<size_t>(req.limit)) {
        next_key = last;
        break;
      }
      add(it);
      last = key(it);
    }
    return JsonResponse(200, page.FinishSearchAfter(next_key));
  }
  size_t matched = 0;
  bool has_next = false;
  for (auto it = begin; it != end; ++it) {
    if (!match(it)) continue;
    ++matched;
    if (matched <= req.offset()) continue;
    if (matched <= req.offset() + req.limit) {
      add(it);
      continue;
    }
    has_next = true;
    if (!req.with_count) break;
  }
  std::optional<size_t> count;
  if (req.with_count) count = matched;
  return JsonResponse(200, page.FinishPage(has_next, count));
}

// The 422 for a page-mode page of products or product models that ends past
// kMaxPageModeWindow items, if any.
std::optional<ApiResponse> PageWindowError(const PageRequest& req) {
  if (req.type != PaginationType::kPage ||
      req.offset() + req.limit <= kMaxPageModeWindow) {
    return std::nullopt;
  }
  ApiError e = PlainError(
      422,
      "You have reached the maximum number of pages you can retrieve with "
      "the \"page\" pagination type. Please use the search after "
      "pagination type instead");
  e.documentation =
      "http://api.akeneo.com/documentation/pagination.html#the-search-after-method";
  return ToResponse(e);
}

// The `search` parameter of a product or product model list, or the error
// to answer.
std::optional<ApiResponse> ParseProductSearch(const ListContext& lc,
                                              ProductFilter* filter) {
  const url::QueryParam* search = url::FindParam(lc.params, "search");
  if (search == nullptr) return std::nullopt;
  const StoreValueCatalog catalog(lc.store);
  ValueFilterContext values{&catalog};
  if (const url::QueryParam* l = url::FindParam(lc.params, "search_locale")) {
    values.search_locale = l->value;
  }
  if (const url::QueryParam* s = url::FindParam(lc.params, "search_scope")) {
    values.search_scope = s->value;
  }
  absl::StatusOr<ProductFilter> f = ProductFilter::Parse(
      search->value, lc.now,
      [&](std::string_view code) { return lc.store.CategoryAndDescendants(code); },
      [&](std::string_view code) { return lc.store.ProductModelAndSubModels(code); },
      values);
  if (!f.ok()) return FilterError(f.status());
  *filter = *std::move(f);
  return std::nullopt;
}

// How /products (by_uuid false) or /products-uuid serves a product.
ProductView ProductViewFor(const Store& s, const ProductViewParams& params,
                           bool by_uuid) {
  ProductView view;
  view.params = &params;
  if (by_uuid) {
    view.drop_root_key = "identifier";
  } else {
    view.drop_value = s.identifier_attribute;
    view.associations_by_identifier = true;
  }
  return view;
}

ApiResponse ListProducts(ListContext& lc, bool by_uuid) {
  absl::StatusOr<ProductViewParams> view_params =
      ParseProductViewParams(lc.store, lc.params, ViewRoute::kProductList);
  if (!view_params.ok()) return ParseError(view_params.status());
  absl::StatusOr<PageRequest> req =
      ParsePageRequest(lc.params, /*search_after_supported=*/true);
  if (!req.ok()) return ParseError(req.status());
  ProductFilter filter;
  if (std::optional<ApiResponse> e = ParseProductSearch(lc, &filter)) return *e;
  // Value conditions are evaluated once over the store's value index; a
  // product is then tested by its address, and read only for the property
  // conditions.
  std::optional<ProductFilter::Indexed> indexed;
  if (filter.has_value_conditions()) indexed = filter.Index(lc.store.value_index());
  auto matches = [&](const Product* p) {
    if (!indexed) return filter.Matches(p->facts());
    return indexed->Matches(p) &&
           (!filter.has_property_conditions() || filter.MatchesProperties(p->facts()));
  };
  const char* collection = by_uuid ? "products-uuid" : "products";
  PageBuilder page(*req, Cat(lc.base, kApiPath, collection));
  ViewCatalog catalog(lc.store);
  const ProductView view = ProductViewFor(lc.store, *view_params, by_uuid);
  std::string item;
  auto add = [&](const Product& p) {
    item.clear();
    RenderStoredProduct(p, view, catalog, &item);
    page.AddItem(ItemHref(lc.base, collection, by_uuid ? p.uuid : p.identifier),
                 item);
  };
  // Both indexes map a key to a product; walk either the same way.
  if (std::optional<ApiResponse> e = PageWindowError(*req)) return *e;
  auto walk = [&](auto begin, auto end) -> ApiResponse {
    return WalkList(
        *req, page, begin, end,
        [&](auto it) {
          return view_params->InTree(it->second->categories) && matches(&*it->second);
        },
        [&](auto it) { add(*it->second); },
        [&](auto it) -> std::string_view {
          return by_uuid ? std::string_view(it->second->uuid) : it->second->identifier;
        });
  };
  // When a value condition leaves at most half the products, walk only
  // those, sorted in list order.
  if (indexed && indexed->candidates() != nullptr &&
      indexed->candidates()->size() * 2 <= lc.store.product_count()) {
    std::vector<std::pair<std::string_view, const Product*>> sorted;
    sorted.reserve(indexed->candidates()->size());
    for (const void* owner : *indexed->candidates()) {
      const Product* p = static_cast<const Product*>(owner);
      if (!by_uuid && p->identifier.empty()) continue;
      sorted.emplace_back(by_uuid ? std::string_view(p->uuid) : p->identifier, p);
    }
    std::sort(sorted.begin(), sorted.end());
    auto begin = sorted.begin();
    if (!req->search_after.empty()) {
      begin = std::upper_bound(
          sorted.begin(), sorted.end(), std::string_view(req->search_after),
          [](std::string_view key, const auto& item) { return key < item.first; });
    }
    return walk(begin, sorted.end());
  }
  if (by_uuid) {
    const auto& index = lc.store.products_by_uuid();
    auto begin = req->search_after.empty()
                     ? index.begin()
                     : index.upper_bound(req->search_after);
    return walk(begin, index.end());
  }
  const auto& index = lc.store.products_by_identifier();
  auto begin = index.begin();
  if (!req->search_after.empty()) {
    begin = index.upper_bound(std::string_view(req->search_after));
  } else if (filter.empty() && !view_params->tree && req->type == PaginationType::kPage) {
    // Unfiltered pages skip without testing each product.
    const PageRequest& r = *req;
    const size_t total = index.size();
    auto it = begin;
    for (size_t i = 0; i < std::min(r.offset(), total); ++i) ++it;
    for (int n = 0; n < r.limit && it != index.end(); ++n, ++it) add(*it->second);
    std::optional<size_t> count;
    if (r.with_count) count = total;
    return JsonResponse(
        200, page.FinishPage(r.offset() + r.limit < total, count));
  }
  return walk(begin, index.end());
}

// POST /products-uuid/search: the body is a JSON object of the list's
// parameters (search, scope, locales, attributes, pagination, with_*), each
// as GET /products-uuid takes it or as its JSON form: `search` an object,
// `locales` and `attributes` arrays of codes, booleans and integers. They
// override query parameters of the same name; the answer, links included,
// is GET /products-uuid's with the merged parameters. On success `*query`
// holds that query string; otherwise the error to answer.
std::optional<ApiResponse> SearchBodyQuery(std::string_view query,
                                           std::string_view body,
                                           std::string* out) {
  Json doc = Json::object();
  if (!Trim(body).empty()) {
    absl::StatusOr<Json> parsed = ParseRequestObject(body);
    if (!parsed.ok()) return RequestJsonError(parsed.status());
    doc = *std::move(parsed);
  }
  std::string body_params;
  for (const auto& [key, v] : doc.items()) {
    std::string value;
    if (v.is_null()) continue;
    if (v.is_string()) {
      value = v.get<std::string>();
    } else if (v.is_boolean()) {
      value = v.get<bool>() ? "true" : "false";
    } else if (v.is_number_integer()) {
      value = DumpJson(v);
    } else if (key == "search" && v.is_object()) {
      value = DumpJson(v);
    } else if ((key == "locales" || key == "attributes") && v.is_array()) {
      for (const Json& code : v) {
        if (!code.is_string()) {
          return ErrorResponse(
              422, Cat("Property \"", key, "\" expects an array of strings, \"",
                       PhpTypeName(code), "\" given in the array."));
        }
        if (!value.empty()) value.push_back(',');
        value.append(code.get<std::string>());
      }
    } else {
      return ErrorResponse(422, Cat("Property \"", key, "\" expects a string, \"",
                                    PhpTypeName(v), "\" given."));
    }
    Append(&body_params, body_params.empty() ? "" : "&", url::PercentEncode(key),
           "=", url::PercentEncode(value));
  }
  out->clear();
  for (const url::QueryParam& p : url::ParseQuery(query)) {
    if (doc.contains(p.key)) continue;
    Append(out, out->empty() ? "" : "&", p.raw);
  }
  Append(out, out->empty() || body_params.empty() ? "" : "&", body_params);
  return std::nullopt;
}

// Product models, by code, with the product filters: "identifier" is the
// code.
ApiResponse ListProductModels(ListContext& lc) {
  absl::StatusOr<ProductViewParams> view_params =
      ParseProductViewParams(lc.store, lc.params, ViewRoute::kModelList);
  if (!view_params.ok()) return ParseError(view_params.status());
  absl::StatusOr<PageRequest> req =
      ParsePageRequest(lc.params, /*search_after_supported=*/true);
  if (!req.ok()) return ParseError(req.status());
  ProductFilter filter;
  if (std::optional<ApiResponse> e = ParseProductSearch(lc, &filter)) return *e;
  if (std::optional<ApiResponse> e = PageWindowError(*req)) return *e;
  const ResourceTable& table = lc.store.product_models;
  auto matches = [&](ResourceTable::const_iterator it) {
    if (filter.empty() && !view_params->tree) return true;
    const Json& doc = it->second.doc;
    std::vector<std::string> categories;
    for (const Json& c : doc["categories"]) categories.push_back(c.get<std::string>());
    if (!view_params->InTree(categories)) return false;
    if (filter.empty()) return true;
    absl::Time created, updated;
    std::string unused;
    absl::ParseTime(absl::RFC3339_full, StringOr(doc, "created"), &created, &unused);
    absl::ParseTime(absl::RFC3339_full, StringOr(doc, "updated"), &updated, &unused);
    const std::string family = StringOr(doc, "family");
    const std::string parent = StringOr(doc, "parent");
    // A model's own values; models are few, so they are read per request.
    ValueFacts values;
    if (filter.has_value_conditions()) {
      if (auto v = doc.find("values"); v != doc.end()) values = ValueFacts::FromJson(*v);
    }
    return filter.Matches(ProductFacts{it->first, "", family, categories,
                                       /*enabled=*/true, created, updated, parent,
                                       &values});
  };
  PageBuilder page(*req, Cat(lc.base, kApiPath, "product-models"));
  ViewCatalog catalog(lc.store);
  ProductView view;
  view.params = &*view_params;
  std::string item;
  return WalkList(
      *req, page,
      req->search_after.empty() ? table.begin() : table.upper_bound(req->search_after),
      table.end(), matches,
      [&](ResourceTable::const_iterator it) {
        item.clear();
        RenderProductView(it->second.json, view, catalog, it->first, &item);
        page.AddItem(ItemHref(lc.base, "product-models", it->first), item);
      },
      [](ResourceTable::const_iterator it) { return std::string_view(it->first); });
}

ApiResponse ListTable(ListContext& lc, const ResourceTable& table,
                      const std::function<std::string(std::string_view)>& href,
                      std::string collection_href) {
  absl::StatusOr<PageRequest> req =
      ParsePageRequest(lc.params, /*search_after_supported=*/false);
  if (!req.ok()) return ParseError(req.status());
  CodeFilter filter;
  if (const url::QueryParam* search = url::FindParam(lc.params, "search")) {
    absl::StatusOr<CodeFilter> f = CodeFilter::Parse(search->value);
    if (!f.ok()) return FilterError(f.status());
    filter = *std::move(f);
  }
  PageBuilder page(*req, std::move(collection_href));
  return WalkList(
      *req, page, table.begin(), table.end(),
      [&](ResourceTable::const_iterator it) { return filter.Matches(it->first); },
      [&](ResourceTable::const_iterator it) {
        page.AddItem(href(it->first), it->second.json);
      },
      [](ResourceTable::const_iterator it) { return std::string_view(it->first); });
}

// Categories, in tree order (Store::categories_in_tree_order).
ApiResponse ListCategories(ListContext& lc) {
  absl::StatusOr<PageRequest> req =
      ParsePageRequest(lc.params, /*search_after_supported=*/false);
  if (!req.ok()) return ParseError(req.status());
  CodeFilter filter;
  if (const url::QueryParam* search = url::FindParam(lc.params, "search")) {
    absl::StatusOr<CodeFilter> f = CodeFilter::Parse(search->value);
    if (!f.ok()) return FilterError(f.status());
    filter = *std::move(f);
  }
  PageBuilder page(*req, Cat(lc.base, kApiPath, "categories"));
  const std::vector<std::string>& order = lc.store.categories_in_tree_order();
  using It = std::vector<std::string>::const_iterator;
  return WalkList(
      *req, page, order.begin(), order.end(),
      [&](It it) { return filter.Matches(*it); },
      [&](It it) {
        auto r = lc.store.categories.find(*it);
        if (r == lc.store.categories.end()) return;
        page.AddItem(ItemHref(lc.base, "categories", *it), r->second.json);
      },
      [](It it) { return std::string_view(*it); });
}

// ---------------------------------------------------------------------------
// Reads.

const ResourceTable* TableFor(const Store& s, Collection c) {
  switch (c) {
    case Collection::kAttributes: return &s.attributes;
    case Collection::kFamilies: return &s.families;
    case Collection::kCategories: return &s.categories;
    case Collection::kChannels: return &s.channels;
    case Collection::kLocales: return &s.locales;
    case Collection::kProductModels: return &s.product_models;
    case Collection::kAssociationTypes: return &s.association_types;
    case Collection::kAttributeGroups: return &s.attribute_groups;
    case Collection::kCurrencies: return &s.currencies;
    case Collection::kMeasureFamilies: return &s.measure_families;
    default: return nullptr;
  }
}

const char* LabelFor(Collection c) {
  switch (c) {
    case Collection::kAttributes: return "Attribute";
    case Collection::kFamilies: return "Family";
    case Collection::kCategories: return "Category";
    case Collection::kChannels: return "Channel";
    case Collection::kLocales: return "Locale";
    case Collection::kProductModels: return "Product model";
    case Collection::kAssociationTypes: return "Association type";
    case Collection::kAttributeGroups: return "Attribute group";
    case Collection::kCurrencies: return "Currency";
    case Collection::kMeasureFamilies: return "Measure family";
    default: return "Resource";
  }
}

const char* SegmentFor(Collection c) {
  switch (c) {
    case Collection::kProducts: return "products";
    case Collection::kProductsUuid: return "products-uuid";
    case Collection::kAttributes: return "attributes";
    case Collection::kFamilies: return "families";
    case Collection::kCategories: return "categories";
    case Collection::kChannels: return "channels";
    case Collection::kLocales: return "locales";
    case Collection::kProductModels: return "product-models";
    case Collection::kAssociationTypes: return "association-types";
    case Collection::kAttributeGroups: return "attribute-groups";
    case Collection::kCurrencies: return "currencies";
    case Collection::kMeasureFamilies: return "measure-families";
    default: return "";
  }
}

// Since 7.x a missing product or product model is answered as one the user
// may not see.
std::string NotFoundMessage(Collection c, std::string_view code) {
  if (c == Collection::kProducts || c == Collection::kProductsUuid ||
      c == Collection::kProductModels) {
    return Cat(c == Collection::kProductModels ? "Product model \"" : "Product \"",
               code, "\" does not exist or you do not have permission to access it.");
  }
  return Cat(LabelFor(c), " \"", code, "\" does not exist.");
}

// The options table of a select attribute, or the 404 to answer.
const ResourceTable* OptionsTable(const Store& s, const std::string& attribute,
                                  ApiResponse* not_found) {
  auto attr = s.attributes.find(attribute);
  if (attr == s.attributes.end()) {
    *not_found = ErrorResponse(
        404, Cat("Attribute \"", attribute, "\" does not exist."));
    return nullptr;
  }
  if (!IsSelectType(StringOr(attr->second.doc, "type", ""))) {
    *not_found = ErrorResponse(
        404, Cat("Attribute \"", attribute,
                          "\" does not support options. Only attributes of "
                          "type \"pim_catalog_simpleselect\", "
                          "\"pim_catalog_multiselect\" support options."));
    return nullptr;
  }
  static const ResourceTable* const kEmpty = new ResourceTable();
  auto it = s.options.find(attribute);
  return it == s.options.end() ? kEmpty : &it->second;
}

// The variants of an existing family, or the 404 to answer.
const ResourceTable* VariantsTable(const Store& s, const std::string& family,
                                   ApiResponse* not_found) {
  if (!s.families.contains(family)) {
    *not_found = ErrorResponse(404, Cat("Family \"", family, "\" does not exist."));
    return nullptr;
  }
  static const ResourceTable* const kEmpty = new ResourceTable();
  auto it = s.family_variants.find(family);
  return it == s.family_variants.end() ? kEmpty : &it->second;
}

// GET of one product, by identifier or uuid, or of one product model, with
// the with_* parameters the route takes.
ApiResponse ReadProductItem(const Store& store, Collection c,
                            std::string_view code, const ApiRequest& req) {
  std::string_view key;
  const std::string* json = nullptr;
  const Product* product = nullptr;
  if (c != Collection::kProductModels) {
    product = c == Collection::kProducts ? store.FindByIdentifier(code)
                                         : store.FindByUuid(Lower(code));
    if (product != nullptr) {
      json = &product->json;
      key = product->uuid;
    }
  } else if (auto it = store.product_models.find(AV(code));
             it != store.product_models.end()) {
    json = &it->second.json;
    key = it->first;
  }
  if (json == nullptr) return ErrorResponse(404, NotFoundMessage(c, code));
  const ViewRoute route = c == Collection::kProductModels
                              ? ViewRoute::kModelItem
                              : ViewRoute::kProductItem;
  absl::StatusOr<ProductViewParams> params =
      ParseProductViewParams(store, url::ParseQuery(req.query), route);
  if (!params.ok()) return ParseError(params.status());
  ProductView view;
  if (c == Collection::kProductModels) {
    view.params = &*params;
  } else {
    view = ProductViewFor(store, *params, c == Collection::kProductsUuid);
  }
  ViewCatalog catalog(store);
  std::string body;
  body.reserve(json->size() + 64);
  if (product != nullptr) {
    RenderStoredProduct(*product, view, catalog, &body);
  } else {
    RenderProductView(*json, view, catalog, key, &body);
  }
  return JsonResponse(200, std::move(body));
}

}  // namespace

ApiResponse HandleRead(const Store& store, std::string_view base,
                       absl::Time now, const ParsedRoute& route,
                       const ApiRequest& req) {
  const Collection c = route.collection;
  if (c == Collection::kSystemInformation) return SystemInformation();
  if (c == Collection::kMeasurementFamilies) {
    return ListMeasurementFamilies(store);
  }
  if (c == Collection::kMediaFiles || c == Collection::kCategoryMediaFiles) {
    if (route.item) return ReadMediaFile(store, base, route);
    absl::StatusOr<PageRequest> page_req =
        ParsePageRequest(url::ParseQuery(req.query), /*search_after_supported=*/false);
    if (!page_req.ok()) return ParseError(page_req.status());
    PageBuilder page(*page_req, Cat(base, kApiPath, "media-files"));
    const MediaTable& files = store.media_files;
    return WalkList(
        *page_req, page, files.begin(), files.end(),
        [](MediaTable::const_iterator) { return true; },
        [&](MediaTable::const_iterator it) {
          AddMediaFile(&page, base, it->first, it->second);
        },
        [](MediaTable::const_iterator it) { return std::string_view(it->first); });
  }
  if (route.item) {
    // The hot path: no copy of the code unless it is percent-encoded.
    std::string decoded;
    std::string_view code = route.code;
    if (url::NeedsPercentDecode(code, false)) {
      decoded = Decode(code);
      code = decoded;
    }
    const std::string* json = nullptr;
    if (c == Collection::kProducts || c == Collection::kProductsUuid ||
        c == Collection::kProductModels) {
      return ReadProductItem(store, c, code, req);
    } else if (c == Collection::kFamilyVariants) {
      ApiResponse not_found;
      const std::string family = Decode(route.family);
      const ResourceTable* variants = VariantsTable(store, family, &not_found);
      if (variants == nullptr) return not_found;
      auto it = variants->find(AV(code));
      if (it == variants->end()) {
        return ErrorResponse(404, FamilyVariantNotFound(family, code));
      }
      json = &it->second.json;
    } else if (c == Collection::kAttributeOptions) {
      ApiResponse not_found;
      const std::string attribute = Decode(route.attribute);
      const ResourceTable* options = OptionsTable(store, attribute, &not_found);
      if (options == nullptr) return not_found;
      auto it = options->find(AV(code));
      if (it == options->end()) {
        return ErrorResponse(
            404, Cat("Attribute option \"", code,
                              "\" does not exist or is not an option of the "
                              "attribute \"",
                              attribute, "\"."));
      }
      json = &it->second.json;
    } else if (const ResourceTable* table = TableFor(store, c)) {
      auto it = table->find(AV(code));
      if (it != table->end()) json = &it->second.json;
    }
    if (json == nullptr) return ErrorResponse(404, NotFoundMessage(c, code));
    return JsonResponse(200, *json);
  }

  if (route.search) {
    std::string query;
    if (std::optional<ApiResponse> e = SearchBodyQuery(req.query, req.body, &query)) {
      return *std::move(e);
    }
    ListContext lc{store, base, now, url::ParseQuery(query)};
    return ListProducts(lc, /*by_uuid=*/true);
  }
  ListContext lc{store, base, now, url::ParseQuery(req.query)};
  if (c == Collection::kProductModels) return ListProductModels(lc);
  if (c == Collection::kProducts || c == Collection::kProductsUuid) {
    return ListProducts(lc, c == Collection::kProductsUuid);
  }
  if (c == Collection::kFamilyVariants) {
    ApiResponse not_found;
    const std::string family = Decode(route.family);
    const ResourceTable* variants = VariantsTable(store, family, &not_found);
    if (variants == nullptr) return not_found;
    return ListTable(
        lc, *variants,
        [&](std::string_view code) { return VariantHref(base, family, code); },
        VariantsHref(base, family));
  }
  if (c == Collection::kAttributeOptions) {
    ApiResponse not_found;
    const std::string attribute = Decode(route.attribute);
    const ResourceTable* options = OptionsTable(store, attribute, &not_found);
    if (options == nullptr) return not_found;
    return ListTable(
        lc, *options,
        [&](std::string_view code) { return OptionHref(base, attribute, code); },
        Cat(base, kApiPath, "attributes/", url::PercentEncode(attribute),
                     "/options"));
  }
  if (c == Collection::kCategories) return ListCategories(lc);
  const ResourceTable* table = TableFor(store, c);
  const char* segment = SegmentFor(c);
  return ListTable(
      lc, *table,
      [&](std::string_view code) { return ItemHref(base, segment, code); },
      Cat(base, kApiPath, segment));
}

// ---------------------------------------------------------------------------
// Validation.

namespace {

bool IsNumericValue(const Json& v) {
  if (v.is_number()) return true;
  double unused;
  return v.is_string() &&
         absl::SimpleAtod(v.get_ref<const std::string&>(), &unused);
}

// "yyyy-mm-dd", optionally followed by a time.
bool IsDateValue(const Json& v) {
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  if (s.size() < 10) return false;
  for (int i = 0; i < 10; ++i) {
    if (i == 4 || i == 7) {
      if (s[i] != '-') return false;
    } else if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return s.size() == 10 || s[10] == 'T' || s[10] == ' ';
}

struct Catalog {
  explicit Catalog(const Store& s) : store(s) {
    for (const auto& [code, ch] : s.channels) {
      for (const Json& c : ch.doc.value("currencies", Json::array())) {
        if (c.is_string()) currencies.insert(c.get<std::string>());
      }
    }
  }
  bool LocaleActive(std::string_view code) const {
    auto it = store.locales.find(AV(code));
    return it != store.locales.end() && it->second.doc.value("enabled", false);
  }
  bool ChannelHasLocale(std::string_view channel, std::string_view locale) const {
    auto it = store.channels.find(AV(channel));
    if (it == store.channels.end()) return false;
    for (const Json& l : it->second.doc.value("locales", Json::array())) {
      if (l.is_string() && l.get_ref<const std::string&>() == locale) return true;
    }
    return false;
  }
  bool HasOption(const std::string& attribute, const std::string& code) const {
    auto it = store.options.find(attribute);
    return it != store.options.end() && it->second.contains(code);
  }
  const Store& store;
  absl::flat_hash_set<std::string> currencies;
};

void ValidateValueData(const Catalog& cat, const std::string& attr,
                       const std::string& type, const Json& entry,
                       Json* errors) {
  const Json& data = entry["data"];
  const Json locale = entry.value("locale", Json());
  const Json scope = entry.value("scope", Json());
  auto fail = [&](std::string message) {
    errors->push_back(ValueValidationItem(message, attr, locale, scope));
  };
  auto expects = [&](std::string_view what) {
    fail(Cat("Property \"", attr, "\" expects ", what,
                      " as data, \"", PhpTypeName(data), "\" given."));
  };
  if (type == kTextType || type == kTextareaType || type == kIdentifierType ||
      type == kImageType || type == kFileType) {
    if (!data.is_string()) return expects("a string");
    if (type == kTextType &&
        data.get_ref<const std::string&>().size() > 255) {
      fail("This value is too long. It should have 255 characters or less.");
    }
  } else if (type == kNumberType) {
    if (!IsNumericValue(data)) expects("a numeric");
  } else if (type == kBooleanType) {
    if (!data.is_boolean()) expects("a boolean");
  } else if (type == kDateType) {
    if (!IsDateValue(data)) {
      fail(Cat("Property \"", attr,
                        "\" expects a string with the format \"yyyy-mm-dd\" "
                        "as data, \"",
                        data.is_string() ? data.get<std::string>()
                                         : DumpJson(data),
                        "\" given."));
    }
  } else if (type == kPriceType) {
    if (!data.is_array()) return expects("an array");
    for (const Json& price : data) {
      if (!price.is_object() || !price.contains("currency") ||
          !price.contains("amount") || !price["currency"].is_string() ||
          !(price["amount"].is_null() || IsNumericValue(price["amount"]))) {
        return fail(Cat(
            "Property \"", attr,
            "\" expects an array with the keys \"amount\" and \"currency\" "
            "and a numeric amount as data."));
      }
      const std::string& currency = price["currency"].get_ref<const std::string&>();
      if (!cat.currencies.contains(currency)) {
        fail(Cat("The currency \"", currency,
                          "\" does not exist or is not activated."));
      }
    }
  } else if (type == kMetricType) {
    if (!data.is_object() || !data.contains("amount") || !data.contains("unit")) {
      fail(Cat("Property \"", attr,
                        "\" expects an array with the keys \"amount\" and "
                        "\"unit\" as data."));
    }
  } else if (type == kSimpleSelectType) {
    if (!data.is_string()) return expects("a string");
    if (!cat.HasOption(attr, data.get<std::string>())) {
      fail(Cat("The ", data.get<std::string>(), " value is not in the ",
                        attr, " attribute option list."));
    }
  } else if (type == kMultiSelectType) {
    if (!data.is_array()) return expects("an array");
    std::vector<std::string> missing;
    for (const Json& o : data) {
      if (!o.is_string()) return expects("an array of strings");
      if (!cat.HasOption(attr, o.get<std::string>())) {
        missing.push_back(o.get<std::string>());
      }
    }
    if (!missing.empty()) {
      fail(Cat("The ", absl::StrJoin(missing, ", "),
                        missing.size() > 1 ? " values are" : " value is",
                        " not in the ", attr, " attribute option list."));
    }
  }
}

void ValidateProductValues(const Catalog& cat, const Json& values,
                           Json* errors) {
  for (auto it = values.begin(); it != values.end(); ++it) {
    const std::string& attr = it.key();
    auto a = cat.store.attributes.find(attr);
    if (a == cat.store.attributes.end()) {
      errors->push_back(ValueValidationItem(
          Cat("The attribute \"", attr, "\" does not exist."), attr,
          Json(), Json()));
      continue;
    }
    const Json& adoc = a->second.doc;
    const std::string type = StringOr(adoc, "type", "");
    const bool localizable = adoc.value("localizable", false);
    const bool scopable = adoc.value("scopable", false);
    for (const Json& entry : it.value()) {
      if (errors->size() >= kMaxListedErrors) return;  // no more are listed
      const Json locale = entry.value("locale", Json());
      const Json scope = entry.value("scope", Json());
      auto fail = [&](std::string message) {
        errors->push_back(ValueValidationItem(message, attr, locale, scope));
      };
      bool context_ok = true;
      if (localizable && locale.is_null()) {
        fail(Cat("Attribute \"", attr,
                          "\" expects a locale, none given."));
        context_ok = false;
      } else if (!localizable && !locale.is_null()) {
        fail(Cat("Attribute \"", attr,
                          "\" does not expect a locale, \"",
                          locale.get<std::string>(), "\" given."));
        context_ok = false;
      } else if (localizable && !cat.LocaleActive(locale.get<std::string>())) {
        fail(Cat("Attribute \"", attr,
                          "\" expects an existing and activated locale, \"",
                          locale.get<std::string>(), "\" given."));
        context_ok = false;
      }
      if (scopable && scope.is_null()) {
        fail(Cat("Attribute \"", attr,
                          "\" expects a channel code, none given."));
        context_ok = false;
      } else if (!scopable && !scope.is_null()) {
        fail(Cat("Attribute \"", attr,
                          "\" does not expect a channel, \"",
                          scope.get<std::string>(), "\" given."));
        context_ok = false;
      } else if (scopable &&
                 !cat.store.channels.contains(scope.get<std::string>())) {
        fail(Cat("Attribute \"", attr,
                          "\" expects an existing channel code, \"",
                          scope.get<std::string>(), "\" given."));
        context_ok = false;
      }
      if (context_ok && localizable && scopable &&
          !cat.ChannelHasLocale(scope.get<std::string>(),
                                locale.get<std::string>())) {
        fail(Cat("The locale \"", locale.get<std::string>(),
                          "\" is not bound to the channel \"",
                          scope.get<std::string>(), "\"."));
      }
      ValidateValueData(cat, attr, type, entry, errors);
    }
  }
}

// Also gives a variant product its parent's family (CheckProductParent).
Json ValidateProduct(const Store& s, Json& doc) {
  Json errors = Json::array();
  const Json& identifier = doc["identifier"];
  if (identifier.is_string()) {
    const std::string& id = identifier.get_ref<const std::string&>();
    if (id.empty() || Trim(id).size() != id.size()) {
      AddValidationItem(&errors, "identifier",
                        "The identifier must not be empty nor start or end with a "
                        "space.");
    } else if (id.size() > 255) {
      AddValidationItem(&errors, "identifier",
                        "This value is too long. It should have 255 characters or "
                        "less.");
    }
  }
  const Json& family = doc["family"];
  if (family.is_string() && !s.families.contains(family.get<std::string>())) {
    AddValidationItem(&errors, "family",
                      Cat("The family \"", family.get<std::string>(),
                          "\" does not exist."));
  }
  for (const Json& c : doc["categories"]) {
    if (!s.categories.contains(c.get<std::string>())) {
      AddValidationItem(&errors, "categories",
                        Cat("The category \"", c.get<std::string>(),
                            "\" does not exist."));
    }
  }
  for (const Json& g : doc["groups"]) {
    AddValidationItem(&errors, "groups",
                      Cat("The group \"", g.get<std::string>(),
                          "\" does not exist."));
  }
  CheckProductParent(s, &doc, &errors);
  Catalog cat(s);
  ValidateProductValues(cat, doc["values"], &errors);
  return errors;
}

// ---------------------------------------------------------------------------
// Product writes.

struct WriteContext {
  Store& store;
  std::string_view base;
  absl::Time now;
  SplitMix64& rng;
  std::string_view method;
  const char* route_name;
};

// On /products-uuid the identifier is the identifier attribute's value: a
// patch that sets it (or clears it with null data) sets the root identifier
// the store indexes.
void SetIdentifierFromValue(const std::string& attribute, const Json& patch,
                            Json* doc) {
  auto values = patch.find("values");
  if (values == patch.end() || !values->is_object()) return;
  auto entries = values->find(attribute);
  if (entries == values->end() || !entries->is_array()) return;
  for (const Json& entry : *entries) {
    if (!entry.is_object()) continue;
    auto data = entry.find("data");
    if (data == entry.end()) continue;
    if (data->is_string()) (*doc)["identifier"] = *data;
    if (data->is_null()) (*doc)["identifier"] = nullptr;
  }
}

// /products names associated products by identifier, /products-uuid by
// uuid; the store keeps uuids (lowercase). Rewrites `*patch` so, or answers
// the 422 of a product that does not exist.
std::optional<ApiError> AssociationsToUuids(const Store& s, bool by_uuid,
                                            Json* patch) {
  auto unknown = [&](const std::string& key) {
    return PlainError(
        422, Cat("Property \"associations\" expects a valid product ",
                 by_uuid ? "uuid" : "identifier",
                 ". The product does not exist, \"", key, "\" given."));
  };
  // The uuid a patch's product key stands for, or nullopt if none.
  auto uuid_of = [&](const std::string& key) -> std::optional<std::string> {
    const Product* p = by_uuid ? s.FindByUuid(Lower(key)) : s.FindByIdentifier(key);
    if (p == nullptr) return std::nullopt;
    return p->uuid;
  };
  for (const char* field : {"associations", "quantified_associations"}) {
    const bool quantified = field[0] == 'q';
    auto associations = patch->find(field);
    if (associations == patch->end() || !associations->is_object()) continue;
    for (auto& [type, links] : associations->items()) {
      if (!links.is_object()) continue;
      auto products = links.find("products");
      if (products == links.end() || !products->is_array()) continue;
      for (Json& item : *products) {
        if (!quantified) {
          if (!item.is_string()) continue;
          std::optional<std::string> uuid = uuid_of(item.get<std::string>());
          if (!uuid) return unknown(item.get<std::string>());
          item = *std::move(uuid);
          continue;
        }
        const char* key = by_uuid ? "uuid" : "identifier";
        if (!item.is_object() || !item.contains(key) || !item[key].is_string()) continue;
        std::optional<std::string> uuid = uuid_of(item[key].get<std::string>());
        if (!uuid) return unknown(item[key].get<std::string>());
        Json entry = Json::object();
        entry["uuid"] = *std::move(uuid);
        entry["quantity"] = item.value("quantity", Json());
        item = std::move(entry);
      }
    }
  }
  return std::nullopt;
}

// Every association type of a product or product model lists "products",
// "product_models" and "groups", in that order, as Akeneo serves them.
void CompleteAssociations(Json* doc) {
  auto associations = doc->find("associations");
  if (associations == doc->end() || !associations->is_object()) return;
  for (auto& [type, links] : associations->items()) {
    if (!links.is_object()) continue;
    Json complete = Json::object();
    for (const char* key : {"products", "product_models", "groups"}) {
      auto it = links.find(key);
      complete[key] = it != links.end() ? std::move(*it) : Json::array();
    }
    for (auto& [key, value] : links.items()) {
      if (!complete.contains(key)) complete[key] = std::move(value);
    }
    links = std::move(complete);
  }
}

// Creates or updates a product. `by_uuid` selects the key; `url_key` is the
// decoded key from the URL, or empty for POST and batch lines (then the body
// carries it). `create_only` is POST.
// Akeneo refuses a product write that names an unknown category or attribute
// before validating it, with a documented 422 (no errors[]), for the first
// one in the order of the body.
absl::Status CheckProductCodesExist(const Store& s, const Json& patch) {
  for (auto field = patch.begin(); field != patch.end(); ++field) {
    if (field.key() == "categories" && field->is_array()) {
      for (const Json& c : *field) {
        if (c.is_string() && !s.categories.contains(c.get<std::string>())) {
          return absl::InvalidArgumentError(
              Cat("The ", c.get<std::string>(),
                  " category does not exist in your PIM.", kCheckFormat));
        }
      }
    } else if (field.key() == "values" && field->is_object()) {
      for (auto value = field->begin(); value != field->end(); ++value) {
        if (!s.attributes.contains(value.key())) {
          return absl::InvalidArgumentError(
              Cat("The ", value.key(), " attribute does not exist in your PIM.",
                  kCheckFormat));
        }
      }
    }
  }
  return absl::OkStatus();
}

Outcome UpsertProduct(WriteContext& w, bool by_uuid, std::string url_key,
                      const Json& patch, bool create_only) {
  Store& s = w.store;
  Product* existing = nullptr;
  std::string uuid;
  Json identifier;
  if (!by_uuid) {
    std::string id = url_key.empty() ? StringOr(patch, "identifier", "")
                                     : std::move(url_key);
    if (id.empty()) {
      return Fail(ValidationFailed(Json::array(
          {ValidationItem("identifier", "This value should not be blank.")})));
    }
    existing = s.MutableByIdentifier(id);
    if (create_only && existing != nullptr) {
      return Fail(ValidationFailed(Json::array({ValidationItem(
          "identifier", Cat("The value ", id,
                                     " is already set on another product for "
                                     "the unique attribute ",
                                     s.identifier_attribute))})));
    }
    identifier = id;
    if (existing == nullptr) {
      const std::string body_uuid =
          Lower(StringOr(patch, "uuid", ""));
      uuid = IsUuid(body_uuid) && s.FindByUuid(body_uuid) == nullptr
                 ? body_uuid
                 : RandomUuid(w.rng);
    }
  } else {
    if (!url_key.empty()) {
      uuid = Lower(url_key);
    } else if (patch.contains("uuid")) {
      uuid = Lower(StringOr(patch, "uuid", ""));
    } else {
      uuid = RandomUuid(w.rng);
    }
    if (!IsUuid(uuid)) {
      return Fail(ValidationFailed(
          Json::array({ValidationItem("uuid", "This is not a valid UUID.")})));
    }
    existing = s.MutableByUuid(uuid);
    if (create_only && existing != nullptr) {
      return Fail(ValidationFailed(Json::array({ValidationItem(
          "uuid", "The same uuid is already set on another product")})));
    }
    identifier = patch.value("identifier", Json());
  }

  Json doc;
  if (existing != nullptr) {
    doc = *ParseJson(existing->json);
  } else {
    doc = NewProductDoc(uuid, identifier.is_string() ? identifier : Json(),
                        w.now);
  }
  const Json before = existing != nullptr ? doc : Json();
  Json named_by_uuid;
  const Json* merged = &patch;
  if (patch.contains("associations") || patch.contains("quantified_associations")) {
    named_by_uuid = patch;
    if (std::optional<ApiError> e = AssociationsToUuids(s, by_uuid, &named_by_uuid)) {
      return Fail(*std::move(e));
    }
    merged = &named_by_uuid;
  }
  if (absl::Status st = MergePatch(ProductSchema(), *merged, &doc); !st.ok()) {
    return Fail(FormatError(st, w.method, w.route_name));
  }
  if (absl::Status st = CheckProductCodesExist(s, patch); !st.ok()) {
    return Fail(FormatError(st, w.method, w.route_name));
  }
  if (by_uuid) SetIdentifierFromValue(s.identifier_attribute, patch, &doc);
  CompleteAssociations(&doc);
  Json errors = ValidateProduct(s, doc);
  std::string new_id = StringOr(doc, "identifier", "");
  if (!by_uuid && new_id != identifier.get<std::string>()) {
    // Renames go through /products-uuid.
    new_id = identifier.get<std::string>();
    doc["identifier"] = new_id;
  }
  if (!new_id.empty()) {
    const Product* owner = s.FindByIdentifier(new_id);
    if (owner != nullptr && owner != existing) {
      AddValidationItem(&errors, "identifier",
                        Cat("The value ", new_id,
                            " is already set on another product for the "
                            "unique attribute ",
                            s.identifier_attribute));
    }
  }
  if (!errors.empty()) return Fail(ValidationFailed(std::move(errors)));

  // The identifier is also the value of the identifier attribute.
  Json& values = doc["values"];
  if (new_id.empty()) {
    values.erase(s.identifier_attribute);
  } else {
    Json entry = Json::object();
    entry["locale"] = nullptr;
    entry["scope"] = nullptr;
    entry["data"] = new_id;
    values[s.identifier_attribute] = Json::array({std::move(entry)});
  }

  Outcome out;
  out.key = by_uuid ? uuid : new_id;
  if (existing != nullptr && doc == before) {
    out.status = 204;
    return out;
  }
  doc["updated"] = FormatAkeneoTime(w.now);
  Product* p = existing;
  if (p == nullptr) {
    auto created = std::make_unique<Product>();
    created->uuid = uuid;
    created->created = w.now;
    p = s.InsertProduct(std::move(created));
    out.status = 201;
  } else {
    out.status = 204;
  }
  if (p->identifier != new_id) s.SetIdentifier(p, new_id);
  p->family = StringOr(doc, "family", "");
  p->parent = StringOr(doc, "parent", "");
  p->categories.clear();
  for (const Json& c : doc["categories"]) p->categories.push_back(c.get<std::string>());
  p->enabled = doc.value("enabled", true);
  p->updated = w.now;
  p->json = DumpJson(doc);
  IndexProductJson(s.identifier_attribute, p);
  s.SetValues(p, ValueFacts::FromJson(doc["values"]));
  return out;
}

// ---------------------------------------------------------------------------
// Code-resource writes.

ResourceTable* MutableTableFor(Store& s, Collection c,
                               const std::string& attribute) {
  if (c == Collection::kAttributeOptions) return &s.options[attribute];
  if (c == Collection::kFamilyVariants) return &s.family_variants[attribute];
  return const_cast<ResourceTable*>(TableFor(s, c));
}

absl::Span<const FieldSpec> SchemaFor(Collection c) {
  switch (c) {
    case Collection::kAttributes: return AttributeSchema();
    case Collection::kAttributeOptions: return AttributeOptionSchema();
    case Collection::kFamilies: return FamilySchema();
    case Collection::kCategories: return CategorySchema();
    case Collection::kChannels: return ChannelSchema();
    case Collection::kAssociationTypes: return AssociationTypeSchema();
    case Collection::kAttributeGroups: return AttributeGroupSchema();
    case Collection::kFamilyVariants: return FamilyVariantSchema();
    case Collection::kProductModels: return ProductModelSchema();
    default: return LocaleSchema();
  }
}

Json NewDocFor(const Store& s, Collection c, const std::string& attribute,
               const std::string& code, const Json& patch, absl::Time now) {
  switch (c) {
    case Collection::kAttributes:
      return NewAttributeDoc(code, StringOr(patch, "type", ""));
    case Collection::kAttributeOptions:
      return NewAttributeOptionDoc(attribute, code);
    case Collection::kFamilies:
      return NewFamilyDoc(code, s.identifier_attribute);
    case Collection::kCategories:
      return NewCategoryDoc(code, now);
    case Collection::kChannels:
      return NewChannelDoc(code);
    case Collection::kAssociationTypes:
      return NewAssociationTypeDoc(code);
    case Collection::kAttributeGroups:
      return NewAttributeGroupDoc(code);
    case Collection::kFamilyVariants:
      return NewFamilyVariantDoc(code);
    case Collection::kProductModels:
      return NewProductModelDoc(code, now);
    default:
      return NewLocaleDoc(code, false);
  }
}

Json ValidateCodeResource(const Store& s, Collection c, const Json& doc,
                          const Json* old) {
  Json errors = Json::array();
  const std::string code = StringOr(doc, "code", "");
  // Product model codes are free text, checked by CheckProductModel.
  if (old == nullptr && c != Collection::kProductModels && !IsValidCode(code)) {
    AddValidationItem(&errors, "code",
                      "Code may contain only letters, numbers and underscores, and "
                      "must not be blank.");
  }
  switch (c) {
    case Collection::kAttributes: {
      const std::string type = StringOr(doc, "type", "");
      if (type.empty()) {
        AddValidationItem(&errors, "type", "This value should not be blank.");
      } else if (!IsKnownAttributeType(type)) {
        AddValidationItem(&errors, "type",
                          Cat("The attribute type \"", type,
                              "\" is not supported."));
      } else if (old != nullptr && (*old)["type"] != doc["type"]) {
        AddValidationItem(&errors, "type", "This property cannot be changed.");
      } else if (old == nullptr && type == kIdentifierType) {
        AddValidationItem(&errors, "type", "An identifier attribute already exists.");
      }
      if (StringOr(doc, "group", "").empty()) {
        AddValidationItem(&errors, "group", "This value should not be blank.");
      } else if (Json e = AttributeGroupError(s, doc); !e.is_null()) {
        errors.push_back(std::move(e));
      }
      if (old != nullptr) {
        for (const char* key : {"localizable", "scopable", "unique"}) {
          if ((*old)[key] != doc[key]) {
            AddValidationItem(&errors, key, "This property cannot be changed.");
          }
        }
      }
      break;
    }
    case Collection::kAttributeOptions:
      break;
    case Collection::kAssociationTypes:
      for (Json& e : ValidateAssociationType(doc, old)) errors.push_back(std::move(e));
      break;
    case Collection::kAttributeGroups:
      for (Json& e : ValidateAttributeGroup(s, doc)) errors.push_back(std::move(e));
      break;
    case Collection::kFamilies: {
      const Json& attributes = doc["attributes"];
      // Checked once per requirement below: a set, not a scan of the list.
      absl::flat_hash_set<std::string_view> members;
      members.reserve(attributes.size());
      for (const Json& a : attributes) {
        if (a.is_string()) members.insert(a.get_ref<const std::string&>());
      }
      for (const Json& a : attributes) {
        if (!s.attributes.contains(a.get<std::string>())) {
          AddValidationItem(&errors, "attributes",
                            Cat("The attribute \"", a.get<std::string>(),
                                "\" does not exist."));
        }
      }
      const std::string label = StringOr(doc, "attribute_as_label", "");
      auto la = s.attributes.find(label);
      if (!members.contains(label)) {
        AddValidationItem(&errors, "attribute_as_label",
                          "Property \"attribute_as_label\" must belong to the family");
      } else if (la != s.attributes.end()) {
        const std::string type = StringOr(la->second.doc, "type", "");
        if (type != kTextType && type != kIdentifierType) {
          AddValidationItem(&errors, "attribute_as_label",
                            "Property \"attribute_as_label\" only supports "
                            "\"pim_catalog_text\" and \"pim_catalog_identifier\" "
                            "attribute types for the family");
        }
      }
      const Json& image = doc["attribute_as_image"];
      if (image.is_string() && !members.contains(image.get_ref<const std::string&>())) {
        AddValidationItem(&errors, "attribute_as_image",
                          "Property \"attribute_as_image\" must belong to the family");
      }
      const Json& req = doc["attribute_requirements"];
      for (auto it = req.begin(); it != req.end(); ++it) {
        if (!s.channels.contains(it.key())) {
          AddValidationItem(&errors, "attribute_requirements",
                            Cat("The channel \"", it.key(),
                                "\" does not exist."));
          continue;
        }
        if (!it.value().is_array()) {
          AddValidationItem(&errors, "attribute_requirements",
                            Cat("The requirements of the channel \"", it.key(),
                                "\" must be an array of attribute codes."));
          continue;
        }
        for (const Json& a : it.value()) {
          if (!a.is_string() || !members.contains(a.get_ref<const std::string&>())) {
            AddValidationItem(&errors, "attribute_requirements",
                              Cat("The attribute \"",
                                  a.is_string() ? a.get<std::string>() : DumpJson(a),
                                  "\" cannot be an attribute required for the "
                                  "channel \"",
                                  it.key(),
                                  "\" as it does not belong to this family"));
          }
        }
      }
      break;
    }
    case Collection::kCategories: {
      const Json& parent = doc["parent"];
      if (parent.is_string()) {
        const std::string p = parent.get<std::string>();
        if (!s.categories.contains(p)) {
          AddValidationItem(&errors, "parent",
                            Cat("The category \"", p, "\" does not exist."));
        } else {
          for (const std::string& d : s.CategoryAndDescendants(code)) {
            if (d == p) {
              AddValidationItem(&errors, "parent",
                                "The parent cannot be the category itself or one of "
                                "its children.");
              break;
            }
          }
        }
      }
      break;
    }
    case Collection::kChannels: {
      const std::string tree = StringOr(doc, "category_tree", "");
      auto t = s.categories.find(tree);
      if (tree.empty()) {
        AddValidationItem(&errors, "category_tree", "This value should not be blank.");
      } else if (t == s.categories.end()) {
        AddValidationItem(&errors, "category_tree",
                          Cat("The category \"", tree, "\" does not exist."));
      } else if (!t->second.doc["parent"].is_null()) {
        AddValidationItem(&errors, "category_tree",
                          Cat("The category \"", tree,
                              "\" is not a root category."));
      }
      if (doc["locales"].empty()) {
        AddValidationItem(&errors, "locales",
                          "This collection should contain 1 element or more.");
      }
      for (const Json& l : doc["locales"]) {
        if (!s.locales.contains(l.get<std::string>())) {
          AddValidationItem(&errors, "locales",
                            Cat("The locale \"", l.get<std::string>(),
                                "\" does not exist."));
        }
      }
      if (doc["currencies"].empty()) {
        AddValidationItem(&errors, "currencies",
                          "This collection should contain 1 element or more.");
      }
      for (const Json& cur : doc["currencies"]) {
        const std::string& code3 = cur.get_ref<const std::string&>();
        if (!s.currencies.contains(code3)) {
          AddValidationItem(&errors, "currencies",
                            Cat("The currency \"", code3,
                                "\" does not exist."));
        }
      }
      break;
    }
    default:
      break;
  }
  return errors;
}

// Locales are activated by the channels that use them.
void RefreshLocaleActivation(Store& s) {
  absl::flat_hash_set<std::string> used;
  for (const auto& [code, ch] : s.channels) {
    for (const Json& l : ch.doc["locales"]) used.insert(l.get<std::string>());
  }
  for (auto& [code, locale] : s.locales) {
    const bool enabled = used.contains(code);
    if (locale.doc["enabled"] != enabled) {
      locale.doc["enabled"] = enabled;
      locale.Refresh();
    }
  }
}

Outcome UpsertCode(WriteContext& w, Collection c, const std::string& attribute,
                   std::string code, const Json& patch, bool create_only) {
  Store& s = w.store;
  ResourceTable* table = MutableTableFor(s, c, attribute);
  auto it = table->find(code);
  const bool exists = it != table->end();
  if (create_only && exists) {
    return Fail(ValidationFailed(
        Json::array({ValidationItem("code", "This value is already used.")})));
  }
  Json doc = exists ? it->second.doc
                    : NewDocFor(s, c, attribute, code, patch, w.now);
  if (absl::Status st = MergePatch(SchemaFor(c), patch, &doc); !st.ok()) {
    return Fail(FormatError(st, w.method, w.route_name));
  }
  doc["code"] = code;  // a body "code" must already match (checked by callers)
  if (c == Collection::kAttributeOptions) doc["attribute"] = attribute;
  if (c == Collection::kFamilies &&
      !ListHas(doc["attributes"], s.identifier_attribute)) {
    doc["attributes"].push_back(s.identifier_attribute);
  }
  Json errors = ValidateCodeResource(s, c, doc, exists ? &it->second.doc : nullptr);
  if (c == Collection::kFamilyVariants && errors.empty()) {
    errors = CheckFamilyVariant(s, attribute, exists ? &it->second.doc : nullptr, &doc);
  }
  if (c == Collection::kProductModels) {
    CompleteAssociations(&doc);
    errors = CheckProductModel(s, exists ? &it->second.doc : nullptr, &doc);
    if (errors.empty()) ValidateProductValues(Catalog(s), doc["values"], &errors);
  }
  if (!errors.empty()) return Fail(ValidationFailed(std::move(errors)));

  Outcome out;
  out.key = code;
  out.status = exists ? 204 : 201;
  if (exists && doc == it->second.doc) return out;
  if (c == Collection::kCategories || c == Collection::kProductModels) {
    doc["updated"] = FormatAkeneoTime(w.now);
  }
  // Kept for the reference-data rules below; `it` dies with the assignment.
  Json old;
  if (exists && (c == Collection::kAttributes || c == Collection::kAttributeGroups)) {
    old = std::move(it->second.doc);
  }
  (*table)[code] = Resource(std::move(doc));
  switch (c) {
    case Collection::kCategories:
      s.NoteCategoryCreated(code);
      s.RefreshCategoryOrder();
      break;
    case Collection::kChannels:
      RefreshLocaleActivation(s);
      RefreshCurrencyActivation(&s);
      break;
    case Collection::kAttributes:
      MoveAttributeToGroup(&s, code, exists ? StringOr(old, "group", "") : "");
      break;
    case Collection::kAttributeGroups:
      SyncAttributeGroup(&s, code, exists ? &old : nullptr);
      break;
    case Collection::kFamilies:
      RefreshFamilyVariants(&s, code);
      break;
    default:
      break;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Dispatch of writes.

std::string LocationOf(std::string_view base, const ParsedRoute& route,
                       const std::string& attribute, const std::string& key) {
  if (route.collection == Collection::kAttributeOptions) {
    return OptionHref(base, attribute, key);
  }
  if (route.collection == Collection::kFamilyVariants) {
    return VariantHref(base, attribute, key);
  }
  return ItemHref(base, SegmentFor(route.collection), key);
}

// Which body field names the resource: "identifier", "uuid" or "code".
const char* KeyField(Collection c) {
  if (c == Collection::kProducts) return "identifier";
  if (c == Collection::kProductsUuid) return "uuid";
  return "code";
}

Outcome Upsert(WriteContext& w, const ParsedRoute& route,
               const std::string& attribute, std::string key, const Json& body,
               bool create_only) {
  switch (route.collection) {
    case Collection::kProducts:
      return UpsertProduct(w, false, std::move(key), body, create_only);
    case Collection::kProductsUuid:
      return UpsertProduct(w, true, std::move(key), body, create_only);
    default:
      if (key.empty()) key = StringOr(body, "code", "");
      return UpsertCode(w, route.collection, attribute, std::move(key), body,
                        create_only);
  }
}

// A body key that disagrees with the URL.
std::optional<ApiError> KeyMismatch(const ParsedRoute& route,
                                    const std::string& attribute,
                                    const std::string& key, const Json& body) {
  const char* field = KeyField(route.collection);
  auto it = body.find(field);
  if (it != body.end() && !it->is_null()) {
    std::string given = it->is_string() ? it->get<std::string>() : DumpJson(*it);
    std::string expected = key;
    if (route.collection == Collection::kProductsUuid) {
      given = Lower(given);
      expected = Lower(expected);
    }
    if (given != expected) {
      return PlainError(
          422, Cat("The ", field, " \"", given,
                            "\" provided in the request body must match the ",
                            field, " \"", key, "\" provided in the url."));
    }
  }
  if (route.collection == Collection::kAttributeOptions) {
    auto a = body.find("attribute");
    if (a != body.end() && !(a->is_string() && a->get<std::string>() == attribute)) {
      return PlainError(
          422, Cat("The attribute code \"",
                            a->is_string() ? a->get<std::string>() : DumpJson(*a),
                            "\" provided in the request body must match the "
                            "attribute code \"",
                            attribute, "\" provided in the url."));
    }
  }
  return std::nullopt;
}

ApiResponse Batch(WriteContext& w, const ParsedRoute& route,
                  const std::string& attribute, std::string_view body) {
  absl::StatusOr<std::vector<BatchLine>> lines = SplitBatch(body);
  if (!lines.ok()) return ErrorResponse(413, SV(lines.status().message()));
  const char* field = KeyField(route.collection);
  std::string out;
  for (const BatchLine& line : *lines) {
    Json result = Json::object();
    result["line"] = line.number;
    auto fail = [&](const ApiError& e) {
      result["status_code"] = e.status;
      AppendErrorFields(e, &result);
    };
    absl::StatusOr<Json> doc = absl::InvalidArgumentError(kInvalidJson);
    if (line.problem == BatchLine::kTooLong) {
      fail(PlainError(413, "Line is too long."));
    } else if (line.problem == BatchLine::kEmpty) {
      fail(PlainError(400, kInvalidJson));
    } else if (!(doc = ParseRequestJson(line.text)).ok()) {
      fail(PlainError(JsonErrorHttpStatus(doc.status()), std::string(doc.status().message())));
    } else if (!doc->is_object() && !doc->is_array()) {
      fail(PlainError(400, kInvalidJson));
    } else {
      // A JSON list (a PHP array too) has no key field.
      auto key = doc->is_object() ? doc->find(field) : doc->end();
      // "Identifier", "Uuid" or "Code".
      const char* name = route.collection == Collection::kProducts       ? "Identifier"
                         : route.collection == Collection::kProductsUuid ? "Uuid"
                                                                         : "Code";
      if (key == doc->end() || key->is_null() ||
          (key->is_string() && Trim(key->get_ref<const std::string&>()).empty())) {
        fail(PlainError(422, Cat(name, " is missing.")));
      } else if (!key->is_string()) {
        fail(PlainError(422, Cat(name, " must be of type string.")));
      } else {
        std::string k = key->get<std::string>();
        result[field] = k;
        std::optional<ApiError> mismatch =
            KeyMismatch(route, attribute, k, *doc);
        if (mismatch.has_value()) {
          fail(*mismatch);
        } else {
          Outcome o = Upsert(w, route, attribute, k, *doc, false);
          if (o.status != 0) {
            result["status_code"] = o.status;
          } else {
            fail(o.error);
          }
        }
      }
    }
    if (!out.empty()) out.push_back('\n');
    out.append(DumpJson(result));
  }
  ApiResponse r;
  r.status = 200;
  r.content_type = kCollectionContentType;
  r.body = std::move(out);
  return r;
}

}  // namespace

ApiResponse HandleWrite(Store* store, std::string_view base, absl::Time now,
                        SplitMix64* rng, const ParsedRoute& route,
                        const ApiRequest& req) {
  WriteContext w{*store, base, now, *rng, req.method, route.name};
  // The parent code of a nested route: the attribute of an option, the
  // family of a variant.
  const std::string attribute = Decode(
      route.collection == Collection::kFamilyVariants ? route.family : route.attribute);
  if (route.collection == Collection::kAttributeOptions) {
    ApiResponse not_found;
    if (OptionsTable(*store, attribute, &not_found) == nullptr) return not_found;
  }
  if (route.collection == Collection::kFamilyVariants) {
    ApiResponse not_found;
    if (VariantsTable(*store, attribute, &not_found) == nullptr) return not_found;
  }
  if (route.collection == Collection::kMeasurementFamilies) {
    return PatchMeasurementFamilies(store, req.body);
  }
  if (route.collection == Collection::kMediaFiles ||
      route.collection == Collection::kCategoryMediaFiles) {
    return UploadMediaFile(
        store, base, rng, route, req,
        [&](bool model, const std::string& key,
            const Json& patch) -> std::optional<ApiError> {
          Outcome o = model ? UpsertCode(w, Collection::kProductModels, "", key,
                                         patch, /*create_only=*/false)
                            : UpsertProduct(w, /*by_uuid=*/false, key, patch,
                                            /*create_only=*/false);
          if (o.status == 0) return o.error;
          return std::nullopt;
        });
  }
  if (route.collection == Collection::kExportJobs ||
      route.collection == Collection::kImportJobs) {
    return LaunchJob(store, now,
                     route.collection == Collection::kExportJobs ? "export" : "import",
                     Decode(route.code), req.body);
  }
  if (!route.item && req.method == "PATCH") {
    return Batch(w, route, attribute, req.body);
  }
  if (req.method == "DELETE") {
    const std::string code = Decode(route.code);
    if (route.collection == Collection::kProductModels) {
      if (!DeleteProductModel(store, code)) {
        return ErrorResponse(404, NotFoundMessage(route.collection, code));
      }
      return Empty(204, "");
    }
    if (route.collection == Collection::kFamilies) {
      if (!store->families.contains(code)) {
        return ErrorResponse(404, NotFoundMessage(route.collection, code));
      }
      if (store->FamilyInUse(code)) {
        return ErrorResponse(
            422, Cat("Family \"", code,
                              "\" cannot be deleted because it is used by "
                              "products."));
      }
      store->families.erase(code);
      store->family_variants.erase(code);
      return Empty(204, "");
    }
    const Product* p = route.collection == Collection::kProducts
                           ? store->FindByIdentifier(code)
                           : store->FindByUuid(Lower(code));
    if (p == nullptr) {
      return ErrorResponse(404, NotFoundMessage(route.collection, code));
    }
    store->EraseProduct(p);
    return Empty(204, "");
  }
  absl::StatusOr<Json> body = ParseRequestObject(req.body);
  if (!body.ok()) return RequestJsonError(body.status());
  std::string key;
  if (route.item) {
    key = Decode(route.code);
    if (route.collection == Collection::kProductsUuid && !IsUuid(key)) {
      return ToResponse(ValidationFailed(
          Json::array({ValidationItem("uuid", "This is not a valid UUID.")})));
    }
    if (std::optional<ApiError> e = KeyMismatch(route, attribute, key, *body)) {
      return ToResponse(*e);
    }
  } else if (route.collection == Collection::kAttributeOptions) {
    if (std::optional<ApiError> e =
            KeyMismatch(route, attribute, StringOr(*body, "code", ""), *body)) {
      return ToResponse(*e);
    }
  }
  const bool create_only = req.method == "POST";
  Outcome o = Upsert(w, route, attribute, std::move(key), *body, create_only);
  if (o.status == 0) return ToResponse(o.error);
  return Empty(o.status, LocationOf(base, route, attribute, o.key));
}

std::string RootBody(std::string_view origin, std::string_view base_path) {
  Json body = Json::object();
  body["host"] = std::string(origin);
  body["authentication"] = Json::object();
  Json& routes = body["routes"];
  routes = Json::object();
  for (const ApiRoute& r : ApiRoutes()) {
    if (r.listing == RouteListing::kUnlisted) continue;
    Json& entry = r.listing == RouteListing::kAuthentication ? body["authentication"][r.name]
                                                             : routes[r.name];
    entry["route"] = Cat(base_path, r.root_path != nullptr ? r.root_path : r.route);
    entry["methods"] = Json::array({r.method});
  }
  return DumpJson(body);
}

}  // namespace pimsim::api::internal
