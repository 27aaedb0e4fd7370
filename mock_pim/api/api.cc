#include "mock_pim/api/api.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "mock_pim/api/handlers.h"
#include "mock_pim/api/model.h"
#include "mock_pim/api/seed.h"
#include "mock_pim/api/store.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api {
namespace {

// The media type of a header value: lowercase, without parameters.
std::string_view MediaType(std::string_view value, std::string* storage) {
  value = value.substr(0, value.find(';'));
  value = Trim(value);
  for (char c : value) {
    if (absl::ascii_isupper(static_cast<unsigned char>(c))) {
      *storage = Lower(value);
      return *storage;
    }
  }
  return value;
}

// True if an Accept header admits JSON (or, for batches, the collection
// type). An absent header admits anything.
bool AcceptsJson(std::string_view accept, bool batch) {
  if (Trim(accept).empty()) return true;
  while (true) {
    const size_t comma = accept.find(',');
    std::string storage;
    const std::string_view type = MediaType(accept.substr(0, comma), &storage);
    if (type == "*/*" || type == "application/*" ||
        type == "application/json" ||
        (batch && type == kCollectionContentType)) {
      return true;
    }
    if (comma == std::string_view::npos) return false;
    accept.remove_prefix(comma + 1);
  }
}

// The 415 for a POST or PATCH whose Content-Type is not `expected`, if any.
std::optional<ApiResponse> CheckContentType(std::string_view content_type,
                                            std::string_view expected) {
  std::string storage;
  const std::string_view type = MediaType(content_type, &storage);
  if (type.empty()) {
    return ErrorResponse(
        415, Cat("The \"Content-Type\" header is missing. \"", expected,
                 "\" has to be specified as value."));
  }
  if (type == expected) return std::nullopt;
  return ErrorResponse(
      415, Cat("\"", Trim(content_type),
                        "\" in \"Content-Type\" header is not valid. Only \"",
                        expected, "\" is allowed."));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Api>> Api::Create(
    std::string base_url_path, const pimsim::v1::SeedData& seed,
    uint64_t rng_seed) {
  if (absl::Status s = ValidateSeedData(seed); !s.ok()) return s;
  if (!base_url_path.empty() &&
      (base_url_path[0] != '/' || base_url_path.back() == '/')) {
    return absl::InvalidArgumentError(Cat(
        "base_url_path must be empty or \"/name\", got \"", base_url_path,
        "\""));
  }
  return std::unique_ptr<Api>(new Api(std::move(base_url_path), seed, rng_seed));
}

Api::Api(std::string base_url_path, const pimsim::v1::SeedData& seed,
         uint64_t rng_seed)
    : base_(std::move(base_url_path)),
      seed_(seed),
      rng_seed_(rng_seed),
      store_(NewSeededStore()),
      // A different stream from the seed data's, so created products do not
      // reuse seeded uuids.
      uuid_rng_state_(rng_seed ^ 0x5DEECE66DULL) {}

Api::~Api() = default;

std::unique_ptr<Store> Api::NewSeededStore() const {
  auto store = std::make_unique<Store>();
  SeedStore(seed_, rng_seed_, store.get());
  return store;
}

void Api::Reset() {
  std::unique_ptr<Store> fresh = NewSeededStore();
  {
    WriterMutexLock lock(&mu_);
    store_.swap(fresh);
    uuid_rng_state_ = rng_seed_ ^ 0x5DEECE66DULL;
  }
  // `fresh` now holds the old store, freed without holding the lock.
}

size_t Api::ProductCount() const {
  ReaderMutexLock lock(&mu_);
  return store_->product_count();
}

ApiResponse Api::Handle(const ApiRequest& req, absl::Time now) {
  const ParsedRoute route = ParseRoute(req.method, req.path);
  if (route.collection == Collection::kNone ||
      (route.collection == Collection::kToken && route.method_allowed)) {
    return ErrorResponse(404, Cat("No route found for \"", req.method,
                                           " ", base_, req.path, "\""));
  }
  if (!route.method_allowed) {
    ApiResponse r = ErrorResponse(
        405, Cat("No route found for \"", req.method, " ", base_,
                          req.path, "\": Method Not Allowed (Allow: ",
                          route.allow, ")"));
    r.allow = route.allow;
    return r;
  }
  // A search POST reads only.
  const bool read =
      req.method == "GET" || req.method == "HEAD" || route.search;
  // NDJSON batches; a JSON-array batch (measurement-families) is plain JSON.
  const bool batch = !route.item && req.method == "PATCH" && !route.array_body;
  // A download answers the file's own type.
  if (!route.download && !AcceptsJson(req.accept, batch)) {
    return ErrorResponse(
        406, Cat("\"", Trim(req.accept),
                          "\" in \"Accept\" header is not valid. Only \"",
                          kJsonContentType, "\" is allowed."));
  }
  if (route.collection == Collection::kRoot) {
    return JsonResponse(200, internal::RootBody(req.origin, base_));
  }
  // A job launch may have no body at all.
  const bool optional_body = route.collection == Collection::kExportJobs ||
                             route.collection == Collection::kImportJobs;
  if ((req.method == "POST" || req.method == "PATCH") &&
      !(optional_body && req.body.empty())) {
    const bool upload = route.collection == Collection::kMediaFiles ||
                        route.collection == Collection::kCategoryMediaFiles;
    if (std::optional<ApiResponse> error = CheckContentType(
            req.content_type, upload  ? kMultipartContentType
                              : batch ? kCollectionContentType
                                      : kJsonContentType)) {
      return *std::move(error);
    }
  }
  // Every URL a response names: origin, instance prefix, path.
  const std::string base = Cat(req.origin, base_);
  if (read) {
    ReaderMutexLock lock(&mu_);
    return internal::HandleRead(*store_, base, now, route, req);
  }
  WriterMutexLock lock(&mu_);
  SplitMix64 rng(uuid_rng_state_);
  ApiResponse response =
      internal::HandleWrite(store_.get(), base, now, &rng, route, req);
  uuid_rng_state_ = rng.state();
  return response;
}

}  // namespace pimsim::api
