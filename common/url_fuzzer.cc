// Fuzzes the URL codec and query-string parsing with the input as a raw
// query string (and as a path segment), checking the properties url.h
// promises: decoding is the identity when NeedsPercentDecode says so,
// encoding round-trips, and every parameter views its own item of the query.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bazel/fuzz_check.h"
#include "common/url.h"

namespace pimsim::url {
namespace {

void CheckDecode(std::string_view s, bool plus_as_space) {
  const std::string decoded = PercentDecode(s, plus_as_space);
  FUZZ_CHECK(decoded.size() <= s.size());
  if (!NeedsPercentDecode(s, plus_as_space)) FUZZ_CHECK(decoded == s);
}

}  // namespace
}  // namespace pimsim::url

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pimsim::url;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  CheckDecode(input, /*plus_as_space=*/false);
  CheckDecode(input, /*plus_as_space=*/true);

  const std::string encoded = PercentEncode(input);
  FUZZ_CHECK(PercentDecode(encoded, /*plus_as_space=*/false) == input);
  FUZZ_CHECK(PercentDecode(encoded, /*plus_as_space=*/true) == input);

  const std::vector<QueryParam> params = ParseQuery(input);
  for (const QueryParam& p : params) {
    FUZZ_CHECK(!p.raw.empty());
    FUZZ_CHECK(p.raw.data() >= input.data() &&
               p.raw.data() + p.raw.size() <= input.data() + input.size());
    FUZZ_CHECK(p.raw.find('&') == std::string_view::npos);
    const size_t eq = p.raw.find('=');
    FUZZ_CHECK(p.key == PercentDecode(p.raw.substr(0, eq), /*plus_as_space=*/true));
    const QueryParam* found = FindParam(params, p.key);
    FUZZ_CHECK(found != nullptr && found->key == p.key && found <= &p);
  }
  return 0;
}
