// Fuzzes the JSON helpers with the input as a document and as a string.
//
// Properties: ParseJson never throws; a parsed document dumps to text that
// parses back to the same dump; AppendJsonString quotes any bytes into a
// JSON string that, when the bytes are UTF-8, parses back to them and is
// byte-identical to DumpJson's; PhpTypeName names every value.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "bazel/fuzz_check.h"
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
  AppendJsonString(input, &quoted);
  FUZZ_CHECK(quoted.size() >= input.size() + 2);
  if (const std::optional<Json> parsed = ParseJson(quoted); parsed.has_value()) {
    FUZZ_CHECK(parsed->is_string() && parsed->get_ref<const std::string&>() == input);
    FUZZ_CHECK(DumpJson(Json(std::string(input))) == quoted);
  }
  return 0;
}
