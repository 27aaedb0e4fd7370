#include "mock_pim/api/media_handlers.h"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "common/hex.h"
#include "common/url.h"
#include "mock_pim/api/multipart.h"
#include "mock_pim/api/pagination.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api::internal {
namespace {

constexpr char kApiPath[] = "/api/rest/v1/";
constexpr char kOctetStream[] = "application/octet-stream";

// A code in a path: each segment percent-encoded, the slashes kept.
std::string EncodeCode(std::string_view code) {
  std::string out;
  while (true) {
    const size_t slash = code.find('/');
    out.append(url::PercentEncode(code.substr(0, slash)));
    if (slash == std::string_view::npos) return out;
    out.push_back('/');
    code.remove_prefix(slash + 1);
  }
}

std::string MediaHref(std::string_view base, std::string_view code) {
  return Cat(base, kApiPath, "media-files/", EncodeCode(code));
}

std::string CategoryDownloadHref(std::string_view base, std::string_view code) {
  return Cat(base, kApiPath, "category-media-files/", EncodeCode(code), "/download");
}

// Akeneo's stored name of an upload: ASCII letters, digits and dots kept,
// anything else '_'.
std::string SanitizeFilename(std::string_view name) {
  std::string out;
  for (char c : name) {
    out.push_back(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ? c : '_');
  }
  return out;
}

// "a/b/c/d/<40 hex>_<filename>", the hex drawn from `rng`.
std::string NewCode(SplitMix64* rng, std::string_view filename) {
  std::string hex;
  while (hex.size() < 40) {
    uint64_t bits = rng->Next();
    for (int i = 0; i < 16 && hex.size() < 40; ++i, bits >>= 4) hex.push_back(kLowerHexDigits[bits & 15]);
  }
  return Cat(hex.substr(0, 1), "/", hex.substr(1, 1), "/", hex.substr(2, 1), "/",
             hex.substr(3, 1), "/", hex, "_", SanitizeFilename(filename));
}

ApiResponse NotFound(std::string_view code) {
  return ErrorResponse(404, Cat("Media file \"", code, "\" does not exist."));
}

// A string property of a JSON part: `required` ones must be non-empty
// strings, the others strings or null (absent: null).
std::optional<ApiResponse> StringProperty(const Json& doc, const char* key,
                                          bool required, Json* out) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) {
    if (required) return ErrorResponse(422, Cat("Property \"", key, "\" is required."));
    *out = nullptr;
    return std::nullopt;
  }
  if (!it->is_string() || (required && it->get<std::string>().empty())) {
    return ErrorResponse(422, Cat("Property \"", key, "\" expects a string, \"",
                                  PhpTypeName(*it), "\" given."));
  }
  *out = *it;
  return std::nullopt;
}

// The JSON object of a form part; the error otherwise.
std::optional<ApiResponse> PartObject(const MultipartPart& part, Json* out) {
  absl::StatusOr<Json> doc = ParseRequestObject(part.body);
  if (!doc.ok()) return RequestJsonError(doc.status());
  *out = *std::move(doc);
  return std::nullopt;
}

}  // namespace

ApiResponse ReadMediaFile(const Store& store, std::string_view base,
                          const ParsedRoute& route) {
  const bool category = route.collection == Collection::kCategoryMediaFiles;
  const MediaTable& table = category ? store.category_media_files : store.media_files;
  const std::string code = url::PercentDecode(route.code, /*plus_as_space=*/false);
  auto it = table.find(code);
  if (it == table.end()) return NotFound(code);
  if (route.download) {
    ApiResponse r;
    r.status = 200;
    r.content_type = it->second.mime_type;
    r.body = it->second.bytes;
    return r;
  }
  const std::string self = MediaHref(base, code);
  std::string body;
  AppendItemWithLinks(self, Cat(self, "/download"), it->second.json, &body);
  return JsonResponse(200, std::move(body));
}

void AddMediaFile(PageBuilder* page, std::string_view base, std::string_view code,
                  const MediaFile& file) {
  const std::string self = MediaHref(base, code);
  page->AddItem(self, file.json, Cat(self, "/download"));
}

ApiResponse UploadMediaFile(Store* store, std::string_view base,
                            SplitMix64* rng, const ParsedRoute& route,
                            const ApiRequest& req, const SetValues& set_values) {
  const bool category = route.collection == Collection::kCategoryMediaFiles;
  absl::StatusOr<std::string> boundary = MultipartBoundary(req.content_type);
  if (!boundary.ok()) return ErrorResponse(400, SV(boundary.status().message()));
  absl::StatusOr<std::vector<MultipartPart>> parts = ParseMultipart(req.body, *boundary);
  if (!parts.ok()) {
    return ErrorResponse(
        parts.status().code() == absl::StatusCode::kResourceExhausted ? 413 : 400,
        SV(parts.status().message()));
  }
  const MultipartPart* file = FindPart(*parts, "file");
  if (file == nullptr || !file->filename.has_value() || file->filename->empty()) {
    return ErrorResponse(422, "Property \"file\" is required.");
  }
  Json owner;
  Json attribute, locale, scope;
  std::string key;
  bool model = false;
  if (category) {
    const MultipartPart* part = FindPart(*parts, "category");
    if (part == nullptr) return ErrorResponse(422, "Property \"category\" is required.");
    if (auto e = PartObject(*part, &owner)) return *e;
    Json code;
    if (auto e = StringProperty(owner, "code", true, &code)) return *e;
    if (auto e = StringProperty(owner, "attribute_code", true, &attribute)) return *e;
    if (auto e = StringProperty(owner, "channel", false, &scope)) return *e;
    if (auto e = StringProperty(owner, "locale", false, &locale)) return *e;
    key = code.get<std::string>();
    if (!store->categories.contains(key)) {
      return ErrorResponse(422, Cat("Category \"", key, "\" does not exist."));
    }
  } else {
    const MultipartPart* product = FindPart(*parts, "product");
    const MultipartPart* product_model = FindPart(*parts, "product_model");
    if ((product == nullptr) == (product_model == nullptr)) {
      return ErrorResponse(
          422,
          "You should give either a \"product\" or a \"product_model\" key.");
    }
    model = product_model != nullptr;
    if (auto e = PartObject(model ? *product_model : *product, &owner)) return *e;
    Json id;
    if (auto e = StringProperty(owner, model ? "code" : "identifier", true, &id)) return *e;
    if (auto e = StringProperty(owner, "attribute", true, &attribute)) return *e;
    if (auto e = StringProperty(owner, "scope", false, &scope)) return *e;
    if (auto e = StringProperty(owner, "locale", false, &locale)) return *e;
    key = id.get<std::string>();
    if (model ? !store->product_models.contains(key)
              : store->FindByIdentifier(key) == nullptr) {
      return ErrorResponse(422, Cat(model ? "Product model \"" : "Product \"", key,
                                    "\" does not exist."));
    }
    auto attr = store->attributes.find(attribute.get<std::string>());
    const std::string type =
        attr == store->attributes.end() ? "" : StringOr(attr->second.doc, "type");
    if (attr != store->attributes.end() && type != kImageType && type != kFileType) {
      return ErrorResponse(
          422, Cat("The attribute \"", attribute.get<std::string>(),
                   "\" is not a media attribute (pim_catalog_image or pim_catalog_file)."));
    }
  }
  if (store->media_bytes + file->body.size() > kMaxMediaBytes) {
    return ErrorResponse(413, Cat("The media files exceed ", kMaxMediaBytes,
                                  " bytes, the maximum this instance holds."));
  }
  MediaTable& table = category ? store->category_media_files : store->media_files;
  std::string code = NewCode(rng, *file->filename);
  while (table.contains(code)) code = NewCode(rng, *file->filename);
  if (!category) {
    Json entry = Json::object();
    entry["locale"] = locale;
    entry["scope"] = scope;
    entry["data"] = code;
    Json patch = Json::object();
    patch["values"][attribute.get<std::string>()] = Json::array({entry});
    if (std::optional<ApiError> e = set_values(model, key, patch)) return ToResponse(*e);
  }
  MediaFile media;
  media.original_filename = *file->filename;
  media.mime_type = file->content_type.empty() ? kOctetStream : file->content_type;
  media.bytes = std::string(file->body);
  const size_t dot = media.original_filename.rfind('.');
  Json meta = Json::object();
  meta["code"] = code;
  meta["original_filename"] = media.original_filename;
  meta["mime_type"] = media.mime_type;
  meta["size"] = media.bytes.size();
  meta["extension"] =
      dot == std::string::npos ? "" : media.original_filename.substr(dot + 1);
  media.json = DumpJson(meta);
  store->media_bytes += media.bytes.size();
  ApiResponse r;
  r.status = 201;
  r.location = category ? CategoryDownloadHref(base, code) : MediaHref(base, code);
  table.emplace(std::move(code), std::move(media));
  return r;
}

}  // namespace pimsim::api::internal
