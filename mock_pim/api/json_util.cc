#include "mock_pim/api/json_util.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace pimsim::api {
namespace {

// Builds the DOM of a request's JSON from nlohmann's SAX events (its parser
// is iterative), refusing it as soon as a JsonLimits limit is passed: the
// parse stops there, before the text's nesting costs anything. A duplicate
// key keeps its first position and takes the last value, as nlohmann's
// parser does.
class LimitedDomBuilder {
 public:
  explicit LimitedDomBuilder(const JsonLimits& limits) : limits_(limits) {
    open_.reserve(std::min<size_t>(limits.max_depth, 64));
  }

  Json TakeResult() { return std::move(root_); }
  // Why the parse stopped, if a limit stopped it (else malformed JSON).
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
    slot_ = &(*open_.back())[k];
    return true;
  }

 private:
  bool Refuse(absl::Status status) {
    limit_error_ = std::move(status);
    return false;
  }

  // Stores a value where the document expects the next one.
  Json* Put(Json v) {
    if (open_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Json& container = *open_.back();
    if (container.is_object()) {
      *slot_ = std::move(v);
      return slot_;
    }
    Json::array_t& array = container.get_ref<Json::array_t&>();
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
    open_.push_back(placed);
    return true;
  }

  bool Close() {
    open_.pop_back();
    return true;
  }

  const JsonLimits limits_;
  Json root_;
  std::vector<Json*> open_;
  Json* slot_ = nullptr;  // where an object's next value goes
  absl::Status limit_error_;
};

}  // namespace

std::optional<Json> ParseJson(std::string_view text) {
  Json value = Json::parse(text.begin(), text.end(), /*cb=*/nullptr,
                           /*allow_exceptions=*/false);
  if (value.is_discarded()) return std::nullopt;
  return value;
}

absl::StatusOr<Json> ParseRequestJson(std::string_view text, const JsonLimits& limits) {
  LimitedDomBuilder builder(limits);
  if (!Json::sax_parse(text.begin(), text.end(), &builder)) {
    if (!builder.limit_error().ok()) return builder.limit_error();
    return absl::InvalidArgumentError(kInvalidJsonMessage);
  }
  return builder.TakeResult();
}

bool IsMalformedJson(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument &&
         status.message() == kInvalidJsonMessage;
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

}  // namespace pimsim::api
