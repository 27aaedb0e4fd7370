// JSON helpers for the Akeneo resource model: one JSON type, parsing and
// serialization that never throw, and the small string builders the hot paths
// use instead of building a DOM.
//
// Documents use nlohmann::ordered_json so fields keep Akeneo's order
// ("code" first, "labels" last...) through parse, merge and dump.
//
// Thread-safety: all functions are pure.
//
//   std::optional<Json> doc = ParseJson(R"({"code":"x"})");
//   std::string out;
//   AppendJsonString("a\"b", &out);  // out == R"("a\"b")"
#ifndef PIMSIM_MOCK_PIM_API_JSON_UTIL_H_
#define PIMSIM_MOCK_PIM_API_JSON_UTIL_H_

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace pimsim::api {

using Json = nlohmann::ordered_json;

// Parses `text` as one JSON value (surrounding whitespace allowed). Returns
// nullopt on malformed JSON, including invalid UTF-8.
std::optional<Json> ParseJson(std::string_view text);

// Compact serialization, byte-identical to what AppendJsonString builds by
// hand. Invalid UTF-8 in strings is replaced rather than thrown on.
std::string DumpJson(const Json& value);

// Appends `s` as a quoted JSON string, escaped exactly like DumpJson: bytes
// that are not UTF-8 are replaced by U+FFFD the same way (common/utf8.h).
void AppendJsonString(std::string_view s, std::string* out);

// The PHP type name Akeneo's messages use for a JSON value: "NULL",
// "boolean", "integer", "double", "string" or "array" (objects too).
const char* PhpTypeName(const Json& value);

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_JSON_UTIL_H_
