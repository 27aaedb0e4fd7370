#include "mock_pim/api/json_util.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace pimsim::api {
namespace {

// Builds the DOM of a request's JSON from nlohmann's SAX events (its parser
// is iterative), refusing it as soon as a JsonLimits limit is passed: the
// parse stops there, before the text's nesting or size costs anything.
//
// Keys are appended to their object directly, and an object past
// kIndexedKeys keys finds duplicates through a hash index, so parsing is
// linear (nlohmann's own DOM parser looks each key up linearly). A
// duplicate key keeps its first position and takes the last value, as
// nlohmann's parser does.
class LimitedDomBuilder {
 public:
  using Members = Json::object_t::Container;  // ordered_map's vector of pairs

  explicit LimitedDomBuilder(const JsonLimits& limits) : limits_(limits) {
    open_.reserve(std::min<size_t>(limits.max_depth, 64));
  }

  // The document, or why it was refused (an OK status: malformed JSON).
  Json TakeResult() { return std::move(root_); }
  const absl::Status& limit_error() const { return limit_error_; }

  bool null() { return Put(Json(nullptr)) != nullptr; }
  bool boolean(bool v) { return Put(Json(v)) != nullptr; }
  bool number_integer(Json::number_integer_t v) { return Put(Json(v)) != nullptr; }
  bool number_unsigned(Json::number_unsigned_t v) { return Put(Json(v)) != nullptr; }
  bool number_float(Json::number_float_t v, const std::string&) { return Put(Json(v)) != nullptr; }
  bool string(std::string& v) { return Put(Json(std::move(v))) != nullptr; }
  bool binary(Json::binary_t&) { return false; }  // not produced by JSON text
  bool start_object(std::size_t) { return Open(Json::object()); }
  bool start_array(std::size_t) { return Open(Json::array()); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool parse_error(std::size_t, const std::string&, const Json::exception&) { return false; }

  bool key(std::string& k) {
    Level& level = open_.back();
    Members& object = level.value->get_ref<Json::object_t&>();
    if (std::optional<size_t> at = level.Find(object, k)) {
      slot_ = &object[*at].second;  // a duplicate: the last value wins
      return true;
    }
    if (object.size() == limits_.max_object_keys) {
      return Refuse(absl::ResourceExhaustedError(absl::StrCat(
          kInvalidJsonMessage, ": an object has more than ", limits_.max_object_keys, " keys.")));
    }
    // ordered_map's own emplace would search the keys again.
    object.emplace_back(std::move(k), nullptr);
    level.Added(object);
    slot_ = &object.back().second;
    return true;
  }

 private:
  static constexpr size_t kIndexedKeys = 16;

  struct Level {
    Json* value;
    // Key -> position, once the object has kIndexedKeys keys.
    std::unique_ptr<absl::flat_hash_map<std::string, size_t>> index;

    std::optional<size_t> Find(const Members& object, const std::string& k) const {
      if (index != nullptr) {
        auto it = index->find(k);
        if (it == index->end()) return std::nullopt;
        return it->second;
      }
      for (size_t i = 0; i < object.size(); ++i) {
        if (object[i].first == k) return i;
      }
      return std::nullopt;
    }
    void Added(const Members& object) {
      if (index != nullptr) {
        index->emplace(object.back().first, object.size() - 1);
      } else if (object.size() == kIndexedKeys) {
        index = std::make_unique<absl::flat_hash_map<std::string, size_t>>();
        for (size_t i = 0; i < object.size(); ++i) index->emplace(object[i].first, i);
      }
    }
  };

  bool Refuse(absl::Status status) {
    limit_error_ = std::move(status);
    return false;
  }

  // Stores a value where the document expects the next one; nullptr if a
  // limit refuses it.
  Json* Put(Json v) {
    if (++values_ > limits_.max_values) {
      Refuse(absl::ResourceExhaustedError(absl::StrCat(
          kInvalidJsonMessage, ": the document holds more than ", limits_.max_values,
          " values.")));
      return nullptr;
    }
    if (open_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Json& container = *open_.back().value;
    if (container.is_object()) {
      *slot_ = std::move(v);
      return slot_;
    }
    Json::array_t& array = container.get_ref<Json::array_t&>();
    if (array.size() == limits_.max_array_items) {
      Refuse(absl::ResourceExhaustedError(absl::StrCat(
          kInvalidJsonMessage, ": an array has more than ", limits_.max_array_items, " items.")));
      return nullptr;
    }
    array.push_back(std::move(v));
    return &array.back();
  }

  bool Open(Json container) {
    if (open_.size() == limits_.max_depth) {
      return Refuse(absl::InvalidArgumentError(
          absl::StrCat(kInvalidJsonMessage, ": objects and arrays nest more than ",
                       limits_.max_depth, " levels deep.")));
    }
    Json* placed = Put(std::move(container));
    if (placed == nullptr) return false;
    // Stable while it is open: only the innermost open container grows.
    open_.push_back(Level{placed, nullptr});
    return true;
  }

  bool Close() {
    open_.pop_back();
    return true;
  }

  const JsonLimits limits_;
  Json root_;
  std::vector<Level> open_;
  Json* slot_ = nullptr;  // where an object's next value goes
  size_t values_ = 0;
  absl::Status limit_error_;
};

}  // namespace

std::optional<Json> ParseJson(std::string_view text) {
  // Linear too: a stored document may have grown past the limits of one
  // request, PATCH after PATCH.
  constexpr size_t kNone = std::numeric_limits<size_t>::max();
  absl::StatusOr<Json> doc = ParseRequestJson(text, JsonLimits{kNone, kNone, kNone, kNone});
  if (!doc.ok()) return std::nullopt;
  return *std::move(doc);
}

absl::StatusOr<Json> ParseRequestJson(std::string_view text, const JsonLimits& limits) {
  LimitedDomBuilder builder(limits);
  if (!Json::sax_parse(text.begin(), text.end(), &builder)) {
    if (!builder.limit_error().ok()) return builder.limit_error();
    return absl::InvalidArgumentError(kInvalidJsonMessage);
  }
  return builder.TakeResult();
}

absl::StatusOr<Json> ParseRequestObject(std::string_view text,
                                        const JsonLimits& limits) {
  absl::StatusOr<Json> doc = ParseRequestJson(text, limits);
  if (doc.ok() && !doc->is_object()) {
    return absl::InvalidArgumentError(kInvalidJsonMessage);
  }
  return doc;
}

bool IsMalformedJson(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument &&
         status.message() == kInvalidJsonMessage;
}

int JsonErrorHttpStatus(const absl::Status& status) {
  return status.code() == absl::StatusCode::kResourceExhausted ? 413 : 400;
}

std::string DumpJson(const Json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false,
                    nlohmann::json::error_handler_t::replace);
}

const char* PhpTypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "NULL";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "integer";
    case Json::value_t::number_float: return "double";
    case Json::value_t::string: return "string";
    default: return "array";
  }
}

std::string StringOr(const Json& doc, const char* key, std::string fallback) {
  if (!doc.is_object()) return fallback;
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

bool ListHas(const Json& list, std::string_view value) {
  for (const Json& v : list) {
    if (v.is_string() && v.get_ref<const std::string&>() == value) return true;
  }
  return false;
}

}  // namespace pimsim::api
