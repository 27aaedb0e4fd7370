#include "mock_pim/api/router.h"

#include <array>
#include <iterator>
#include <string>

#include "absl/container/flat_hash_map.h"

#include "mock_pim/api/batch_parser.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api {
namespace {

constexpr std::string_view kApiPrefix = "/api/rest/v1";

constexpr ApiRoute kApiRoutes[] = {
    {"fos_oauth_server_token", "/api/oauth/v1/token", "POST", nullptr, RouteListing::kAuthentication},
    {"pim_api_root", "/api/rest/v1", "GET", nullptr, RouteListing::kUnlisted},
    {"pim_api_product_list", "/api/rest/v1/products", "GET"},
    {"pim_api_product_create", "/api/rest/v1/products", "POST"},
    {"pim_api_product_partial_update_list", "/api/rest/v1/products", "PATCH"},
    {"pim_api_product_get", "/api/rest/v1/products/{code}", "GET"},
    {"pim_api_product_partial_update", "/api/rest/v1/products/{code}", "PATCH"},
    {"pim_api_product_delete", "/api/rest/v1/products/{code}", "DELETE"},
    {"pim_api_product_uuid_list", "/api/rest/v1/products-uuid", "GET"},
    {"pim_api_product_uuid_create", "/api/rest/v1/products-uuid", "POST"},
    {"pim_api_product_uuid_partial_update_list", "/api/rest/v1/products-uuid", "PATCH"},
    {"pim_api_product_uuid_get", "/api/rest/v1/products-uuid/{uuid}", "GET"},
    {"pim_api_product_uuid_partial_update", "/api/rest/v1/products-uuid/{uuid}", "PATCH"},
    {"pim_api_product_uuid_delete", "/api/rest/v1/products-uuid/{uuid}", "DELETE"},
    {"pim_api_product_uuid_search", "/api/rest/v1/products-uuid/search", "POST"},
    {"pim_api_attribute_list", "/api/rest/v1/attributes", "GET"},
    {"pim_api_attribute_create", "/api/rest/v1/attributes", "POST"},
    {"pim_api_attribute_partial_update_list", "/api/rest/v1/attributes", "PATCH"},
    {"pim_api_attribute_get", "/api/rest/v1/attributes/{code}", "GET"},
    {"pim_api_attribute_partial_update", "/api/rest/v1/attributes/{code}", "PATCH"},
    {"pim_api_attribute_option_list", "/api/rest/v1/attributes/{attribute_code}/options", "GET",
     "/api/rest/v1/attributes/{attributeCode}/options"},
    {"pim_api_attribute_option_create", "/api/rest/v1/attributes/{attribute_code}/options", "POST",
     "/api/rest/v1/attributes/{attributeCode}/options"},
    {"pim_api_attribute_option_partial_update_list", "/api/rest/v1/attributes/{attribute_code}/options", "PATCH",
     "/api/rest/v1/attributes/{attributeCode}/options"},
    {"pim_api_attribute_option_get", "/api/rest/v1/attributes/{attribute_code}/options/{code}", "GET",
     "/api/rest/v1/attributes/{attributeCode}/options/{code}"},
    {"pim_api_attribute_option_partial_update", "/api/rest/v1/attributes/{attribute_code}/options/{code}", "PATCH",
     "/api/rest/v1/attributes/{attributeCode}/options/{code}"},
    {"pim_api_family_list", "/api/rest/v1/families", "GET"},
    {"pim_api_family_create", "/api/rest/v1/families", "POST"},
    {"pim_api_family_partial_update_list", "/api/rest/v1/families", "PATCH"},
    {"pim_api_family_get", "/api/rest/v1/families/{code}", "GET"},
    {"pim_api_family_partial_update", "/api/rest/v1/families/{code}", "PATCH"},
    {"pim_api_family_delete", "/api/rest/v1/families/{code}", "DELETE"},
    {"pim_api_category_list", "/api/rest/v1/categories", "GET"},
    {"pim_api_category_create", "/api/rest/v1/categories", "POST"},
    {"pim_api_category_partial_update_list", "/api/rest/v1/categories", "PATCH"},
    {"pim_api_category_get", "/api/rest/v1/categories/{code}", "GET"},
    {"pim_api_category_partial_update", "/api/rest/v1/categories/{code}", "PATCH"},
    {"pim_api_channel_list", "/api/rest/v1/channels", "GET"},
    {"pim_api_channel_create", "/api/rest/v1/channels", "POST"},
    {"pim_api_channel_partial_update_list", "/api/rest/v1/channels", "PATCH"},
    {"pim_api_channel_get", "/api/rest/v1/channels/{code}", "GET"},
    {"pim_api_channel_partial_update", "/api/rest/v1/channels/{code}", "PATCH"},
    {"pim_api_locale_list", "/api/rest/v1/locales", "GET"},
    {"pim_api_locale_get", "/api/rest/v1/locales/{code}", "GET"},
    {"pim_api_product_model_list", "/api/rest/v1/product-models", "GET"},
    {"pim_api_product_model_create", "/api/rest/v1/product-models", "POST"},
    {"pim_api_product_model_partial_update_list", "/api/rest/v1/product-models", "PATCH"},
    {"pim_api_product_model_get", "/api/rest/v1/product-models/{code}", "GET"},
    {"pim_api_product_model_partial_update", "/api/rest/v1/product-models/{code}", "PATCH"},
    {"pim_api_product_model_delete", "/api/rest/v1/product-models/{code}", "DELETE"},
    {"pim_api_association_type_list", "/api/rest/v1/association-types", "GET"},
    {"pim_api_association_type_create", "/api/rest/v1/association-types", "POST"},
    {"pim_api_association_type_partial_update_list", "/api/rest/v1/association-types", "PATCH"},
    {"pim_api_association_type_get", "/api/rest/v1/association-types/{code}", "GET"},
    {"pim_api_association_type_partial_update", "/api/rest/v1/association-types/{code}", "PATCH"},
    {"pim_api_attribute_group_list", "/api/rest/v1/attribute-groups", "GET"},
    {"pim_api_attribute_group_create", "/api/rest/v1/attribute-groups", "POST"},
    {"pim_api_attribute_group_partial_update_list", "/api/rest/v1/attribute-groups", "PATCH"},
    {"pim_api_attribute_group_get", "/api/rest/v1/attribute-groups/{code}", "GET"},
    {"pim_api_attribute_group_partial_update", "/api/rest/v1/attribute-groups/{code}", "PATCH"},
    {"pim_api_currency_list", "/api/rest/v1/currencies", "GET"},
    {"pim_api_currency_get", "/api/rest/v1/currencies/{code}", "GET"},
    {"pim_api_measure_family_list", "/api/rest/v1/measure-families", "GET"},
    {"pim_api_measure_family_get", "/api/rest/v1/measure-families/{code}", "GET"},
    {"pim_api_measurement_family_get", "/api/rest/v1/measurement-families", "GET"},
    {"pim_api_measurement_family_partial_update_list", "/api/rest/v1/measurement-families", "PATCH"},
    {"pim_api_system_information_get", "/api/rest/v1/system-information", "GET"},
    {"pim_api_family_variant_list", "/api/rest/v1/families/{family_code}/variants", "GET",
     "/api/rest/v1/families/{familyCode}/variants"},
    {"pim_api_family_variant_create", "/api/rest/v1/families/{family_code}/variants", "POST",
     "/api/rest/v1/families/{familyCode}/variants"},
    {"pim_api_family_variant_partial_update_list", "/api/rest/v1/families/{family_code}/variants", "PATCH",
     "/api/rest/v1/families/{familyCode}/variants"},
    {"pim_api_family_variant_get", "/api/rest/v1/families/{family_code}/variants/{code}", "GET",
     "/api/rest/v1/families/{familyCode}/variants/{code}"},
    {"pim_api_family_variant_partial_update", "/api/rest/v1/families/{family_code}/variants/{code}", "PATCH",
     "/api/rest/v1/families/{familyCode}/variants/{code}"},
    {"pim_api_media_file_list", "/api/rest/v1/media-files", "GET"},
    {"pim_api_media_file_create", "/api/rest/v1/media-files", "POST"},
    {"pim_api_media_file_get", "/api/rest/v1/media-files/{code}", "GET"},
    {"pim_api_media_file_download", "/api/rest/v1/media-files/{code}/download", "GET"},
    {"pim_api_category_media_file_create", "/api/rest/v1/category-media-files", "POST"},
    {"pim_api_category_media_file_download", "/api/rest/v1/category-media-files/{file_path}/download", "GET",
     "/api/rest/v1/category-media-files/{filePath}/download"},
    {"pim_api_job_export_launch", "/api/rest/v1/jobs/export/{code}", "POST"},
    {"pim_api_job_import_launch", "/api/rest/v1/jobs/import/{code}", "POST"},
};

struct CollectionInfo {
  std::string_view segment;
  Collection collection;
  const char* list_name;
  const char* item_name;  // nullptr: the collection has no item routes
  // The path names one resource, not a list (system-information).
  bool singleton = false;
  // Its collection PATCH takes a JSON array (measurement-families).
  bool array_body = false;
};

constexpr CollectionInfo kCollections[] = {
    {"products", Collection::kProducts, "/api/rest/v1/products",
     "/api/rest/v1/products/{code}"},
    {"products-uuid", Collection::kProductsUuid, "/api/rest/v1/products-uuid",
     "/api/rest/v1/products-uuid/{uuid}"},
    {"attributes", Collection::kAttributes, "/api/rest/v1/attributes",
     "/api/rest/v1/attributes/{code}"},
    {"families", Collection::kFamilies, "/api/rest/v1/families",
     "/api/rest/v1/families/{code}"},
    {"categories", Collection::kCategories, "/api/rest/v1/categories",
     "/api/rest/v1/categories/{code}"},
    {"channels", Collection::kChannels, "/api/rest/v1/channels",
     "/api/rest/v1/channels/{code}"},
    {"locales", Collection::kLocales, "/api/rest/v1/locales",
     "/api/rest/v1/locales/{code}"},
    {"product-models", Collection::kProductModels, "/api/rest/v1/product-models",
     "/api/rest/v1/product-models/{code}"},
    {"association-types", Collection::kAssociationTypes,
     "/api/rest/v1/association-types", "/api/rest/v1/association-types/{code}"},
    {"attribute-groups", Collection::kAttributeGroups,
     "/api/rest/v1/attribute-groups", "/api/rest/v1/attribute-groups/{code}"},
    {"currencies", Collection::kCurrencies, "/api/rest/v1/currencies",
     "/api/rest/v1/currencies/{code}"},
    {"measure-families", Collection::kMeasureFamilies,
     "/api/rest/v1/measure-families", "/api/rest/v1/measure-families/{code}"},
    {"measurement-families", Collection::kMeasurementFamilies,
     "/api/rest/v1/measurement-families", nullptr,
     /*singleton=*/false, /*array_body=*/true},
    {"system-information", Collection::kSystemInformation,
     "/api/rest/v1/system-information", nullptr,
     /*singleton=*/true},
};

// The Allow lists of kCollections, derived from kApiRoutes once.
struct CollectionAllow {
  const char* list = "";
  const char* item = "";
};
const std::array<CollectionAllow, std::size(kCollections)>& CollectionAllows() {
  static const auto* const allows = [] {
    auto* out = new std::array<CollectionAllow, std::size(kCollections)>();
    for (size_t i = 0; i < std::size(kCollections); ++i) {
      (*out)[i].list = AllowedMethods(kCollections[i].list_name);
      if (kCollections[i].item_name != nullptr) {
        (*out)[i].item = AllowedMethods(kCollections[i].item_name);
      }
    }
    return out;
  }();
  return *allows;
}

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

absl::Span<const ApiRoute> ApiRoutes() { return kApiRoutes; }

const char* AllowedMethods(std::string_view route) {
  static const auto* const by_route = [] {
    auto* out = new absl::flat_hash_map<std::string_view, std::string>();
    for (const ApiRoute& r : kApiRoutes) {
      std::string& allow = (*out)[r.route];
      if (!allow.empty()) allow.append(", ");
      allow.append(r.method);
    }
    return out;
  }();
  auto it = by_route->find(route);
  return it == by_route->end() ? "" : it->second.c_str();
}

ParsedRoute ParseRoute(std::string_view method, std::string_view path) {
  ParsedRoute r;
  if (path == "/api/oauth/v1/token") {
    r.collection = Collection::kToken;
    r.name = "/api/oauth/v1/token";
    r.allow = AllowedMethods(r.name);
    r.method_allowed = method == "POST";
    return r;
  }
  if (path.substr(0, kApiPrefix.size()) != kApiPrefix) return r;
  std::string_view rest = path.substr(kApiPrefix.size());
  if (rest.empty() || rest == "/") {
    r.collection = Collection::kRoot;
    r.name = "/api/rest/v1";
    r.allow = AllowedMethods(r.name);
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
    } else if (rest.size() > kDownload.size() + 1 && EndsWith(rest, kDownload)) {
      r.item = true;
      r.download = true;
      r.code = rest.substr(1, rest.size() - 1 - kDownload.size());
      r.name = product_media
                   ? "/api/rest/v1/media-files/{code}/download"
                   : "/api/rest/v1/category-media-files/{file_path}/download";
    } else if (product_media && rest.size() > 1) {
      r.item = true;
      r.code = rest.substr(1);
      r.name = "/api/rest/v1/media-files/{code}";
    } else {
      return ParsedRoute();
    }
    if (r.code.find("//") != std::string_view::npos || StartsWith(r.code, "/") ||
        EndsWith(r.code, "/")) {
      return ParsedRoute();
    }
    r.allow = AllowedMethods(r.name);
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
    r.allow = AllowedMethods(r.name);
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
    r.allow = CollectionAllows()[info - kCollections].list;
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
      r.allow = AllowedMethods(r.name);
    } else if (rest.empty()) {
      r.collection = info->collection;
      r.item = true;
      r.code = code;
      r.name = info->item_name;
      r.allow = CollectionAllows()[info - kCollections].item;
    } else {
      std::string_view options, option_code;
      if (!NextSegment(&rest, &options)) return ParsedRoute();
      if (info->collection == Collection::kFamilies && options == "variants") {
        r.collection = Collection::kFamilyVariants;
        r.family = code;
        if (rest.empty()) {
          r.name = "/api/rest/v1/families/{family_code}/variants";
          r.allow = AllowedMethods(r.name);
        } else if (NextSegment(&rest, &option_code) && rest.empty()) {
          r.item = true;
          r.code = option_code;
          r.name = "/api/rest/v1/families/{family_code}/variants/{code}";
          r.allow = AllowedMethods(r.name);
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
        r.allow = AllowedMethods(r.name);
      } else if (NextSegment(&rest, &option_code) && rest.empty()) {
        r.item = true;
        r.code = option_code;
        r.name = "/api/rest/v1/attributes/{attribute_code}/options/{code}";
        r.allow = AllowedMethods(r.name);
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
