// JSON helpers for the Akeneo resource model: one JSON type, parsing and
// serialization that never throw, and the small string builders the hot paths
// use instead of building a DOM (AppendJsonString, from common/json_string.h).
//
// Documents use nlohmann::ordered_json so fields keep Akeneo's order
// ("code" first, "labels" last...) through parse, merge and dump.
//
// A document that comes from a request (a body, a line of a batch, a
// `search` query value) is parsed with ParseRequestJson, which enforces
// JsonLimits while it parses, in time linear in the text. The limits keep
// what the client controls bounded: copying, dumping, comparing and merging
// a DOM recurse once per level (so ~43,000 levels overflowed the stack), and
// ordered_json finds a key by a linear search (so 80,000 keys in one object
// cost 4.3 s in nlohmann's own parser; ParseRequestJson indexes large
// objects instead). Akeneo's deepest documents (product values) need 7
// levels and a few hundred keys per object.
//
// Thread-safety: all functions are pure.
//
//   absl::StatusOr<Json> body = ParseRequestJson(request_body);  // 400/413 if not
//   std::optional<Json> doc = ParseJson(R"({"code":"x"})");
//   std::string out;
//   AppendJsonString("a\"b", &out);  // out == R"("a\"b")"
#ifndef PIMSIM_MOCK_PIM_API_JSON_UTIL_H_
#define PIMSIM_MOCK_PIM_API_JSON_UTIL_H_

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "common/json_string.h"

namespace pimsim::api {

using Json = nlohmann::ordered_json;

// Parses `text` as one JSON value (surrounding whitespace allowed), in
// linear time and without limits. Returns nullopt on malformed JSON,
// including invalid UTF-8. For text the mock wrote itself; request text
// goes through ParseRequestJson.
std::optional<Json> ParseJson(std::string_view text);

// What a JSON document from a request may hold. Every limit is documented in
// README.md's Limits table, with its status.
struct JsonLimits {
  // Nesting of objects and arrays: the root object is level 1.
  size_t max_depth = 64;
  // Keys of one object (a key given twice counts once).
  size_t max_object_keys = 1000;
  // Items of one array.
  size_t max_array_items = 10000;
  // Values in the whole document: the root, each key's value and each item.
  size_t max_values = 100000;
};

// The message of malformed request JSON, Akeneo's.
inline constexpr char kInvalidJsonMessage[] = "Invalid json message received";

// Parses request text as one JSON value, with linear cost and without
// recursion, and refuses it as soon as it passes one of `limits`:
// InvalidArgument (HTTP 400) when it nests deeper than max_depth,
// ResourceExhausted (HTTP 413) when an object, an array or the document is
// larger than allowed, each message naming the limit; malformed JSON
// (invalid UTF-8 included) is InvalidArgument kInvalidJsonMessage.
absl::StatusOr<Json> ParseRequestJson(std::string_view text, const JsonLimits& limits = {});

// ParseRequestJson for a document that must be a JSON object (a body, a
// batch line, a form part): anything else is InvalidArgument
// kInvalidJsonMessage.
absl::StatusOr<Json> ParseRequestObject(std::string_view text,
                                        const JsonLimits& limits = {});

// True for ParseRequestJson's error on malformed JSON (not a limit).
bool IsMalformedJson(const absl::Status& status);

// The HTTP status of a ParseRequestJson error: 413 for ResourceExhausted,
// else 400.
int JsonErrorHttpStatus(const absl::Status& status);

// Compact serialization, byte-identical to what AppendJsonString builds by
// hand. Invalid UTF-8 in strings is replaced (as common/utf8.h does) rather
// than thrown on.
std::string DumpJson(const Json& value);

// The PHP type name Akeneo's messages use for a JSON value: "NULL",
// "boolean", "integer", "double", "string" or "array" (objects too).
const char* PhpTypeName(const Json& value);

// `doc[key]` when `doc` is an object holding a string there, else `fallback`.
std::string StringOr(const Json& doc, const char* key, std::string fallback = "");

// True when the array `list` holds the string `value`.
bool ListHas(const Json& list, std::string_view value);

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_JSON_UTIL_H_
