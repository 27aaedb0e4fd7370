// Routing of Akeneo API paths: which resource a path names, which methods it
// allows, and the cheap classification (RouteKind) that the latency model,
// the limiter and the journal use for every request.
//
// Parsing works on string_views into the request: no allocation, no regex.
// Path segments are returned still percent-encoded.
//
// Thread-safety: pure functions.
//
//   Route r = Classify("GET", "/api/rest/v1/products/sku1", "");
//   // r.kind == RouteKind::kGetItem, r.name == "/api/rest/v1/products/{code}"
#ifndef PIMSIM_MOCK_PIM_API_ROUTER_H_
#define PIMSIM_MOCK_PIM_API_ROUTER_H_

#include <string_view>

#include "absl/types/span.h"

namespace pimsim::api {

// Mirrors pimsim.v1.RouteKind.
enum class RouteKind { kToken, kGetItem, kList, kWriteItem, kBatch, kOther };

struct Route {
  RouteKind kind = RouteKind::kOther;
  // Stable route template: "/api/rest/v1/products/{code}",
  // "/api/oauth/v1/token", "/api/rest/v1", or "unknown".
  const char* name = "unknown";
  // False only for the token route and GET /api/rest/v1.
  bool needs_auth = true;
  // POST/PATCH (single or batch) on /attributes/{code}/options[/{code}].
  bool attribute_option_write = false;
  // Batch PATCH: lines in the body (see CountBatchLines), or items of a
  // JSON-array batch (CountJsonArrayItems); 0 otherwise.
  int batch_lines = 0;
};

// Classifies a request. A method the route does not allow gives kOther.
Route Classify(std::string_view method, std::string_view path,
               std::string_view body);

enum class Collection {
  kNone,  // unknown path
  kToken,
  kRoot,
  kProducts,
  kProductsUuid,
  kAttributes,
  kAttributeOptions,
  kFamilies,
  kCategories,
  kChannels,
  kLocales,
  kAssociationTypes,
  kAttributeGroups,
  kCurrencies,           // read-only
  kMeasureFamilies,      // read-only, the legacy measure API
  kMeasurementFamilies,  // GET list (no item route) and PATCH of a JSON array
  kSystemInformation,    // one GET-only resource: `item` with no code
  kFamilyVariants,       // families/{family_code}/variants[/{code}]
  kProductModels,        // product-models[/{code}]
  kExportJobs,           // jobs/export/{code}: POST launches the profile
  kImportJobs,           // jobs/import/{code}
  // media-files[/{code}[/download]]; a code holds slashes ("7/5/8/e/...").
  kMediaFiles,
  // category-media-files (POST) and category-media-files/{file_path}/download.
  kCategoryMediaFiles,
};

struct ParsedRoute {
  Collection collection = Collection::kNone;
  bool item = false;           // ".../{code}" rather than the collection
  std::string_view code;       // item code, percent-encoded
  std::string_view attribute;  // attribute code of an option route, encoded
  std::string_view family;     // family code of a variant route, encoded
  const char* name = "unknown";
  const char* allow = "";      // allowed methods, "GET, PATCH"
  bool method_allowed = false;
  // The collection PATCH takes a JSON array with Content-Type
  // application/json instead of NDJSON (measurement-families).
  bool array_body = false;
  // POST /products-uuid/search: a list whose parameters come in a JSON body.
  bool search = false;
  // GET of a media file's bytes (.../{code}/download), not JSON.
  bool download = false;
};

ParsedRoute ParseRoute(std::string_view method, std::string_view path);

// Where the API root (GET /api/rest/v1) lists a route.
enum class RouteListing {
  kRoutes,          // under "routes"
  kAuthentication,  // under "authentication" (the token route)
  kUnlisted,        // not at all (the root itself)
};

// One route (template and method) the API serves, as Akeneo's API root
// names it.
struct ApiRoute {
  const char* name;    // Akeneo's route name: "pim_api_product_list"
  const char* route;   // the router's template (ParsedRoute::name)
  const char* method;  // "GET"
  // The path the API root shows where Akeneo's placeholder is spelt
  // otherwise ("{attributeCode}"); nullptr: `route`.
  const char* root_path = nullptr;
  RouteListing listing = RouteListing::kRoutes;
};

// Every route the API serves, in the API root's order: the one table that
// the router's method checks and Allow headers (AllowedMethods) and the API
// root's route list are derived from. router_test checks that ParseRoute
// names and admits every entry and nothing else.
absl::Span<const ApiRoute> ApiRoutes();

// The methods of a route template, in table order, ", "-separated:
// "GET, PATCH, DELETE" (what a 405's Allow header says); "" for a template
// with none. The pointer stays valid for the life of the process.
const char* AllowedMethods(std::string_view route);

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_ROUTER_H_
