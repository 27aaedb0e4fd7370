#include "mock_pim/api/search_filter.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "mock_pim/api/str_util.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "mock_pim/api/json_util.h"
#include "mock_pim/api/model.h"

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

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Days since 1970-01-01 of "yyyy-mm-dd", optionally followed by "T" or " "
// and a time; nullopt for anything else.
std::optional<double> ParseDay(std::string_view s) {
  if (s.size() < 10) return std::nullopt;
  for (int i = 0; i < 10; ++i) {
    if (i == 4 || i == 7) {
      if (s[i] != '-') return std::nullopt;
    } else if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) {
      return std::nullopt;
    }
  }
  if (s.size() > 10 && s[10] != 'T' && s[10] != ' ') return std::nullopt;
  auto num = [&](int at, int len) {
    int v = 0;
    for (int i = at; i < at + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  const absl::CivilDay day(num(0, 4), num(5, 2), num(8, 2));
  return static_cast<double>(day - absl::CivilDay(1970, 1, 1));
}

// The number of a JSON number or numeric string (PHP's is_numeric).
std::optional<double> NumberOf(const Json& v) {
  if (v.is_number()) return v.get<double>();
  double d;
  if (v.is_string() && absl::SimpleAtod(v.get_ref<const std::string&>(), &d) &&
      std::isfinite(d)) {
    return d;
  }
  return std::nullopt;
}

// The original file name of a stored file key "a/b/c/d/<hash>_<name>"; the
// whole text when it has no such shape.
std::string_view FileNameOf(std::string_view key) {
  const size_t slash = key.rfind('/');
  const std::string_view last =
      slash == std::string_view::npos ? key : key.substr(slash + 1);
  const size_t underscore = last.find('_');
  if (slash == std::string_view::npos || underscore == std::string_view::npos) {
    return key;
  }
  return last.substr(underscore + 1);
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


// ---------------------------------------------------------------------------
// ValueFacts.

std::string ValueFacts::Key(std::string_view attribute, std::string_view locale,
                            std::string_view scope) {
  std::string key;
  key.reserve(attribute.size() + locale.size() + scope.size() + 2);
  key.append(attribute);
  key.push_back('\0');
  key.append(locale);
  key.push_back('\0');
  key.append(scope);
  return key;
}

uint32_t ValueFacts::KeyHash(std::string_view key) {
  return static_cast<uint32_t>(absl::Hash<absl::string_view>{}(AV(key)));
}

void ValueFacts::Begin(std::string_view attribute, std::string_view locale,
                       std::string_view scope) {
  if (!key_used_) blob_.resize(key_at_);
  key_at_ = static_cast<uint32_t>(blob_.size());
  blob_.append(attribute);
  blob_.push_back('\0');
  blob_.append(locale);
  blob_.push_back('\0');
  blob_.append(scope);
  // Codes are at most 100 characters in Akeneo; a longer key is cut, which
  // only makes it match nothing.
  key_len_ = static_cast<uint16_t>(std::min<size_t>(blob_.size() - key_at_, 0xffff));
  hash_ = KeyHash(std::string_view(blob_).substr(key_at_, key_len_));
  key_used_ = false;
}

void ValueFacts::Push(Kind kind, std::string_view text, double number) {
  key_used_ = true;
  Atom a;
  a.hash = hash_;
  a.key_at = key_at_;
  a.key_len = key_len_;
  a.kind = kind;
  a.text_at = static_cast<uint32_t>(blob_.size());
  a.text_len = static_cast<uint32_t>(text.size());
  a.number = number;
  blob_.append(text);
  atoms_.push_back(a);
}

void ValueFacts::AddString(std::string_view text) {
  if (text.empty()) return;
  double number = kNaN;
  if (std::optional<double> day = ParseDay(text)) {
    number = *day;
  } else if (double d; absl::SimpleAtod(AV(text), &d) && std::isfinite(d)) {
    number = d;
  }
  Push(Kind::kString, text, number);
}

void ValueFacts::AddNumber(double n) { Push(Kind::kNumber, "", n); }

void ValueFacts::AddBoolean(bool b) { Push(Kind::kBoolean, "", b ? 1 : 0); }

void ValueFacts::AddAmount(std::string_view unit, double amount) {
  Push(Kind::kAmount, unit, amount);
}

void ValueFacts::Shrink() {
  if (!key_used_) {
    blob_.resize(key_at_);
    key_used_ = true;
  }
  blob_.shrink_to_fit();
  atoms_.shrink_to_fit();
}

ValueFacts ValueFacts::FromJson(const Json& values) {
  ValueFacts f;
  if (!values.is_object()) return f;
  auto string_of = [](const Json& object, const char* field) {
    auto it = object.find(field);
    return it != object.end() && it->is_string()
               ? std::string_view(it->get_ref<const std::string&>())
               : std::string_view();
  };
  auto amount = [&](const Json& data, const char* unit_field) {
    auto a = data.find("amount");
    if (a == data.end()) return;
    if (std::optional<double> n = NumberOf(*a)) {
      f.AddAmount(string_of(data, unit_field), *n);
    }
  };
  for (auto it = values.begin(); it != values.end(); ++it) {
    if (!it.value().is_array()) continue;
    for (const Json& entry : it.value()) {
      if (!entry.is_object()) continue;
      auto data = entry.find("data");
      if (data == entry.end()) continue;
      f.Begin(it.key(), string_of(entry, "locale"), string_of(entry, "scope"));
      if (data->is_string()) {
        f.AddString(data->get_ref<const std::string&>());
      } else if (data->is_boolean()) {
        f.AddBoolean(data->get<bool>());
      } else if (data->is_number()) {
        f.AddNumber(data->get<double>());
      } else if (data->is_object()) {
        amount(*data, "unit");
      } else if (data->is_array()) {
        for (const Json& item : *data) {
          if (item.is_string()) {
            f.AddString(item.get_ref<const std::string&>());
          } else if (item.is_object()) {
            amount(item, "currency");
          }
        }
      }
    }
  }
  f.Shrink();
  return f;
}

bool ValueFacts::operator==(const ValueFacts& other) const {
  if (atoms_.size() != other.atoms_.size()) return false;
  for (size_t i = 0; i < atoms_.size(); ++i) {
    const Atom& a = atoms_[i];
    const Atom& b = other.atoms_[i];
    if (a.kind != b.kind || key(a) != other.key(b) || text(a) != other.text(b)) {
      return false;
    }
    if (a.number != b.number && !(std::isnan(a.number) && std::isnan(b.number))) {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// Value conditions.

absl::Status ProductFilter::ParseValueCondition(const ValueFilterContext& ctx,
                                                const FilterAttribute& attribute,
                                                const std::string& code,
                                                const std::string& op,
                                                const Json& filter,
                                                ValueCondition* c) {
  const std::string_view t = attribute.type;
  // The operators of each type, as the reference lists them.
  static constexpr std::string_view kTextOps[] = {
      "STARTS WITH", "CONTAINS", "DOES NOT CONTAIN", "=", "!=",
      "EMPTY",       "NOT EMPTY", "IN",              "NOT IN"};
  static constexpr std::string_view kFileOps[] = {
      "STARTS WITH", "CONTAINS", "DOES NOT CONTAIN", "=", "!=", "EMPTY",
      "NOT EMPTY"};
  static constexpr std::string_view kNumberOps[] = {
      "<", "<=", "=", "!=", ">=", ">", "EMPTY", "NOT EMPTY"};
  static constexpr std::string_view kOptionOps[] = {"IN", "NOT IN", "EMPTY",
                                                    "NOT EMPTY"};
  static constexpr std::string_view kBooleanOps[] = {"=", "!=", "EMPTY",
                                                     "NOT EMPTY"};
  static constexpr std::string_view kDateOps[] = {
      "<", "=", "!=", ">", "BETWEEN", "NOT BETWEEN", "EMPTY", "NOT EMPTY"};
  absl::Span<const std::string_view> ops;
  if (t == kIdentifierType || t == kTextType || t == kTextareaType) {
    c->type = ValueType::kText;
    ops = kTextOps;
  } else if (t == kImageType || t == kFileType) {
    c->type = ValueType::kFile;
    ops = kFileOps;
  } else if (t == kNumberType) {
    c->type = ValueType::kNumber;
    ops = kNumberOps;
  } else if (t == kMetricType || t == kPriceType) {
    c->type = ValueType::kAmount;
    ops = kNumberOps;
  } else if (t == kSimpleSelectType || t == kMultiSelectType) {
    c->type = ValueType::kOption;
    ops = kOptionOps;
  } else if (t == kBooleanType) {
    c->type = ValueType::kBoolean;
    ops = kBooleanOps;
  } else if (t == kDateType) {
    c->type = ValueType::kDate;
    ops = kDateOps;
  }
  if (std::find(ops.begin(), ops.end(), op) == ops.end()) {
    return Unsupported(code, op);
  }

  // The locale and scope of the value looked at.
  std::string_view context[2];
  for (int i = 0; i < 2; ++i) {
    const bool is_locale = i == 0;
    const char* field = is_locale ? "locale" : "scope";
    const bool wanted = is_locale ? attribute.localizable : attribute.scopable;
    auto it = filter.find(field);
    std::string_view given;
    if (it != filter.end() && !it->is_null()) {
      if (!it->is_string()) {
        return Unprocessable(Cat("Property \"", field, "\" of the filter on \"",
                                 code, "\" expects a string, \"",
                                 PhpTypeName(*it), "\" given."));
      }
      given = it->get_ref<const std::string&>();
      if (!wanted) {
        return Unprocessable(Cat("Attribute \"", code, "\" does not expect a ",
                                 is_locale ? "locale" : "channel", ", \"",
                                 given, "\" given."));
      }
    }
    if (!wanted) continue;
    if (given.empty()) given = is_locale ? ctx.search_locale : ctx.search_scope;
    if (given.empty()) {
      return Unprocessable(Cat("Attribute \"", code, "\" expects a ",
                               is_locale ? "locale" : "channel code",
                               ", none given."));
    }
    if (is_locale && !ctx.catalog->LocaleActive(given)) {
      return Unprocessable(Cat("Attribute \"", code,
                               "\" expects an existing and activated locale, \"",
                               given, "\" given."));
    }
    if (!is_locale && !ctx.catalog->ChannelExists(given)) {
      return Unprocessable(Cat("Attribute \"", code,
                               "\" expects an existing channel code, \"", given,
                               "\" given."));
    }
    context[i] = given;
  }
  c->key = ValueFacts::Key(code, context[0], context[1]);
  c->hash = ValueFacts::KeyHash(c->key);

  c->negate = op == "!=" || op == "NOT IN" || op == "DOES NOT CONTAIN" ||
              op == "NOT BETWEEN";
  c->op = op == "=" || op == "!="                 ? Op::kEq
          : op == "<"                             ? Op::kLt
          : op == "<="                            ? Op::kLte
          : op == ">"                             ? Op::kGt
          : op == ">="                            ? Op::kGte
          : op == "STARTS WITH"                   ? Op::kStartsWith
          : op == "CONTAINS" || op == "DOES NOT CONTAIN" ? Op::kContains
          : op == "IN" || op == "NOT IN"          ? Op::kIn
          : op == "BETWEEN" || op == "NOT BETWEEN" ? Op::kBetween
          : op == "EMPTY"                         ? Op::kEmpty
                                                  : Op::kNotEmpty;
  if (c->op == Op::kEmpty || c->op == Op::kNotEmpty) return absl::OkStatus();

  static const Json kNull;
  auto vit = filter.find("value");
  const Json& value = vit == filter.end() ? kNull : *vit;
  switch (c->type) {
    case ValueType::kText:
    case ValueType::kFile:
      if (c->op == Op::kIn) {
        if (absl::Status s = ReadStringSet(code, value, &c->set); !s.ok()) return s;
        for (const std::string& v : c->set) c->text_hashes.insert(ValueFacts::KeyHash(v));
        return absl::OkStatus();
      }
      if (!value.is_string()) return ExpectsValue(code, "a string", value);
      c->text = value.get<std::string>();
      // A file is compared by its name, not its whole text.
      if (c->type == ValueType::kText && c->op == Op::kEq) {
        c->text_hashes.insert(ValueFacts::KeyHash(c->text));
      }
      return absl::OkStatus();
    case ValueType::kNumber:
    case ValueType::kAmount: {
      const Json* amount = &value;
      if (c->type == ValueType::kAmount && value.is_object()) {
        const char* unit = t == kPriceType ? "currency" : "unit";
        auto a = value.find("amount");
        if (a == value.end()) {
          return Unprocessable(Cat("Property \"", code,
                                   "\" expects an array with the key \"amount\" "
                                   "as data."));
        }
        amount = &*a;
        if (auto u = value.find(unit); u != value.end() && !u->is_null()) {
          if (!u->is_string()) {
            return Unprocessable(Cat("Property \"", code, "\" expects a string "
                                     "as \"", unit, "\", \"", PhpTypeName(*u),
                                     "\" given."));
          }
          c->text = u->get<std::string>();
        }
      }
      std::optional<double> n = NumberOf(*amount);
      if (!n) return ExpectsValue(code, "a numeric", *amount);
      c->from = *n;
      return absl::OkStatus();
    }
    case ValueType::kOption:
      if (absl::Status s = ReadStringSet(code, value, &c->set); !s.ok()) return s;
      for (const std::string& option : c->set) {
        c->text_hashes.insert(ValueFacts::KeyHash(option));
        if (!ctx.catalog->HasOption(code, option)) {
          return Unprocessable(Cat("Property \"", code,
                                   "\" expects a valid code. The option does "
                                   "not exist, \"",
                                   option, "\" given."));
        }
      }
      return absl::OkStatus();
    case ValueType::kBoolean:
      if (!value.is_boolean()) return ExpectsValue(code, "a boolean", value);
      c->from = value.get<bool>() ? 1 : 0;
      return absl::OkStatus();
    case ValueType::kDate: {
      auto day = [&](const Json& v) -> absl::StatusOr<double> {
        std::optional<double> d;
        if (v.is_string()) d = ParseDay(v.get_ref<const std::string&>());
        if (!d) {
          return Unprocessable(Cat(
              "Property \"", code,
              "\" expects a string with the format \"yyyy-mm-dd\" as data, \"",
              v.is_string() ? v.get<std::string>() : DumpJson(v), "\" given."));
        }
        return *d;
      };
      if (c->op == Op::kBetween) {
        if (!value.is_array() || value.size() != 2) {
          return ExpectsValue(code, "an array with 2 dates", value);
        }
        absl::StatusOr<double> a = day(value[0]);
        if (!a.ok()) return a.status();
        absl::StatusOr<double> b = day(value[1]);
        if (!b.ok()) return b.status();
        c->from = *a;
        c->to = *b;
        return absl::OkStatus();
      }
      absl::StatusOr<double> d = day(value);
      if (!d.ok()) return d.status();
      c->from = *d;
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

bool ProductFilter::AtomHolds(const ValueCondition& c, const ValueFacts& values,
                              const ValueFacts::Atom& a) {
  return ScalarHolds(c, values.text(a), a.number, a.kind);
}

bool ProductFilter::ScalarHolds(const ValueCondition& c, std::string_view s,
                                double n, ValueFacts::Kind kind) {
  switch (c.type) {
    case ValueType::kText:
    case ValueType::kFile: {
      if (c.type == ValueType::kFile) s = FileNameOf(s);
      switch (c.op) {
        case Op::kEq: return s == c.text;
        case Op::kStartsWith: return StartsWith(s, c.text);
        case Op::kContains: return Contains(s, c.text);
        case Op::kIn: return c.set.contains(AV(s));
        default: return false;
      }
    }
    case ValueType::kOption:
      return c.set.contains(AV(s));
    case ValueType::kBoolean:
      return kind == ValueFacts::Kind::kBoolean && n == c.from;
    case ValueType::kNumber:
    case ValueType::kAmount:
    case ValueType::kDate:
      // NaN (no number) compares false everywhere.
      switch (c.op) {
        case Op::kEq: return n == c.from;
        case Op::kLt: return n < c.from;
        case Op::kLte: return n <= c.from;
        case Op::kGt: return n > c.from;
        case Op::kGte: return n >= c.from;
        case Op::kBetween: return n >= c.from && n <= c.to;
        default: return false;
      }
  }
  return false;
}

bool ProductFilter::Holds(const ValueCondition& c, const ValueFacts* values) {
  bool present = false;
  bool hit = false;
  if (values != nullptr) {
    const bool presence_only = c.op == Op::kEmpty || c.op == Op::kNotEmpty;
    for (const ValueFacts::Atom& a : values->atoms()) {
      if (a.hash != c.hash || values->key(a) != c.key) continue;
      // An amount's unit or currency, when the filter names one.
      if (c.type == ValueType::kAmount && !c.text.empty() &&
          (a.kind != ValueFacts::Kind::kAmount || values->text(a) != c.text)) {
        continue;
      }
      present = true;
      if (presence_only) break;
      if (AtomHolds(c, *values, a)) {
        hit = true;
        break;
      }
    }
  }
  if (c.op == Op::kEmpty) return !present;
  if (c.op == Op::kNotEmpty) return present;
  return c.negate ? present && !hit : hit;
}


// ---------------------------------------------------------------------------
// ValueIndex.

namespace {

// Calls fn(key, first, count) for each run of atoms of one value.
template <typename Fn>
void ForEachValue(const ValueFacts& facts, Fn fn) {
  absl::Span<const ValueFacts::Atom> atoms = facts.atoms();
  for (size_t i = 0; i < atoms.size();) {
    size_t j = i + 1;
    while (j < atoms.size() && atoms[j].key_at == atoms[i].key_at) ++j;
    fn(facts.key(atoms[i]), static_cast<uint32_t>(i), static_cast<uint32_t>(j - i));
    i = j;
  }
}

}  // namespace

std::string ValueIndex::AmountKey(std::string_view key, std::string_view unit) {
  std::string out(key);
  out.push_back('\x01');
  out.append(unit);
  return out;
}

namespace {

ValueIndex::Cell CellOf(const ValueFacts* facts, uint32_t first, uint32_t count) {
  absl::Span<const ValueFacts::Atom> atoms = facts->atoms();
  const ValueFacts::Atom& a = atoms[first];
  ValueIndex::Cell cell;
  cell.facts = facts;
  cell.number = kNaN;
  cell.max = kNaN;
  for (uint32_t i = first; i < first + count; ++i) {
    const double n = atoms[i].number;
    if (std::isnan(n)) continue;
    if (std::isnan(cell.number) || n < cell.number) cell.number = n;
    if (std::isnan(cell.max) || n > cell.max) cell.max = n;
  }
  cell.first = first;
  const std::string_view text = facts->text(a);
  cell.text_at = 0;  // set by Put
  cell.text_len = static_cast<uint32_t>(text.size());
  cell.text_hash = ValueFacts::KeyHash(text);
  cell.count = static_cast<uint16_t>(std::min<uint32_t>(count, 0xffff));
  cell.kind = a.kind;
  return cell;
}

// Adds `owner`'s cell for the value whose first atom is `first`.
void Put(ValueIndex::Column& column, const void* owner, const ValueFacts* facts,
         uint32_t first, uint32_t count) {
  ValueIndex::Cell cell = CellOf(facts, first, count);
  cell.text_at = static_cast<uint32_t>(column.texts.size());
  // A second value of the same key (a document listing it twice) is read
  // through the first one's facts, which hold both.
  if (column.cells.emplace(owner, cell).second) {
    column.texts.append(facts->text(facts->atoms()[first]));
  }
}

}  // namespace

void ValueIndex::Add(const void* owner, const ValueFacts* facts) {
  ForEachValue(*facts, [&](std::string_view key, uint32_t first, uint32_t count) {
    Put(columns_[AV(key)], owner, facts, first, count);
    for (uint32_t i = first; i < first + count; ++i) {
      const ValueFacts::Atom& a = facts->atoms()[i];
      if (a.kind != ValueFacts::Kind::kAmount) continue;
      Put(columns_[AmountKey(key, facts->text(a))], owner, facts, i, 1);
    }
  });
}

void ValueIndex::Remove(const void* owner, const ValueFacts* facts) {
  auto erase = [&](std::string_view key) {
    auto it = columns_.find(AV(key));
    if (it == columns_.end()) return;
    Column& column = it->second;
    auto cell = column.cells.find(owner);
    if (cell == column.cells.end()) return;
    column.dead += cell->second.text_len;
    column.cells.erase(cell);
    if (column.cells.empty()) {
      columns_.erase(it);
      return;
    }
    // Rewritten products leave dead texts; copy the live ones once they
    // are the smaller half.
    if (column.dead > 4096 && column.dead * 2 > column.texts.size()) {
      std::string texts;
      texts.reserve(column.texts.size() - column.dead);
      for (auto& [o, c] : column.cells) {
        const std::string_view text = column.text(c);
        c.text_at = static_cast<uint32_t>(texts.size());
        texts.append(text);
      }
      column.texts = std::move(texts);
      column.dead = 0;
    }
  };
  ForEachValue(*facts, [&](std::string_view key, uint32_t first, uint32_t count) {
    erase(key);
    for (uint32_t i = first; i < first + count; ++i) {
      const ValueFacts::Atom& a = facts->atoms()[i];
      if (a.kind == ValueFacts::Kind::kAmount) erase(AmountKey(key, facts->text(a)));
    }
  });
}

const ValueIndex::Column* ValueIndex::Find(std::string_view key) const {
  auto it = columns_.find(AV(key));
  return it == columns_.end() ? nullptr : &it->second;
}

bool ProductFilter::CellHolds(const ValueCondition& c,
                              const ValueIndex::Column& column,
                              const ValueIndex::Cell& cell) {
  // The cell is the owner's value (or, for an amount of a given unit, its
  // amount of that unit), so the owner has the value.
  if (c.op == Op::kEmpty || c.op == Op::kNotEmpty) return c.op == Op::kNotEmpty;
  bool hit;
  if (c.type == ValueType::kAmount && cell.count > 1) {
    // Some amount holds: the smallest or largest says so, except for =.
    switch (c.op) {
      case Op::kLt: hit = cell.number < c.from; break;
      case Op::kLte: hit = cell.number <= c.from; break;
      case Op::kGt: hit = cell.max > c.from; break;
      case Op::kGte: hit = cell.max >= c.from; break;
      default:
        if (!(cell.number <= c.from && c.from <= cell.max)) {
          hit = false;
          break;
        }
        return Holds(c, cell.facts);
    }
  } else if (cell.count != 1) {
    return Holds(c, cell.facts);
  } else {
    // One atom, all of it in the cell.
    hit = (c.text_hashes.empty() || c.text_hashes.contains(cell.text_hash)) &&
          ScalarHolds(c, column.text(cell), cell.number,
                      cell.kind);
  }
  return c.negate ? !hit : hit;
}

ProductFilter::Indexed ProductFilter::Index(const ValueIndex& index) const {
  Indexed out;
  for (const ValueCondition& c : values_) {
    Indexed::Test t;
    // An amount of a given unit or currency has a column of its own, whose
    // cells hold that one amount.
    const bool by_unit = c.type == ValueType::kAmount && !c.text.empty();
    t.present = index.Find(by_unit ? ValueIndex::AmountKey(c.key, c.text) : c.key);
    t.absent = Holds(c, nullptr);
    if (t.present != nullptr) {
      for (const auto& [owner, cell] : t.present->cells) {
        if (CellHolds(c, *t.present, cell)) t.hits.insert(owner);
      }
    }
    out.tests_.push_back(std::move(t));
  }
  for (size_t i = 0; i < out.tests_.size(); ++i) {
    const Indexed::Test& t = out.tests_[i];
    if (t.absent) continue;
    if (out.candidates_ < 0 || t.hits.size() < out.tests_[out.candidates_].hits.size()) {
      out.candidates_ = static_cast<int>(i);
    }
  }
  return out;
}

bool ProductFilter::Indexed::Matches(const void* owner) const {
  for (const Test& t : tests_) {
    if (!t.absent) {
      if (!t.hits.contains(owner)) return false;
    } else if (t.present != nullptr && t.present->contains(owner) &&
               !t.hits.contains(owner)) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<ProductFilter> ProductFilter::Parse(std::string_view search,
                                                   absl::Time now,
                                                   CategoryExpander expand,
                                                   ProductModelExpander expand_models,
                                                   const ValueFilterContext& values) {
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
          std::optional<FilterAttribute> attribute;
          if (values.catalog != nullptr) attribute = values.catalog->Attribute(property);
          if (!attribute) return Unsupported(property, op);
          ValueCondition vc;
          if (absl::Status s = ParseValueCondition(values, *attribute, property,
                                                   op, filter, &vc);
              !s.ok()) {
            return s;
          }
          result.values_.push_back(std::move(vc));
          return absl::OkStatus();
        }
        result.conditions_.push_back(std::move(c));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return result;
}

bool ProductFilter::MatchesProperties(const ProductFacts& p) const {
  for (const Condition& c : conditions_) {
    if (!Holds(c, p)) return false;
  }
  return true;
}

bool ProductFilter::Matches(const ProductFacts& p) const {
  if (!MatchesProperties(p)) return false;
  for (const ValueCondition& c : values_) {
    if (!Holds(c, p.values)) return false;
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
