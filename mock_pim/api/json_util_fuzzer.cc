// Fuzzes the JSON helpers with the input as a document and as a string.
//
// Properties: ParseJson never throws; a parsed document dumps to text that
// parses back to the same dump; AppendJsonString quotes any bytes exactly
// as DumpJson does, into a JSON string that parses back to them (with bytes
// that are not UTF-8 replaced, as AppendValidUtf8 does); PhpTypeName names
// every value.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "bazel/fuzz_check.h"
#include "common/json_string.h"
#include "common/utf8.h"
#include "mock_pim/api/json_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pimsim::api;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (const std::optional<Json> doc = ParseJson(input); doc.has_value()) {
    FUZZ_CHECK(std::strlen(PhpTypeName(*doc)) > 0);
    const std::string dumped = DumpJson(*doc);
    const std::optional<Json> again = ParseJson(dumped);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(DumpJson(*again) == dumped);
  }

  std::string quoted;
  pimsim::AppendJsonString(input, &quoted);
  FUZZ_CHECK(quoted == DumpJson(Json(std::string(input))));
  const std::optional<Json> parsed = ParseJson(quoted);
  FUZZ_CHECK(parsed.has_value() && parsed->is_string());
  std::string valid;
  pimsim::AppendValidUtf8(input, &valid);
  FUZZ_CHECK(parsed->get_ref<const std::string&>() == valid);
  return 0;
}
