// The request and response types of the Akeneo API core, and Akeneo's error
// shapes: `{"code":N,"message":...}`, plus `errors[]` for validation failures
// or `_links.documentation` for format errors.
//
// An ApiError is what a handler returns on failure; a single request turns it
// into a whole response (ToResponse), a batch line into fields of its result
// line (AppendErrorFields).
//
// Thread-safety: plain values; functions are pure.
//
//   ApiResponse r = ErrorResponse(404, "Family \"x\" does not exist.");
//   ApiError e = ValidationFailed({ValidationItem("code", "This value is already used.")});
//   ApiResponse v = ToResponse(e);  // 422 with errors[]
#ifndef PIMSIM_MOCK_PIM_API_RESPONSE_H_
#define PIMSIM_MOCK_PIM_API_RESPONSE_H_

#include <string>
#include <string_view>
#include <vector>

#include "mock_pim/api/json_util.h"

namespace pimsim::api {

inline constexpr char kJsonContentType[] = "application/json";
inline constexpr char kCollectionContentType[] =
    "application/vnd.akeneo.collection+json";
inline constexpr char kMultipartContentType[] = "multipart/form-data";

struct ApiRequest {
  std::string_view method;        // "GET", "POST", "PATCH", "DELETE", ...
  std::string_view path;          // "/api/...", instance prefix stripped, no query
  std::string_view query;         // raw query string without '?', percent-encoded
  std::string_view content_type;  // raw header value or empty
  std::string_view accept;        // raw header value or empty
  std::string_view body;
  std::string_view connection;    // authenticated PIM connection (client id)
  std::string_view username;      // that connection's API user
  // Scheme and authority the client reached the PIM at ("http://host:port",
  // see http::RequestOrigin): _links hrefs and Location are absolute URLs
  // on it, as Akeneo's are. Empty: they are paths.
  std::string_view origin;
};

struct ApiResponse {
  int status = 200;
  // "application/json", "application/vnd.akeneo.collection+json", a media
  // file's own type on a download (the body is then its bytes), or empty
  // when there is no body.
  std::string content_type;
  std::string body;
  // Location header ("http://host/api/rest/v1/products/sku1": the origin,
  // the instance prefix and the path), empty if none.
  std::string location;
  // Allow header of a 405 ("GET, PATCH"), empty otherwise.
  std::string allow;
};

struct ApiError {
  int status = 0;
  std::string message;
  // A JSON array of validation errors ({"property","message"[,"attribute",
  // "locale","scope"]}), or null.
  Json errors;
  // If not empty, added as `_links.documentation.href`.
  std::string documentation;
};

// A validation error item {"property":..., "message":...}.
Json ValidationItem(std::string_view property, std::string_view message);
// Appends ValidationItem(property, message) to the JSON array `errors`.
void AddValidationItem(Json* errors, std::string_view property,
                       std::string_view message);
// A product-value validation error item, with attribute, locale and scope.
Json ValueValidationItem(std::string_view message, std::string_view attribute,
                         const Json& locale, const Json& scope);

// A 422 lists at most this many validation errors, the first found (a
// document within JsonLimits can hold 100,000 wrong values).
inline constexpr size_t kMaxListedErrors = 100;

// 422 "Validation failed." with `errors` (a JSON array), cut to its first
// kMaxListedErrors items.
ApiError ValidationFailed(Json errors);
// An error with a message only.
ApiError PlainError(int status, std::string message);

// {"code":N,"message":...} as the whole response.
ApiResponse ErrorResponse(int status, std::string_view message);
ApiResponse ToResponse(const ApiError& error);
// Adds "message" and, when set, "errors" and "_links" to a batch result line.
void AppendErrorFields(const ApiError& error, Json* line);

// The whole response to a ParseRequestJson error: its message, with
// JsonErrorHttpStatus (400 or 413).
ApiResponse RequestJsonError(const absl::Status& status);

// A 200/201 JSON response with `body`.
ApiResponse JsonResponse(int status, std::string body);

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_RESPONSE_H_
