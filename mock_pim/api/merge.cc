#include "mock_pim/api/merge.h"

#include <string>

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

void MergeObjects(const Json& patch, Json* target) {
  if (!target->is_object()) *target = Json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const Json& value = it.value();
    Json& slot = (*target)[it.key()];
    if (value.is_object() && slot.is_object()) {
      MergeObjects(value, &slot);
    } else {
      slot = value;
    }
  }
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
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (it.value().is_null() || it.value().get_ref<const std::string&>().empty()) {
          slot->erase(it.key());
        } else {
          (*slot)[it.key()] = it.value();
        }
      }
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

bool SameChannelAndLocale(const Json& a, const Json& b) {
  return a.value("locale", Json()) == b.value("locale", Json()) &&
         a.value("scope", Json()) == b.value("scope", Json());
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
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    Json& current = (*values)[it.key()];
    if (!current.is_array()) current = Json::array();
    for (const Json& entry : it.value()) {
      Json normalized = Json::object();
      normalized["locale"] = entry.value("locale", Json());
      normalized["scope"] = entry.value("scope", Json());
      normalized["data"] = entry["data"];
      bool found = false;
      for (size_t i = 0; i < current.size(); ++i) {
        if (SameChannelAndLocale(current[i], normalized)) {
          found = true;
          if (normalized["data"].is_null()) {
            current.erase(i);
          } else {
            current[i] = std::move(normalized);
          }
          break;
        }
      }
      if (!found && !normalized["data"].is_null()) {
        current.push_back(std::move(normalized));
      }
    }
    if (current.empty()) values->erase(it.key());
  }
  return absl::OkStatus();
}

}  // namespace pimsim::api
