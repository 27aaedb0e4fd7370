// Akeneo's PATCH merge rules, applied to a resource's JSON document:
//  * a key absent from the patch keeps its value;
//  * an object merges recursively; a scalar or an array replaces the old value;
//  * a value of the wrong type (e.g. "labels": null) is refused (HTTP 422);
//  * a key the resource does not have is refused (HTTP 422);
//  * product "values" merge per attribute, then per (locale, scope) entry;
//    an entry with "data": null clears that entry.
// Each resource describes its fields with a schema (FieldSpec list).
//
// Keys and product-value contexts are found through hash indexes, so a merge
// costs time linear in the patch and the document: ordered_json's own
// lookup is a linear search, which made merging key by key quadratic
// (16,000 value entries took 6.8 s). merge_benchmark measures it.
//
// Thread-safety: pure functions.
//
//   constexpr FieldSpec kSchema[] = {{"code", FieldKind::kString},
//                                    {"labels", FieldKind::kLabels}};
//   absl::Status s = MergePatch(kSchema, patch, &doc);  // doc is updated in place
#ifndef PIMSIM_MOCK_PIM_API_MERGE_H_
#define PIMSIM_MOCK_PIM_API_MERGE_H_

#include <string_view>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "mock_pim/api/json_util.h"

namespace pimsim::api {

enum class FieldKind {
  kString,          // a string
  kNullableString,  // a string or null
  kBool,            // true or false
  kNullableBool,    // true, false or null
  kInteger,         // an integer
  kNullableNumber,  // a number, a numeric string, or null
  kStringArray,     // an array of strings (replaced as a whole)
  kArray,           // an array of any values (replaced as a whole)
  kObject,          // an object, merged recursively ([] is read as {})
  kLabels,          // {locale: string|null}; null or "" removes a label
  kProductValues,   // product values, merged per attribute/locale/scope
  kReadOnly,        // accepted and ignored (e.g. "created", "_links")
};

struct FieldSpec {
  std::string_view name;
  FieldKind kind;
};

// Suffix Akeneo appends to format errors.
inline constexpr char kCheckFormat[] =
    " Check the expected format on the API documentation.";

// Merges the JSON object `patch` into the object `doc` per `schema`. On error
// returns InvalidArgument with Akeneo's message; `doc` may then be partially
// updated, so callers merge into a copy.
absl::Status MergePatch(absl::Span<const FieldSpec> schema, const Json& patch,
                        Json* doc);

// Merges a product "values" patch into `values` (an object of attribute code
// -> [{"locale","scope","data"}]).
absl::Status MergeProductValues(const Json& patch, Json* values);

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_MERGE_H_
