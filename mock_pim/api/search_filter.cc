#include "mock_pim/api/search_filter.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "mock_pim/api/str_util.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mock_pim/api/json_util.h"

namespace pimsim::api {
namespace {

constexpr char kNotJson[] = "Search query parameter should be valid JSON.";

absl::Status Unprocessable(std::string message) {
  return absl::FailedPreconditionError(std::move(message));
}

absl::Status StructureError(std::string_view property) {
  return Unprocessable(Cat(
      "Structure of filter \"", property,
      "\" should respect this structure: {\"", property,
      "\":[{\"operator\": \"my_operator\", \"value\": \"my_value\"}]}"));
}

absl::Status Unsupported(std::string_view property, std::string_view op) {
  return Unprocessable(Cat("Filter on property \"", property,
                                    "\" is not supported or does not support "
                                    "operator \"",
                                    op, "\""));
}

absl::Status ExpectsValue(std::string_view property, std::string_view what,
                          const Json& given) {
  return Unprocessable(Cat("Property \"", property, "\" expects ",
                                    what, " as data, \"", PhpTypeName(given),
                                    "\" given."));
}

absl::Status ReadStringSet(std::string_view property, const Json& value,
                           absl::flat_hash_set<std::string>* out) {
  if (!value.is_array()) return ExpectsValue(property, "an array", value);
  for (const Json& v : value) {
    if (!v.is_string()) return ExpectsValue(property, "an array of strings", v);
    out->insert(v.get<std::string>());
  }
  return absl::OkStatus();
}

std::optional<absl::Time> ParseDate(const Json& value) {
  if (!value.is_string()) return std::nullopt;
  const std::string& s = value.get_ref<const std::string&>();
  absl::Time t;
  std::string err;
  if (absl::ParseTime("%Y-%m-%d %H:%M:%S", s, absl::UTCTimeZone(), &t, &err) ||
      absl::ParseTime(absl::RFC3339_full, s, absl::UTCTimeZone(), &t, &err)) {
    return t;
  }
  return std::nullopt;
}

absl::Status DateError(std::string_view property, const Json& given) {
  return Unprocessable(Cat(
      "Property \"", property,
      "\" expects a string with the format \"yyyy-mm-dd H:i:s\" as data, \"",
      given.is_string() ? given.get<std::string>() : DumpJson(given),
      "\" given."));
}

// The filters of one property: `property` and the JSON array of its
// conditions.
struct PropertyFilters {
  std::string property;
  const Json* filters;
};

// Parses `search` and checks its outer shape in Akeneo's order (the
// GetListOfProductsQueryValidator of the server): JSON (`null` too is
// refused as not JSON), an array or object, each property's filters a
// non-empty list, each filter with an operator that is a string. A JSON list
// names its properties by index, as PHP's arrays do.
absl::Status CheckShape(std::string_view search, Json* doc,
                        std::vector<PropertyFilters>* out) {
  // A query value is request text, held to JsonLimits like a body.
  absl::StatusOr<Json> parsed = ParseRequestJson(search);
  if (!parsed.ok()) {
    return IsMalformedJson(parsed.status()) ? absl::InvalidArgumentError(kNotJson)
                                            : parsed.status();
  }
  *doc = *std::move(parsed);
  if (doc->is_null()) return absl::InvalidArgumentError(kNotJson);
  if (!doc->is_object() && !doc->is_array()) {
    return Unprocessable(Cat("Search query parameter has to be an array, \"",
                             PhpTypeName(*doc), "\" given."));
  }
  if (doc->is_object()) {
    for (auto it = doc->begin(); it != doc->end(); ++it) {
      out->push_back(PropertyFilters{it.key(), &it.value()});
    }
  } else {
    for (size_t i = 0; i < doc->size(); ++i) {
      out->push_back(PropertyFilters{std::to_string(i), &(*doc)[i]});
    }
  }
  for (const PropertyFilters& p : *out) {
    if (!p.filters->is_array() || p.filters->empty()) return StructureError(p.property);
    for (const Json& filter : *p.filters) {
      auto op = filter.is_object() ? filter.find("operator") : filter.end();
      if (!filter.is_object() || op == filter.end() || op->is_null()) {
        return Unprocessable(Cat(
            "Operator is missing for the property \"", p.property, "\"."));
      }
      if (!op->is_string()) {
        return Unprocessable(Cat("Operator has to be a string, \"",
                                 PhpTypeName(*op), "\" given."));
      }
    }
  }
  return absl::OkStatus();
}

// Calls `fn(property, operator, filter)` for each condition of filters that
// passed CheckShape, until one fails.
template <typename Fn>
absl::Status ForEachCondition(const std::vector<PropertyFilters>& properties, Fn fn) {
  for (const PropertyFilters& p : properties) {
    for (const Json& filter : *p.filters) {
      if (absl::Status s = fn(p.property, filter["operator"].get<std::string>(), filter);
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

// Akeneo checks every category code of the `categories` filters before any
// other filter: 422 `Category "x" does not exist.`, or
// `Categories "x, y" do not exist.` for several.
absl::Status CheckCategoriesExist(const std::vector<PropertyFilters>& properties,
                                  const CategoryExpander& expand) {
  std::vector<std::string> missing;
  for (const PropertyFilters& p : properties) {
    if (p.property != "categories") continue;
    for (const Json& filter : *p.filters) {
      auto value = filter.find("value");
      if (value == filter.end() || !value->is_array()) continue;
      for (const Json& code : *value) {
        if (code.is_string() && expand(code.get<std::string>()).empty()) {
          missing.push_back(code.get<std::string>());
        }
      }
    }
  }
  if (missing.empty()) return absl::OkStatus();
  if (missing.size() == 1) {
    return Unprocessable(Cat("Category \"", missing[0], "\" does not exist."));
  }
  return Unprocessable(
      Cat("Categories \"", absl::StrJoin(missing, ", "), "\" do not exist."));
}

}  // namespace

absl::StatusOr<ProductFilter> ProductFilter::Parse(std::string_view search,
                                                   absl::Time now,
                                                   CategoryExpander expand,
                                                   ProductModelExpander expand_models) {
  ProductFilter result;
  Json doc;
  std::vector<PropertyFilters> properties;
  if (absl::Status s = CheckShape(search, &doc, &properties); !s.ok()) return s;
  if (absl::Status s = CheckCategoriesExist(properties, expand); !s.ok()) return s;
  absl::Status status = ForEachCondition(
      properties, [&](const std::string& property, const std::string& op,
                  const Json& filter) -> absl::Status {
        static const Json kNull;
        auto vit = filter.find("value");
        const Json& value = vit == filter.end() ? kNull : *vit;
        Condition c;
        if (property == "completeness") return absl::OkStatus();
        if (property == "identifier" || property == "uuid") {
          const bool is_uuid = property == "uuid";
          c.field = is_uuid ? Field::kUuid : Field::kIdentifier;
          if (op == "=" || op == "!=" ||
              (!is_uuid && (op == "STARTS WITH" || op == "CONTAINS" ||
                            op == "DOES NOT CONTAIN"))) {
            if (!value.is_string()) {
              return ExpectsValue(property, "a string", value);
            }
            c.text = value.get<std::string>();
            c.op = op == "=" ? Op::kEq
                   : op == "!=" ? Op::kNeq
                   : op == "STARTS WITH" ? Op::kStartsWith
                   : op == "CONTAINS" ? Op::kContains
                                      : Op::kNotContains;
          } else if (op == "IN" || op == "NOT IN") {
            c.op = op == "IN" ? Op::kIn : Op::kNotIn;
            if (absl::Status s = ReadStringSet(property, value, &c.set);
                !s.ok()) {
              return s;
            }
          } else {
            return Unsupported(property, op);
          }
        } else if (property == "family") {
          c.field = Field::kFamily;
          if (op == "IN" || op == "NOT IN") {
            c.op = op == "IN" ? Op::kIn : Op::kNotIn;
            if (absl::Status s = ReadStringSet(property, value, &c.set);
                !s.ok()) {
              return s;
            }
          } else if (op == "EMPTY" || op == "NOT EMPTY") {
            c.op = op == "EMPTY" ? Op::kEmpty : Op::kNotEmpty;
          } else {
            return Unsupported(property, op);
          }
        } else if (property == "categories") {
          c.field = Field::kCategories;
          if (op == "UNCLASSIFIED") {
            c.op = Op::kUnclassified;
          } else if (op == "IN" || op == "NOT IN" || op == "IN CHILDREN" ||
                     op == "NOT IN CHILDREN" || op == "IN OR UNCLASSIFIED") {
            absl::flat_hash_set<std::string> codes;
            if (absl::Status s = ReadStringSet(property, value, &codes);
                !s.ok()) {
              return s;
            }
            const bool children = EndsWith(op, "CHILDREN");
            for (const std::string& code : codes) {
              if (!children) {
                c.set.insert(code);
                continue;
              }
              // CheckCategoriesExist has refused unknown codes.
              std::vector<std::string> tree = expand(code);
              c.set.insert(tree.begin(), tree.end());
            }
            c.op = (op == "IN" || op == "IN CHILDREN") ? Op::kIn
                   : op == "IN OR UNCLASSIFIED"        ? Op::kInOrUnclassified
                                                       : Op::kNotIn;
          } else {
            return Unsupported(property, op);
          }
        } else if (property == "parent") {
          c.field = Field::kParent;
          if (op == "=") {
            if (!value.is_string()) return ExpectsValue(property, "a string", value);
            const std::string code = value.get<std::string>();
            std::vector<std::string> tree = expand_models(code);
            if (tree.empty()) {
              return Unprocessable(Cat(
                  "Property \"parent\" expects a valid product model code. "
                  "The product model does not exist, \"",
                  code, "\" given."));
            }
            c.set.insert(tree.begin(), tree.end());
            c.op = Op::kIn;
          } else if (op == "IN") {
            if (absl::Status s = ReadStringSet(property, value, &c.set); !s.ok()) {
              return s;
            }
            c.op = Op::kIn;
          } else if (op == "EMPTY" || op == "NOT EMPTY") {
            c.op = op == "EMPTY" ? Op::kEmpty : Op::kNotEmpty;
          } else {
            return Unsupported(property, op);
          }
        } else if (property == "enabled") {
          c.field = Field::kEnabled;
          if (op != "=" && op != "!=") return Unsupported(property, op);
          if (!value.is_boolean()) {
            return ExpectsValue(property, "a boolean", value);
          }
          c.op = op == "=" ? Op::kEq : Op::kNeq;
          c.flag = value.get<bool>();
        } else if (property == "created" || property == "updated") {
          c.field = property == "created" ? Field::kCreated : Field::kUpdated;
          if (op == "=" || op == "!=" || op == "<" || op == ">") {
            std::optional<absl::Time> t = ParseDate(value);
            if (!t) return DateError(property, value);
            c.from = *t;
            c.op = op == "=" ? Op::kEq
                   : op == "!=" ? Op::kNeq
                   : op == "<" ? Op::kLt
                               : Op::kGt;
          } else if (op == "BETWEEN" || op == "NOT BETWEEN") {
            if (!value.is_array() || value.size() != 2) {
              return ExpectsValue(property, "an array with 2 dates", value);
            }
            std::optional<absl::Time> a = ParseDate(value[0]);
            std::optional<absl::Time> b = ParseDate(value[1]);
            if (!a) return DateError(property, value[0]);
            if (!b) return DateError(property, value[1]);
            c.from = *a;
            c.to = *b;
            c.op = op == "BETWEEN" ? Op::kBetween : Op::kNotBetween;
          } else if (op == "SINCE LAST N DAYS") {
            if (!value.is_number_integer() || value.get<int64_t>() < 0) {
              return ExpectsValue(property, "an integer", value);
            }
            c.op = Op::kGt;
            c.from = now - absl::Hours(24) * value.get<int64_t>();
          } else {
            return Unsupported(property, op);
          }
        } else {
          return Unsupported(property, op);
        }
        result.conditions_.push_back(std::move(c));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return result;
}

bool ProductFilter::Matches(const ProductFacts& p) const {
  for (const Condition& c : conditions_) {
    if (!Holds(c, p)) return false;
  }
  return true;
}

bool ProductFilter::Holds(const Condition& c, const ProductFacts& p) const {
  switch (c.field) {
    case Field::kIdentifier:
    case Field::kUuid: {
      const std::string_view v =
          c.field == Field::kUuid ? p.uuid : p.identifier;
      switch (c.op) {
        case Op::kEq: return v == c.text;
        case Op::kNeq: return v != c.text;
        case Op::kIn: return c.set.contains(AV(v));
        case Op::kNotIn: return !c.set.contains(AV(v));
        case Op::kStartsWith: return StartsWith(v, c.text);
        case Op::kContains: return Contains(v, c.text);
        case Op::kNotContains: return !Contains(v, c.text);
        default: return false;
      }
    }
    case Field::kFamily:
      switch (c.op) {
        case Op::kIn: return !p.family.empty() && c.set.contains(AV(p.family));
        case Op::kNotIn: return p.family.empty() || !c.set.contains(AV(p.family));
        case Op::kEmpty: return p.family.empty();
        case Op::kNotEmpty: return !p.family.empty();
        default: return false;
      }
    case Field::kCategories: {
      bool any = false;
      for (const std::string& cat : p.categories) {
        if (c.set.contains(cat)) {
          any = true;
          break;
        }
      }
      switch (c.op) {
        case Op::kIn: return any;
        case Op::kNotIn: return !any;
        case Op::kUnclassified: return p.categories.empty();
        case Op::kInOrUnclassified: return any || p.categories.empty();
        default: return false;
      }
    }
    case Field::kParent:
      switch (c.op) {
        case Op::kIn: return !p.parent.empty() && c.set.contains(AV(p.parent));
        case Op::kEmpty: return p.parent.empty();
        case Op::kNotEmpty: return !p.parent.empty();
        default: return false;
      }
    case Field::kEnabled:
      return c.op == Op::kEq ? p.enabled == c.flag : p.enabled != c.flag;
    case Field::kCreated:
    case Field::kUpdated: {
      // Dates in filters have a one-second resolution.
      const absl::Time t = absl::FromUnixSeconds(absl::ToUnixSeconds(
          c.field == Field::kCreated ? p.created : p.updated));
      switch (c.op) {
        case Op::kEq: return t == c.from;
        case Op::kNeq: return t != c.from;
        case Op::kLt: return t < c.from;
        case Op::kGt: return t > c.from;
        case Op::kBetween: return t >= c.from && t <= c.to;
        case Op::kNotBetween: return t < c.from || t > c.to;
        default: return false;
      }
    }
  }
  return false;
}

absl::StatusOr<CodeFilter> CodeFilter::Parse(std::string_view search) {
  CodeFilter result;
  Json doc;
  std::vector<PropertyFilters> properties;
  if (absl::Status s = CheckShape(search, &doc, &properties); !s.ok()) return s;
  absl::Status status = ForEachCondition(
      properties, [&](const std::string& property, const std::string& op,
                  const Json& filter) -> absl::Status {
        if (property != "code" || (op != "IN" && op != "NOT IN")) {
          return Unsupported(property, op);
        }
        static const Json kNull;
        auto vit = filter.find("value");
        Condition c;
        c.negate = op == "NOT IN";
        if (absl::Status s = ReadStringSet(
                property, vit == filter.end() ? kNull : *vit, &c.codes);
            !s.ok()) {
          return s;
        }
        result.conditions_.push_back(std::move(c));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return result;
}

bool CodeFilter::Matches(std::string_view code) const {
  for (const Condition& c : conditions_) {
    if (c.codes.contains(AV(code)) == c.negate) return false;
  }
  return true;
}

}  // namespace pimsim::api
