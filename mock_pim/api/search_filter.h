// The `search` query parameter of Akeneo lists: a URL-decoded JSON object
// {"property":[{"operator":"IN","value":[...]}, ...], ...}. Every condition
// must hold for an item to match.
//
// Products support these properties:
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
// and, when Parse is given a ValueCatalog, filters on the values of any
// attribute, by its type (the value's JSON type in parentheses):
//   identifier, text, textarea  STARTS WITH, CONTAINS, DOES NOT CONTAIN, =,
//               != (string), IN, NOT IN (array of strings), EMPTY, NOT EMPTY
//   file, image STARTS WITH, CONTAINS, DOES NOT CONTAIN, =, != (string),
//               EMPTY, NOT EMPTY; on the original file name, which is the
//               part of the stored file key after "<hash>_"
//   number, metric, price collection  <, <=, =, !=, >=, > (a number or a
//               numeric string), EMPTY, NOT EMPTY. A metric compares the
//               stored amount, in the unit it is stored in: there is no unit
//               conversion, and {"amount":n,"unit":"U"} compares only values
//               stored in unit U. A price collection matches when one of its
//               prices does (!=: when none is equal);
//               {"amount":n,"currency":"EUR"} looks at the EUR price only.
//   simple select, multi select  IN, NOT IN (array of option codes of the
//               attribute; a multi select matches IN when one of its options
//               is listed), EMPTY, NOT EMPTY
//   boolean     =, != (boolean), EMPTY, NOT EMPTY
//   date        <, =, !=, > ("yyyy-mm-dd"), BETWEEN, NOT BETWEEN (two of
//               them, both days included), EMPTY, NOT EMPTY
// A value filter looks at the value of its `locale` and `scope`: a
// localizable attribute needs a locale (the filter's, else the
// `search_locale` parameter), an active one; a scopable attribute a scope
// (the filter's, else `search_scope`), an existing channel. A non-localizable
// attribute refuses a filter's own locale and ignores `search_locale`; the
// same for scopes. The negative operators (!=, NOT IN, DOES NOT CONTAIN, NOT
// BETWEEN) match only products that have the value, as Akeneo's index does;
// EMPTY matches a missing value, null, "" and []. Texts compare bytes, case
// included.
// Product model lists use the same filters, "identifier" being the code,
// on the model's own values.
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
// A filter on its own is then a 422 when it names an unknown property or
// attribute, or an operator its type does not support (`Filter on property
// "x" is not supported or does not support operator "y"`), has a value of the
// wrong type (`Property "weight" expects a numeric as data, "string"
// given.`), an unknown option, or a missing, inactive or unexpected locale or
// scope (`Attribute "name" expects a locale, none given.`).
//
// Cost: a filter is parsed once per request and never parses JSON to
// match. Matches() reads a product's ValueFacts (its values, pre-parsed when
// its document was written); Index() evaluates the value conditions once
// over a ValueIndex (every product's values by key, one compact column per
// attribute, locale and scope) and then tests a product by its address,
// with candidates() to walk only the products a condition leaves. The
// product lists use Index(); product model lists, which are small, Matches().
//
// Thread-safety: a parsed filter is immutable and can be shared; so are
// ValueFacts once built. A ValueIndex is read-shared like the Store that
// owns it; an Indexed evaluation holds pointers into it.
//
//   absl::StatusOr<ProductFilter> f = ProductFilter::Parse(
//       R"({"weight":[{"operator":">","value":10}]})", now, no_children,
//       no_sub_models, {&catalog, /*search_locale=*/"en_US", ""});
//   if (f.ok() && f->Matches(facts)) ...
//   ProductFilter::Indexed by_index = f->Index(store.value_index());
//   if (by_index.Matches(product) && f->MatchesProperties(facts)) ...
#ifndef PIMSIM_MOCK_PIM_API_SEARCH_FILTER_H_
#define PIMSIM_MOCK_PIM_API_SEARCH_FILTER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "mock_pim/api/json_util.h"

namespace pimsim::api {

// The values of one product (or product model) as value filters see them,
// built once when its document is written so that filtering never parses
// JSON. A value is an attribute code with its locale and scope (empty for
// none); each scalar of its data is one atom: a string (a number kept too
// when it is numeric, or the day when it is a date "yyyy-mm-dd..."), a
// number, a boolean, each option of a multi select, each {amount, currency}
// of a price collection and a metric's {amount, unit} (the currency or unit
// as text, the amount as number). null, "" and [] give no atom.
class ValueFacts {
 public:
  enum class Kind : uint8_t { kString, kNumber, kBoolean, kAmount };
  struct Atom {
    uint32_t hash;  // of the key, KeyHash()
    uint32_t key_at;
    uint32_t text_at;
    uint32_t text_len;
    double number;  // NaN when none
    uint16_t key_len;
    Kind kind;
  };

  // The atoms of a document's "values" object; other shapes give none.
  static ValueFacts FromJson(const Json& values);

  // Building by hand: Begin a value, then add its atoms.
  void Begin(std::string_view attribute, std::string_view locale,
             std::string_view scope);
  void AddString(std::string_view text);
  void AddNumber(double n);
  void AddBoolean(bool b);
  // A price (`unit` is the currency) or a metric.
  void AddAmount(std::string_view unit, double amount);
  // Drops spare capacity once built.
  void Shrink();

  // "attribute\0locale\0scope", the key atoms are looked up by.
  static std::string Key(std::string_view attribute, std::string_view locale,
                         std::string_view scope);
  static uint32_t KeyHash(std::string_view key);

  absl::Span<const Atom> atoms() const { return atoms_; }
  std::string_view key(const Atom& a) const {
    return std::string_view(blob_).substr(a.key_at, a.key_len);
  }
  std::string_view text(const Atom& a) const {
    return std::string_view(blob_).substr(a.text_at, a.text_len);
  }
  // Same atoms (keys, kinds, texts and numbers) in the same order.
  bool operator==(const ValueFacts& other) const;

 private:
  void Push(Kind kind, std::string_view text, double number);

  std::string blob_;  // keys and texts, back to back
  std::vector<Atom> atoms_;
  // The value Begin started: its key is at the end of blob_ until an atom
  // uses it.
  uint32_t key_at_ = 0, hash_ = 0;
  uint16_t key_len_ = 0;
  bool key_used_ = true;
};

// The values of many owners (products) by key, so that a value filter
// reads one compact column instead of every product. Each owner's value of
// a key is a cell: its first atom's kind and text hash and its atoms'
// smallest and largest numbers inline, so that numbers, booleans, dates,
// single options and most amount comparisons are tested without reading
// the owner's ValueFacts. Amounts are also indexed per unit or currency,
// under AmountKey(key, unit). A column keeps its cells' texts back to back,
// so that scanning it stays in a few megabytes of memory.
//
// Thread-safety: none; the owner of the index (the Store) serializes writes.
class ValueIndex {
 public:
  struct Cell {
    const ValueFacts* facts;
    double number;       // the smallest of the atoms' numbers (NaN: none)
    double max;          // the largest
    uint32_t text_at;    // the first atom's text, in the column's texts
    uint32_t text_len;
    uint32_t first;      // index of the first atom in facts->atoms()
    uint32_t text_hash;  // of the first atom's text, ValueFacts::KeyHash
    uint16_t count;      // atoms of the value
    ValueFacts::Kind kind;
  };
  struct Column {
    absl::flat_hash_map<const void*, Cell> cells;
    std::string texts;  // the cells' texts, and dead ones
    size_t dead = 0;    // bytes of texts no cell uses
    bool contains(const void* owner) const { return cells.contains(owner); }
    std::string_view text(const Cell& cell) const {
      return std::string_view(texts).substr(cell.text_at, cell.text_len);
    }
  };

  // Indexes `facts` under `owner`; `facts` must stay put, unchanged, until
  // Remove.
  void Add(const void* owner, const ValueFacts* facts);
  void Remove(const void* owner, const ValueFacts* facts);
  // Null when no owner has a value of `key`.
  const Column* Find(std::string_view key) const;
  // The column of the amounts of `unit` (a currency) of values of `key`.
  static std::string AmountKey(std::string_view key, std::string_view unit);

 private:
  absl::flat_hash_map<std::string, Column> columns_;
};

// An attribute as value filters need it; `type` is a model.h type.
struct FilterAttribute {
  std::string_view type;
  bool localizable = false;
  bool scopable = false;
};

// The catalogue value filters are checked against.
class ValueCatalog {
 public:
  virtual ~ValueCatalog() = default;
  // nullopt for an unknown attribute.
  virtual std::optional<FilterAttribute> Attribute(
      std::string_view code) const = 0;
  virtual bool HasOption(std::string_view attribute,
                         std::string_view option) const = 0;
  virtual bool LocaleActive(std::string_view locale) const = 0;
  virtual bool ChannelExists(std::string_view channel) const = 0;
};

// What value filters take besides the search text.
struct ValueFilterContext {
  const ValueCatalog* catalog = nullptr;  // null: no value filters
  std::string_view search_locale;         // empty when not given
  std::string_view search_scope;
};

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
  const ValueFacts* values = nullptr;  // null: no values
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
 private:
  enum class Field { kIdentifier, kUuid, kFamily, kCategories, kEnabled,
                     kCreated, kUpdated, kParent };
  enum class Op { kEq, kNeq, kIn, kNotIn, kStartsWith, kContains,
                  kNotContains, kEmpty, kNotEmpty, kUnclassified,
                  kInOrUnclassified, kLt, kGt, kBetween, kNotBetween,
                  kLte, kGte };

 public:
  // An empty filter matches everything.
  ProductFilter() = default;
  // Parses the decoded `search` value. `now` anchors "SINCE LAST N DAYS".
  static absl::StatusOr<ProductFilter> Parse(
      std::string_view search, absl::Time now, CategoryExpander expand,
      ProductModelExpander expand_models,
      const ValueFilterContext& values = {});

  bool Matches(const ProductFacts& product) const;
  // The property conditions alone (with Indexed for the value ones).
  bool MatchesProperties(const ProductFacts& product) const;

  // The value conditions evaluated once over an index: then testing an
  // owner is a few hash lookups, without reading it.
  class Indexed {
   public:
    bool Matches(const void* owner) const;
    // The owners that can match, when a condition narrows them to a set
    // (the smallest such set); null when every owner must be tested.
    const absl::flat_hash_set<const void*>* candidates() const {
      return candidates_ < 0 ? nullptr : &tests_[candidates_].hits;
    }

   private:
    friend class ProductFilter;
    // One condition: an owner with a value of its key (in `present`)
    // matches when it is in `hits`; one without matches when `absent`.
    struct Test {
      const ValueIndex::Column* present = nullptr;  // null: nobody has it
      absl::flat_hash_set<const void*> hits;
      bool absent = false;
    };
    std::vector<Test> tests_;
    int candidates_ = -1;  // a test whose hits are all that can match
  };
  Indexed Index(const ValueIndex& index) const;
  bool has_property_conditions() const { return !conditions_.empty(); }

  bool empty() const { return conditions_.empty() && values_.empty(); }
  // True when some condition is on attribute values.
  bool has_value_conditions() const { return !values_.empty(); }

 private:
  struct Condition {
    Field field;
    Op op;
    std::string text;
    absl::flat_hash_set<std::string> set;
    bool flag = false;
    absl::Time from;
    absl::Time to;
  };
  // How a value condition reads an atom.
  enum class ValueType { kText, kFile, kNumber, kAmount, kOption, kBoolean,
                         kDate };
  struct ValueCondition {
    std::string key;  // ValueFacts::Key
    uint32_t hash = 0;
    ValueType type;
    Op op;  // never a negative one: `negate` says so
    bool negate = false;
    std::string text;  // the string operand, or the amount's unit or currency
    absl::flat_hash_set<std::string> set;
    double from = 0, to = 0;  // numbers, or days since 1970-01-01
    // KeyHash of `text` and of each of `set`, to skip cells cheaply.
    absl::flat_hash_set<uint32_t> text_hashes;
  };
  bool Holds(const Condition& c, const ProductFacts& p) const;
  static bool Holds(const ValueCondition& c, const ValueFacts* values);
  static bool AtomHolds(const ValueCondition& c, const ValueFacts& values,
                        const ValueFacts::Atom& a);
  // An atom of text `s` and number `n`.
  static bool ScalarHolds(const ValueCondition& c, std::string_view s, double n,
                          ValueFacts::Kind kind);
  // Holds(c, cell.facts), from the cell alone where it can.
  static bool CellHolds(const ValueCondition& c, const ValueIndex::Column& column,
                        const ValueIndex::Cell& cell);
  static absl::Status ParseValueCondition(const ValueFilterContext& ctx,
                                          const FilterAttribute& attribute,
                                          const std::string& code,
                                          const std::string& op,
                                          const Json& filter,
                                          ValueCondition* c);

  std::vector<Condition> conditions_;
  std::vector<ValueCondition> values_;
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
