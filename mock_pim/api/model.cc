#include "mock_pim/api/model.h"

#include "common/hex.h"

namespace pimsim::api {
namespace {

using K = FieldKind;

constexpr FieldSpec kProduct[] = {
    {"uuid", K::kReadOnly},       {"identifier", K::kNullableString},
    {"enabled", K::kBool},        {"family", K::kNullableString},
    {"categories", K::kStringArray}, {"groups", K::kStringArray},
    {"parent", K::kNullableString},  {"values", K::kProductValues},
    {"created", K::kReadOnly},    {"updated", K::kReadOnly},
    {"associations", K::kObject}, {"quantified_associations", K::kObject},
    {"metadata", K::kReadOnly},   {"_links", K::kReadOnly},
};

constexpr FieldSpec kProductModel[] = {
    {"code", K::kString},
    {"family", K::kNullableString},
    {"family_variant", K::kNullableString},
    {"parent", K::kNullableString},
    {"categories", K::kStringArray},
    {"values", K::kProductValues},
    {"associations", K::kObject},
    {"quantified_associations", K::kObject},
    {"created", K::kReadOnly},
    {"updated", K::kReadOnly},
    {"metadata", K::kReadOnly},
    {"quality_scores", K::kReadOnly},
    {"_links", K::kReadOnly},
};

constexpr FieldSpec kAttribute[] = {
    {"code", K::kString},
    {"type", K::kString},
    {"group", K::kString},
    {"unique", K::kBool},
    {"useable_as_grid_filter", K::kBool},
    {"allowed_extensions", K::kStringArray},
    {"metric_family", K::kNullableString},
    {"default_metric_unit", K::kNullableString},
    {"reference_data_name", K::kNullableString},
    {"available_locales", K::kStringArray},
    {"max_characters", K::kNullableNumber},
    {"validation_rule", K::kNullableString},
    {"validation_regexp", K::kNullableString},
    {"wysiwyg_enabled", K::kNullableBool},
    {"number_min", K::kNullableNumber},
    {"number_max", K::kNullableNumber},
    {"decimals_allowed", K::kNullableBool},
    {"negative_allowed", K::kNullableBool},
    {"date_min", K::kNullableString},
    {"date_max", K::kNullableString},
    {"max_file_size", K::kNullableNumber},
    {"minimum_input_length", K::kNullableNumber},
    {"sort_order", K::kInteger},
    {"localizable", K::kBool},
    {"scopable", K::kBool},
    {"labels", K::kLabels},
    {"guidelines", K::kLabels},
    {"auto_option_sorting", K::kNullableBool},
    {"default_value", K::kReadOnly},
    {"group_labels", K::kReadOnly},
    {"_links", K::kReadOnly},
};

constexpr FieldSpec kAttributeOption[] = {
    {"code", K::kString},      {"attribute", K::kString},
    {"sort_order", K::kInteger}, {"labels", K::kLabels},
    {"_links", K::kReadOnly},
};

constexpr FieldSpec kFamily[] = {
    {"code", K::kString},
    {"attribute_as_label", K::kString},
    {"attribute_as_image", K::kNullableString},
    {"attributes", K::kStringArray},
    {"attribute_requirements", K::kObject},
    {"labels", K::kLabels},
    {"_links", K::kReadOnly},
};

constexpr FieldSpec kCategory[] = {
    {"code", K::kString},     {"parent", K::kNullableString},
    {"updated", K::kReadOnly}, {"position", K::kReadOnly},
    {"labels", K::kLabels},   {"_links", K::kReadOnly},
};

constexpr FieldSpec kChannel[] = {
    {"code", K::kString},         {"currencies", K::kStringArray},
    {"locales", K::kStringArray}, {"category_tree", K::kString},
    {"conversion_units", K::kObject}, {"labels", K::kLabels},
    {"_links", K::kReadOnly},
};

constexpr FieldSpec kLocale[] = {
    {"code", K::kString}, {"enabled", K::kReadOnly}, {"_links", K::kReadOnly}};

constexpr FieldSpec kAssociationType[] = {
    {"code", K::kString},        {"labels", K::kLabels},
    {"is_quantified", K::kBool}, {"is_two_way", K::kBool},
    {"_links", K::kReadOnly},
};

constexpr FieldSpec kAttributeGroup[] = {
    {"code", K::kString},           {"sort_order", K::kInteger},
    {"attributes", K::kStringArray}, {"labels", K::kLabels},
    {"_links", K::kReadOnly},
};

constexpr FieldSpec kFamilyVariant[] = {
    {"code", K::kString},
    {"labels", K::kLabels},
    {"variant_attribute_sets", K::kArray},
    {"common_attributes", K::kReadOnly},
    {"family", K::kReadOnly},
    {"_links", K::kReadOnly},
};

constexpr std::string_view kKnownTypes[] = {
    kIdentifierType, kTextType,   kTextareaType,     kNumberType,
    kBooleanType,    kDateType,   kPriceType,        kSimpleSelectType,
    kMultiSelectType, kMetricType, kImageType,       kFileType,
};

}  // namespace

bool IsKnownAttributeType(std::string_view type) {
  for (std::string_view t : kKnownTypes) {
    if (t == type) return true;
  }
  return false;
}

bool IsSelectType(std::string_view type) {
  return type == kSimpleSelectType || type == kMultiSelectType;
}

absl::Span<const FieldSpec> ProductSchema() { return kProduct; }
absl::Span<const FieldSpec> AttributeSchema() { return kAttribute; }
absl::Span<const FieldSpec> AttributeOptionSchema() { return kAttributeOption; }
absl::Span<const FieldSpec> FamilySchema() { return kFamily; }
absl::Span<const FieldSpec> CategorySchema() { return kCategory; }
absl::Span<const FieldSpec> ChannelSchema() { return kChannel; }
absl::Span<const FieldSpec> LocaleSchema() { return kLocale; }
absl::Span<const FieldSpec> AssociationTypeSchema() { return kAssociationType; }
absl::Span<const FieldSpec> AttributeGroupSchema() { return kAttributeGroup; }
absl::Span<const FieldSpec> FamilyVariantSchema() { return kFamilyVariant; }
absl::Span<const FieldSpec> ProductModelSchema() { return kProductModel; }

Json NewProductDoc(std::string_view uuid, const Json& identifier,
                   absl::Time now) {
  Json doc = Json::object();
  doc["uuid"] = uuid;
  doc["identifier"] = identifier;
  doc["enabled"] = true;
  doc["family"] = nullptr;
  doc["categories"] = Json::array();
  doc["groups"] = Json::array();
  doc["parent"] = nullptr;
  doc["values"] = Json::object();
  doc["created"] = FormatAkeneoTime(now);
  doc["updated"] = FormatAkeneoTime(now);
  doc["associations"] = Json::object();
  doc["quantified_associations"] = Json::object();
  return doc;
}

Json NewProductModelDoc(std::string_view code, absl::Time now) {
  Json doc = Json::object();
  doc["code"] = code;
  doc["family"] = nullptr;
  doc["family_variant"] = nullptr;
  doc["parent"] = nullptr;
  doc["categories"] = Json::array();
  doc["values"] = Json::object();
  doc["associations"] = Json::object();
  doc["quantified_associations"] = Json::object();
  doc["created"] = FormatAkeneoTime(now);
  doc["updated"] = FormatAkeneoTime(now);
  return doc;
}

Json NewAttributeDoc(std::string_view code, std::string_view type) {
  const bool is_number = type == kNumberType || type == kMetricType;
  const bool is_text = type == kTextType || type == kTextareaType ||
                       type == kIdentifierType;
  Json doc = Json::object();
  doc["code"] = code;
  doc["type"] = type;
  doc["group"] = "other";
  doc["unique"] = type == kIdentifierType;
  doc["useable_as_grid_filter"] = type == kIdentifierType;
  doc["allowed_extensions"] = Json::array();
  doc["metric_family"] = nullptr;
  doc["default_metric_unit"] = nullptr;
  doc["reference_data_name"] = nullptr;
  doc["available_locales"] = Json::array();
  doc["max_characters"] = is_text ? Json(255) : Json();
  doc["validation_rule"] = nullptr;
  doc["validation_regexp"] = nullptr;
  doc["wysiwyg_enabled"] = type == kTextareaType ? Json(false) : Json();
  doc["number_min"] = nullptr;
  doc["number_max"] = nullptr;
  doc["decimals_allowed"] = is_number || type == kPriceType ? Json(true) : Json();
  doc["negative_allowed"] = is_number ? Json(false) : Json();
  doc["date_min"] = nullptr;
  doc["date_max"] = nullptr;
  doc["max_file_size"] = nullptr;
  doc["minimum_input_length"] = nullptr;
  doc["sort_order"] = 0;
  doc["localizable"] = false;
  doc["scopable"] = false;
  doc["labels"] = Json::object();
  doc["guidelines"] = Json::object();
  doc["auto_option_sorting"] = IsSelectType(type) ? Json(false) : Json();
  return doc;
}

Json NewAttributeOptionDoc(std::string_view attribute, std::string_view code) {
  Json doc = Json::object();
  doc["code"] = code;
  doc["attribute"] = attribute;
  doc["sort_order"] = 0;
  doc["labels"] = Json::object();
  return doc;
}

Json NewFamilyDoc(std::string_view code,
                  std::string_view identifier_attribute) {
  Json doc = Json::object();
  doc["code"] = code;
  doc["attribute_as_label"] = identifier_attribute;
  doc["attribute_as_image"] = nullptr;
  doc["attributes"] = Json::array({identifier_attribute});
  doc["attribute_requirements"] = Json::object();
  doc["labels"] = Json::object();
  return doc;
}

Json NewCategoryDoc(std::string_view code, absl::Time now) {
  Json doc = Json::object();
  doc["code"] = code;
  doc["parent"] = nullptr;
  doc["updated"] = FormatAkeneoTime(now);
  doc["labels"] = Json::object();
  return doc;
}

Json NewChannelDoc(std::string_view code) {
  Json doc = Json::object();
  doc["code"] = code;
  doc["currencies"] = Json::array();
  doc["locales"] = Json::array();
  doc["category_tree"] = "";
  doc["conversion_units"] = Json::object();
  doc["labels"] = Json::object();
  return doc;
}

Json NewLocaleDoc(std::string_view code, bool enabled) {
  Json doc = Json::object();
  doc["code"] = code;
  doc["enabled"] = enabled;
  return doc;
}

Json NewAssociationTypeDoc(std::string_view code) {
  Json doc = Json::object();
  doc["code"] = code;
  doc["labels"] = Json::object();
  doc["is_quantified"] = false;
  doc["is_two_way"] = false;
  return doc;
}

Json NewAttributeGroupDoc(std::string_view code) {
  Json doc = Json::object();
  doc["code"] = code;
  doc["sort_order"] = 0;
  doc["attributes"] = Json::array();
  doc["labels"] = Json::object();
  return doc;
}

Json NewFamilyVariantDoc(std::string_view code) {
  Json doc = Json::object();
  doc["code"] = code;
  doc["labels"] = Json::object();
  doc["common_attributes"] = Json::array();
  doc["variant_attribute_sets"] = Json::array();
  return doc;
}

void DistributeFamilyVariantAttributes(const Json& family,
                                       std::string_view identifier_attribute,
                                       Json* variant) {
  auto has = [](const Json& list, const Json& v) {
    for (const Json& x : list) {
      if (x == v) return true;
    }
    return false;
  };
  Json& sets = (*variant)["variant_attribute_sets"];
  Json used = Json::array();
  for (size_t i = 0; i < sets.size(); ++i) {
    Json& set = sets[i];
    if (!set.is_object()) continue;
    if (!set.contains("axes") || !set["axes"].is_array()) set["axes"] = Json::array();
    if (!set.contains("attributes") || !set["attributes"].is_array()) {
      set["attributes"] = Json::array();
    }
    for (const Json& axis : set["axes"]) {
      if (!has(set["attributes"], axis)) set["attributes"].push_back(axis);
    }
    if (i + 1 == sets.size() && !has(set["attributes"], Json(identifier_attribute))) {
      set["attributes"].push_back(identifier_attribute);
    }
    for (const Json& a : set["attributes"]) used.push_back(a);
  }
  Json common = Json::array();
  for (const Json& a : family.value("attributes", Json::array())) {
    if (!has(used, a)) common.push_back(a);
  }
  (*variant)["common_attributes"] = std::move(common);
}

Json NewCurrencyDoc(std::string_view code, std::string_view name,
                    bool enabled) {
  Json doc = Json::object();
  doc["code"] = code;
  doc["enabled"] = enabled;
  doc["label"] = std::string(code) + " (" + std::string(name) + ")";
  return doc;
}

Json MeasureFamilyOf(const Json& measurement_family) {
  Json doc = Json::object();
  doc["code"] = measurement_family.value("code", "");
  doc["standard"] = measurement_family.value("standard_unit_code", "");
  doc["units"] = Json::array();
  const Json units = measurement_family.value("units", Json::object());
  for (const auto& [code, unit] : units.items()) {
    Json u = Json::object();
    u["code"] = code;
    u["convert"] = Json::object();
    const Json ops = unit.value("convert_from_standard", Json::array());
    for (const Json& op : ops) {
      if (op.is_object() && op.value("operator", Json()).is_string()) {
        u["convert"][op["operator"].get<std::string>()] = op.value("value", Json());
      }
    }
    u["symbol"] = unit.value("symbol", Json(""));
    doc["units"].push_back(std::move(u));
  }
  return doc;
}

std::string FormatAkeneoTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S+00:00", t, absl::UTCTimeZone());
}

uint64_t SplitMix64::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string RandomUuid(SplitMix64& rng) {
  uint8_t bytes[16];
  const uint64_t a = rng.Next();
  const uint64_t b = rng.Next();
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<uint8_t>(a >> (8 * i));
    bytes[8 + i] = static_cast<uint8_t>(b >> (8 * i));
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x40;  // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80;  // RFC 4122 variant
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kLowerHexDigits[bytes[i] >> 4]);
    out.push_back(kLowerHexDigits[bytes[i] & 0xf]);
  }
  return out;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                 (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

}  // namespace pimsim::api
