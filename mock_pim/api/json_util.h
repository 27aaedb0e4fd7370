// JSON helpers for the Akeneo resource model: one JSON type, parsing and
// serialization that never throw, and the small string builders the hot paths
// use instead of building a DOM (AppendJsonString, from common/json_string.h).
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

#include "common/json_string.h"

namespace pimsim::api {

using Json = nlohmann::ordered_json;

// Parses `text` as one JSON value (surrounding whitespace allowed). Returns
// nullopt on malformed JSON, including invalid UTF-8.
std::optional<Json> ParseJson(std::string_view text);

// Compact serialization, byte-identical to what AppendJsonString builds by
// hand. Invalid UTF-8 in strings is replaced (as common/utf8.h does) rather
// than thrown on.
std::string DumpJson(const Json& value);

// The PHP type name Akeneo's messages use for a JSON value: "NULL",
// "boolean", "integer", "double", "string" or "array" (objects too).
const char* PhpTypeName(const Json& value);

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_JSON_UTIL_H_
