// URL helpers: percent-decoding of path segments and query
// values, percent-encoding of codes placed in hrefs, and query-string parsing.
//
// Thread-safety: all functions are pure.
//
//   url::PercentDecode("a%20b", /*plus_as_space=*/false)  // "a b"
//   std::vector<url::QueryParam> q = url::ParseQuery("limit=10&search=%7B%7D");
//   const url::QueryParam* p = url::FindParam(q, "search");  // p->value == "{}"
#ifndef PIMSIM_COMMON_URL_H_
#define PIMSIM_COMMON_URL_H_

#include <string>
#include <string_view>
#include <vector>

namespace pimsim::url {

// Decodes %XX escapes (and '+' as a space when `plus_as_space`, as in query
// strings). A malformed escape is kept literally, as PHP's urldecode does.
std::string PercentDecode(std::string_view s, bool plus_as_space);

// True if PercentDecode would change `s` (so callers can skip the copy).
bool NeedsPercentDecode(std::string_view s, bool plus_as_space);

// Encodes every byte except RFC 3986 unreserved characters, for codes placed
// in a path segment or a query value.
std::string PercentEncode(std::string_view s);

struct QueryParam {
  std::string key;    // decoded
  std::string value;  // decoded
  std::string_view raw;  // the undecoded "key=value" item, for rebuilding links
};

// Splits "a=1&b=2" into parameters, in order. Empty items are skipped.
std::vector<QueryParam> ParseQuery(std::string_view query);

// The first parameter named `key`, or nullptr.
const QueryParam* FindParam(const std::vector<QueryParam>& params,
                            std::string_view key);

}  // namespace pimsim::url

#endif  // PIMSIM_COMMON_URL_H_
