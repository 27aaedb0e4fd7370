// URL helpers: percent-decoding of path segments, query values and
// application/x-www-form-urlencoded fields.
//
// Thread-safety: pure functions.
//
//   std::optional<std::string> code = url::PercentDecode("sku%2F1");  // "sku/1"
//   std::optional<std::string> name = url::FormDecode("a+b");         // "a b"
#ifndef PIMSIM_COMMON_URL_H_
#define PIMSIM_COMMON_URL_H_

#include <optional>
#include <string>
#include <string_view>

namespace pimsim::url {

// Decodes %XX escapes; nullopt on a malformed escape. '+' stays '+'.
std::optional<std::string> PercentDecode(std::string_view in);

// As PercentDecode, and '+' becomes a space (form and query encoding).
std::optional<std::string> FormDecode(std::string_view in);

// Escapes everything but unreserved characters (RFC 3986 section 2.3).
std::string PercentEncode(std::string_view in);

}  // namespace pimsim::url

#endif  // PIMSIM_COMMON_URL_H_
