// The `search` query parameter of Akeneo lists: a URL-decoded JSON object
// {"property":[{"operator":"IN","value":[...]}, ...], ...}. Every condition
// must hold for an item to match.
//
// Products support:
//   identifier  =, !=, IN, NOT IN, STARTS WITH, CONTAINS, DOES NOT CONTAIN
//   uuid        =, !=, IN, NOT IN
//   family      IN, NOT IN, EMPTY, NOT EMPTY
//   categories  IN, NOT IN, IN CHILDREN, NOT IN CHILDREN, UNCLASSIFIED,
//               IN OR UNCLASSIFIED
//   enabled     =, !=
//   created, updated  =, !=, <, >, BETWEEN, NOT BETWEEN, SINCE LAST N DAYS
//                     (dates "yyyy-mm-dd hh:mm:ss" or RFC 3339, UTC)
//   completeness      accepted and ignored
//   parent      = (a product model code: its descendants), IN (direct
//               children), EMPTY (no parent), NOT EMPTY
// Product model lists use the same filters, "identifier" being the code.
// Other lists support `code` IN / NOT IN.
//
// Errors: kInvalidArgument means the parameter is not JSON (HTTP 400,
// "Search query parameter should be valid JSON.") or nests deeper than
// JsonLimits allow (HTTP 400); kResourceExhausted means it holds more keys,
// items or values than JsonLimits allow (HTTP 413, json_util.h);
// kFailedPrecondition means a well-formed but unsupported or invalid filter
// (HTTP 422). The checks run in Akeneo's order, each with its message: JSON
// (`null` is not JSON to PHP either), an array or object ("has to be an
// array, \"string\" given."), each property's filters a non-empty list, each
// with a string operator; then, for products and product models, every code
// of the `categories` filters must exist ("Category \"x\" does not exist.");
// then each filter on its own.
//
// Thread-safety: a parsed filter is immutable and can be shared.
//
//   absl::StatusOr<ProductFilter> f = ProductFilter::Parse(
//       R"({"enabled":[{"operator":"=","value":true}]})", now, no_children,
//       no_sub_models);
//   if (f.ok() && f->Matches(facts)) ...
#ifndef PIMSIM_MOCK_PIM_API_SEARCH_FILTER_H_
#define PIMSIM_MOCK_PIM_API_SEARCH_FILTER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace pimsim::api {

// What a product filter looks at.
struct ProductFacts {
  std::string_view identifier;  // empty when the product has none
  std::string_view uuid;
  std::string_view family;  // empty when the product has none
  absl::Span<const std::string> categories;
  bool enabled = true;
  absl::Time created;
  absl::Time updated;
  std::string_view parent;  // product model code, empty when none
};

// Returns a category code and the codes of all its descendants; empty if the
// category does not exist.
using CategoryExpander =
    absl::FunctionRef<std::vector<std::string>(std::string_view code)>;
// Returns a product model code and the codes of its sub models; empty if the
// model does not exist.
using ProductModelExpander =
    absl::FunctionRef<std::vector<std::string>(std::string_view code)>;

class ProductFilter {
 public:
  // An empty filter matches everything.
  ProductFilter() = default;
  // Parses the decoded `search` value. `now` anchors "SINCE LAST N DAYS".
  static absl::StatusOr<ProductFilter> Parse(std::string_view search,
                                             absl::Time now,
                                             CategoryExpander expand,
                                             ProductModelExpander expand_models);

  bool Matches(const ProductFacts& product) const;
  bool empty() const { return conditions_.empty(); }

 private:
  enum class Field { kIdentifier, kUuid, kFamily, kCategories, kEnabled,
                     kCreated, kUpdated, kParent };
  enum class Op { kEq, kNeq, kIn, kNotIn, kStartsWith, kContains,
                  kNotContains, kEmpty, kNotEmpty, kUnclassified,
                  kInOrUnclassified, kLt, kGt, kBetween, kNotBetween };
  struct Condition {
    Field field;
    Op op;
    std::string text;
    absl::flat_hash_set<std::string> set;
    bool flag = false;
    absl::Time from;
    absl::Time to;
  };
  bool Holds(const Condition& c, const ProductFacts& p) const;

  std::vector<Condition> conditions_;
};

// `code` IN / NOT IN on lists of other resources.
class CodeFilter {
 public:
  CodeFilter() = default;
  static absl::StatusOr<CodeFilter> Parse(std::string_view search);
  bool Matches(std::string_view code) const;

 private:
  struct Condition {
    bool negate = false;
    absl::flat_hash_set<std::string> codes;
  };
  std::vector<Condition> conditions_;
};

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_SEARCH_FILTER_H_
