#include "mock_pim/api/merge.h"

#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "mock_pim/api/str_util.h"
#include "absl/strings/str_cat.h"

namespace pimsim::api {
namespace {

absl::Status Expects(std::string_view property, std::string_view what,
                     const Json& given) {
  return absl::InvalidArgumentError(
      Cat("Property \"", property, "\" expects ", what,
                   " as data, \"", PhpTypeName(given), "\" given.",
                   kCheckFormat));
}

bool IsEmptyArray(const Json& v) { return v.is_array() && v.empty(); }

// The slots of an object's keys, found or appended in constant time:
// ordered_json's own lookup is a linear search, so merging key by key would
// be quadratic in the size of the patch. Views into the keys stay valid as
// keys are appended because the object's storage is reserved up front.
class Slots {
 public:
  // `*object` must be an object; at most `appends` keys will be added.
  Slots(Json* object, size_t appends) : members_(object->get_ref<Json::object_t&>()) {
    members_.reserve(members_.size() + appends);
    index_.reserve(members_.size() + appends);
    for (size_t i = 0; i < members_.size(); ++i) index_.emplace(members_[i].first, i);
  }
  // The value under `key`, or nullptr.
  Json* Find(std::string_view key) {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &members_[it->second].second;
  }
  // The value under `key`, appended as null if absent.
  Json& operator[](std::string_view key) {
    if (Json* found = Find(key)) return *found;
    members_.emplace_back(std::string(key), nullptr);
    index_.emplace(members_.back().first, members_.size() - 1);
    return members_.back().second;
  }

 private:
  Json::object_t::Container& members_;
  absl::flat_hash_map<std::string_view, size_t> index_;
};

// Removes the members whose value is null, keeping the others' order.
void EraseNullMembers(Json* object) {
  Json::object_t& members = object->get_ref<Json::object_t&>();
  Json kept = Json::object();
  Json::object_t::Container& out = kept.get_ref<Json::object_t&>();
  out.reserve(members.size());
  for (auto& [key, value] : members) {
    if (!value.is_null()) out.emplace_back(key, std::move(value));
  }
  *object = std::move(kept);
}

void MergeObjects(const Json& patch, Json* target) {
  if (!target->is_object() || target->empty()) {
    *target = patch;  // what merging it key by key into {} gives
    return;
  }
  Slots slots(target, patch.size());
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const Json& value = it.value();
    Json& slot = slots[it.key()];
    if (value.is_object() && slot.is_object()) {
      MergeObjects(value, &slot);
    } else {
      slot = value;
    }
  }
}

// A product value's context, (locale, scope), as a hash key. Both are null
// or strings once a patch is checked; anything else is kept apart.
std::string ContextKey(const Json& entry) {
  std::string key;
  for (const char* field : {"locale", "scope"}) {
    auto it = entry.find(field);
    if (it == entry.end() || it->is_null()) {
      key.push_back('n');
    } else if (it->is_string()) {
      const std::string& s = it->get_ref<const std::string&>();
      key.push_back('s');
      key.append(std::to_string(s.size())).push_back(':');
      key.append(s);
    } else {
      key.push_back('j');
      key.append(DumpJson(*it));
    }
  }
  return key;
}

bool IsNumeric(const Json& v) {
  if (v.is_number()) return true;
  if (!v.is_string()) return false;
  double unused;
  return absl::SimpleAtod(v.get_ref<const std::string&>(), &unused);
}

absl::Status MergeField(const FieldSpec& spec, const Json& value, Json* slot) {
  switch (spec.kind) {
    case FieldKind::kString:
      if (!value.is_string()) return Expects(spec.name, "a string", value);
      *slot = value;
      return absl::OkStatus();
    case FieldKind::kNullableString:
      if (!value.is_string() && !value.is_null()) {
        return Expects(spec.name, "a string", value);
      }
      *slot = value;
      return absl::OkStatus();
    case FieldKind::kBool:
      if (!value.is_boolean()) return Expects(spec.name, "a boolean", value);
      *slot = value;
      return absl::OkStatus();
    case FieldKind::kNullableBool:
      if (!value.is_boolean() && !value.is_null()) {
        return Expects(spec.name, "a boolean", value);
      }
      *slot = value;
      return absl::OkStatus();
    case FieldKind::kInteger:
      if (!value.is_number_integer()) {
        return Expects(spec.name, "an integer", value);
      }
      *slot = value;
      return absl::OkStatus();
    case FieldKind::kNullableNumber:
      if (!value.is_null() && !IsNumeric(value)) {
        return Expects(spec.name, "a number", value);
      }
      *slot = value;
      return absl::OkStatus();
    case FieldKind::kStringArray:
      if (!value.is_array()) return Expects(spec.name, "an array", value);
      for (const Json& item : value) {
        if (!item.is_string()) {
          return Expects(spec.name, "an array of strings", item);
        }
      }
      *slot = value;
      return absl::OkStatus();
    case FieldKind::kArray:
      if (!value.is_array()) return Expects(spec.name, "an array", value);
      *slot = value;
      return absl::OkStatus();
    case FieldKind::kObject:
      if (IsEmptyArray(value)) {
        if (!slot->is_object()) *slot = Json::object();
        return absl::OkStatus();
      }
      if (!value.is_object()) return Expects(spec.name, "an array", value);
      MergeObjects(value, slot);
      return absl::OkStatus();
    case FieldKind::kLabels: {
      if (IsEmptyArray(value)) {
        if (!slot->is_object()) *slot = Json::object();
        return absl::OkStatus();
      }
      if (!value.is_object()) return Expects(spec.name, "an array", value);
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!it.value().is_string() && !it.value().is_null()) {
          return Expects(spec.name, "an array of strings", it.value());
        }
      }
      if (!slot->is_object()) *slot = Json::object();
      bool erased = false;
      {
        Slots labels(slot, value.size());
        for (auto it = value.begin(); it != value.end(); ++it) {
          if (it.value().is_null() || it.value().get_ref<const std::string&>().empty()) {
            // Stored labels are strings: null marks the ones to drop.
            if (Json* label = labels.Find(it.key())) {
              *label = nullptr;
              erased = true;
            }
          } else {
            labels[it.key()] = it.value();
          }
        }
      }
      if (erased) EraseNullMembers(slot);
      return absl::OkStatus();
    }
    case FieldKind::kProductValues:
      if (!slot->is_object()) *slot = Json::object();
      return MergeProductValues(value, slot);
    case FieldKind::kReadOnly:
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status MergePatch(absl::Span<const FieldSpec> schema, const Json& patch,
                        Json* doc) {
  if (!patch.is_object()) {
    return absl::InvalidArgumentError("Invalid json message received");
  }
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const FieldSpec* spec = nullptr;
    for (const FieldSpec& f : schema) {
      if (f.name == it.key()) {
        spec = &f;
        break;
      }
    }
    if (spec == nullptr) {
      return absl::InvalidArgumentError(Cat(
          "Property \"", it.key(), "\" does not exist.", kCheckFormat));
    }
    if (spec->kind == FieldKind::kReadOnly) continue;
    if (absl::Status s = MergeField(*spec, it.value(), &(*doc)[it.key()]);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status MergeProductValues(const Json& patch, Json* values) {
  if (IsEmptyArray(patch)) return absl::OkStatus();
  if (!patch.is_object()) return Expects("values", "an array", patch);
  // Check the whole patch first so a refused patch changes nothing.
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const Json& entries = it.value();
    if (!entries.is_array()) {
      return absl::InvalidArgumentError(Cat(
          "Property \"values\" expects an array of values for the attribute \"",
          it.key(), "\", \"", PhpTypeName(entries), "\" given.", kCheckFormat));
    }
    for (const Json& entry : entries) {
      if (!entry.is_object() || !entry.contains("data")) {
        return absl::InvalidArgumentError(Cat(
            "Property \"values\" expects an array with the keys \"locale\", "
            "\"scope\" and \"data\" for the attribute \"",
            it.key(), "\".", kCheckFormat));
      }
      for (const char* key : {"locale", "scope"}) {
        auto f = entry.find(key);
        if (f != entry.end() && !f->is_null() && !f->is_string()) {
          return Expects(key, "a string", *f);
        }
      }
      for (auto f = entry.begin(); f != entry.end(); ++f) {
        if (f.key() != "locale" && f.key() != "scope" && f.key() != "data") {
          return absl::InvalidArgumentError(Cat(
              "Property \"", f.key(), "\" does not exist.", kCheckFormat));
        }
      }
    }
  }
  if (!values->is_object()) *values = Json::object();
  bool emptied = false;
  {
    Slots attributes(values, patch.size());
    for (auto it = patch.begin(); it != patch.end(); ++it) {
      Json& current = attributes[it.key()];
      if (!current.is_array()) current = Json::array();
      // Entry per context, each found in constant time; a cleared entry is
      // marked null and dropped after the pass, keeping the others' order.
      absl::flat_hash_map<std::string, size_t> by_context;
      by_context.reserve(current.size() + it.value().size());
      for (size_t i = 0; i < current.size(); ++i) by_context.emplace(ContextKey(current[i]), i);
      bool cleared = false;
      for (const Json& entry : it.value()) {
        Json normalized = Json::object();
        normalized["locale"] = entry.value("locale", Json());
        normalized["scope"] = entry.value("scope", Json());
        normalized["data"] = entry["data"];
        const bool clear = normalized["data"].is_null();
        std::string context = ContextKey(normalized);
        auto found = by_context.find(context);
        if (found != by_context.end()) {
          if (clear) {
            current[found->second] = nullptr;
            by_context.erase(found);
            cleared = true;
          } else {
            current[found->second] = std::move(normalized);
          }
        } else if (!clear) {
          by_context.emplace(std::move(context), current.size());
          current.push_back(std::move(normalized));
        }
      }
      if (cleared) {
        Json kept = Json::array();
        for (Json& e : current) {
          if (!e.is_null()) kept.push_back(std::move(e));
        }
        current = std::move(kept);
      }
      if (current.empty()) {
        current = nullptr;  // an attribute left without values is dropped
        emptied = true;
      }
    }
  }
  if (emptied) EraseNullMembers(values);
  return absl::OkStatus();
}

}  // namespace pimsim::api
