#include "mock_pim/api/router.h"

#include "mock_pim/api/batch_parser.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api {
namespace {

constexpr std::string_view kApiPrefix = "/api/rest/v1";

struct CollectionInfo {
  std::string_view segment;
  Collection collection;
  const char* list_name;
  const char* item_name;  // nullptr: the collection has no item routes
  const char* list_allow;
  const char* item_allow;
  // The path names one resource, not a list (system-information).
  bool singleton = false;
  // Its collection PATCH takes a JSON array (measurement-families).
  bool array_body = false;
};

constexpr CollectionInfo kCollections[] = {
    {"products", Collection::kProducts, "/api/rest/v1/products",
     "/api/rest/v1/products/{code}", "GET, POST, PATCH", "GET, PATCH, DELETE"},
    {"products-uuid", Collection::kProductsUuid, "/api/rest/v1/products-uuid",
     "/api/rest/v1/products-uuid/{uuid}", "GET, POST, PATCH",
     "GET, PATCH, DELETE"},
    {"attributes", Collection::kAttributes, "/api/rest/v1/attributes",
     "/api/rest/v1/attributes/{code}", "GET, POST, PATCH", "GET, PATCH"},
    {"families", Collection::kFamilies, "/api/rest/v1/families",
     "/api/rest/v1/families/{code}", "GET, POST, PATCH", "GET, PATCH, DELETE"},
    {"categories", Collection::kCategories, "/api/rest/v1/categories",
     "/api/rest/v1/categories/{code}", "GET, POST, PATCH", "GET, PATCH"},
    {"channels", Collection::kChannels, "/api/rest/v1/channels",
     "/api/rest/v1/channels/{code}", "GET, POST, PATCH", "GET, PATCH"},
    {"locales", Collection::kLocales, "/api/rest/v1/locales",
     "/api/rest/v1/locales/{code}", "GET", "GET"},
    {"product-models", Collection::kProductModels, "/api/rest/v1/product-models",
     "/api/rest/v1/product-models/{code}", "GET, POST, PATCH",
     "GET, PATCH, DELETE"},
    {"association-types", Collection::kAssociationTypes,
     "/api/rest/v1/association-types", "/api/rest/v1/association-types/{code}",
     "GET, POST, PATCH", "GET, PATCH"},
    {"attribute-groups", Collection::kAttributeGroups,
     "/api/rest/v1/attribute-groups", "/api/rest/v1/attribute-groups/{code}",
     "GET, POST, PATCH", "GET, PATCH"},
    {"currencies", Collection::kCurrencies, "/api/rest/v1/currencies",
     "/api/rest/v1/currencies/{code}", "GET", "GET"},
    {"measure-families", Collection::kMeasureFamilies,
     "/api/rest/v1/measure-families", "/api/rest/v1/measure-families/{code}",
     "GET", "GET"},
    {"measurement-families", Collection::kMeasurementFamilies,
     "/api/rest/v1/measurement-families", nullptr, "GET, PATCH", "",
     /*singleton=*/false, /*array_body=*/true},
    {"system-information", Collection::kSystemInformation,
     "/api/rest/v1/system-information", nullptr, "GET", "",
     /*singleton=*/true},
};

// True if `method` is one of the ", "-separated `allow` list; HEAD goes
// wherever GET does.
bool Allows(std::string_view allow, std::string_view method) {
  if (method == "HEAD") method = "GET";
  while (!allow.empty()) {
    const size_t comma = allow.find(',');
    const std::string_view m = allow.substr(0, comma);
    if (m == method) return true;
    if (comma == std::string_view::npos) break;
    allow.remove_prefix(comma + 2);
  }
  return false;
}

// Splits off the next "/segment"; false if `rest` does not start with '/' or
// the segment is empty.
bool NextSegment(std::string_view* rest, std::string_view* segment) {
  if (rest->empty() || (*rest)[0] != '/') return false;
  const size_t end = rest->find('/', 1);
  *segment = rest->substr(1, end == std::string_view::npos ? end : end - 1);
  rest->remove_prefix(end == std::string_view::npos ? rest->size() : end);
  return !segment->empty();
}

}  // namespace

ParsedRoute ParseRoute(std::string_view method, std::string_view path) {
  ParsedRoute r;
  if (path == "/api/oauth/v1/token") {
    r.collection = Collection::kToken;
    r.name = "/api/oauth/v1/token";
    r.allow = "POST";
    r.method_allowed = method == "POST";
    return r;
  }
  if (path.substr(0, kApiPrefix.size()) != kApiPrefix) return r;
  std::string_view rest = path.substr(kApiPrefix.size());
  if (rest.empty() || rest == "/") {
    r.collection = Collection::kRoot;
    r.name = "/api/rest/v1";
    r.allow = "GET";
    r.method_allowed = Allows(r.allow, method);
    return r;
  }
  std::string_view first;
  if (!NextSegment(&rest, &first)) return r;
  if (first == "media-files" || first == "category-media-files") {
    // The code is the rest of the path, slashes included.
    const bool product_media = first == "media-files";
    r.collection =
        product_media ? Collection::kMediaFiles : Collection::kCategoryMediaFiles;
    constexpr std::string_view kDownload = "/download";
    if (rest.empty()) {
      r.name = product_media ? "/api/rest/v1/media-files"
                             : "/api/rest/v1/category-media-files";
      r.allow = product_media ? "GET, POST" : "POST";
    } else if (rest.size() > kDownload.size() + 1 && EndsWith(rest, kDownload)) {
      r.item = true;
      r.download = true;
      r.code = rest.substr(1, rest.size() - 1 - kDownload.size());
      r.name = product_media
                   ? "/api/rest/v1/media-files/{code}/download"
                   : "/api/rest/v1/category-media-files/{file_path}/download";
      r.allow = "GET";
    } else if (product_media && rest.size() > 1) {
      r.item = true;
      r.code = rest.substr(1);
      r.name = "/api/rest/v1/media-files/{code}";
      r.allow = "GET";
    } else {
      return ParsedRoute();
    }
    if (r.code.find("//") != std::string_view::npos || StartsWith(r.code, "/") ||
        EndsWith(r.code, "/")) {
      return ParsedRoute();
    }
    r.method_allowed = Allows(r.allow, method);
    return r;
  }
  if (first == "jobs") {
    std::string_view type, code;
    if (!NextSegment(&rest, &type) || !NextSegment(&rest, &code) ||
        !rest.empty() || (type != "export" && type != "import")) {
      return r;
    }
    const bool export_job = type == "export";
    r.collection = export_job ? Collection::kExportJobs : Collection::kImportJobs;
    r.item = true;
    r.code = code;
    r.name = export_job ? "/api/rest/v1/jobs/export/{code}"
                        : "/api/rest/v1/jobs/import/{code}";
    r.allow = "POST";
    r.method_allowed = Allows(r.allow, method);
    return r;
  }
  const CollectionInfo* info = nullptr;
  for (const CollectionInfo& c : kCollections) {
    if (c.segment == first) {
      info = &c;
      break;
    }
  }
  if (info == nullptr) return r;
  if (rest.empty()) {
    r.collection = info->collection;
    r.item = info->singleton;
    r.array_body = info->array_body;
    r.name = info->list_name;
    r.allow = info->list_allow;
  } else if (info->item_name == nullptr) {
    return r;
  } else {
    std::string_view code;
    if (!NextSegment(&rest, &code)) return r;
    if (rest.empty() && info->collection == Collection::kProductsUuid &&
        code == "search") {
      // No uuid is "search": the list searched with a body.
      r.collection = info->collection;
      r.search = true;
      r.name = "/api/rest/v1/products-uuid/search";
      r.allow = "POST";
    } else if (rest.empty()) {
      r.collection = info->collection;
      r.item = true;
      r.code = code;
      r.name = info->item_name;
      r.allow = info->item_allow;
    } else {
      std::string_view options, option_code;
      if (!NextSegment(&rest, &options)) return ParsedRoute();
      if (info->collection == Collection::kFamilies && options == "variants") {
        r.collection = Collection::kFamilyVariants;
        r.family = code;
        if (rest.empty()) {
          r.name = "/api/rest/v1/families/{family_code}/variants";
          r.allow = "GET, POST, PATCH";
        } else if (NextSegment(&rest, &option_code) && rest.empty()) {
          r.item = true;
          r.code = option_code;
          r.name = "/api/rest/v1/families/{family_code}/variants/{code}";
          r.allow = "GET, PATCH";
        } else {
          return ParsedRoute();
        }
        r.method_allowed = Allows(r.allow, method);
        return r;
      }
      if (info->collection != Collection::kAttributes || options != "options") {
        return ParsedRoute();
      }
      r.collection = Collection::kAttributeOptions;
      r.attribute = code;
      if (rest.empty()) {
        r.name = "/api/rest/v1/attributes/{attribute_code}/options";
        r.allow = "GET, POST, PATCH";
      } else if (NextSegment(&rest, &option_code) && rest.empty()) {
        r.item = true;
        r.code = option_code;
        r.name = "/api/rest/v1/attributes/{attribute_code}/options/{code}";
        r.allow = "GET, PATCH";
      } else {
        return ParsedRoute();
      }
    }
  }
  r.method_allowed = Allows(r.allow, method);
  return r;
}

Route Classify(std::string_view method, std::string_view path,
               std::string_view body) {
  const ParsedRoute p = ParseRoute(method, path);
  Route r;
  r.name = p.name;
  switch (p.collection) {
    case Collection::kNone:
      return r;
    case Collection::kToken:
      r.needs_auth = false;
      if (p.method_allowed) r.kind = RouteKind::kToken;
      return r;
    case Collection::kRoot:
      r.needs_auth = !p.method_allowed;
      return r;
    default:
      break;
  }
  if (!p.method_allowed) return r;
  const bool get = method == "GET" || method == "HEAD";
  if (p.search) {
    r.kind = RouteKind::kList;
  } else if (p.item) {
    r.kind = get ? RouteKind::kGetItem : RouteKind::kWriteItem;
  } else if (get) {
    r.kind = RouteKind::kList;
  } else if (method == "PATCH") {
    r.kind = RouteKind::kBatch;
    r.batch_lines = static_cast<int>(p.array_body ? CountJsonArrayItems(body)
                                                  : CountBatchLines(body));
  } else {
    r.kind = RouteKind::kWriteItem;
  }
  r.attribute_option_write = p.collection == Collection::kAttributeOptions &&
                             (method == "POST" || method == "PATCH");
  return r;
}

}  // namespace pimsim::api
