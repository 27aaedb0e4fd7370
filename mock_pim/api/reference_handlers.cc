#include "mock_pim/api/reference_handlers.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "mock_pim/api/batch_parser.h"
#include "mock_pim/api/model.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api::internal {
namespace {

bool IsCode(std::string_view code) {
  if (code.empty() || code.size() > 100) return false;
  for (char c : code) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

void EraseFromList(Json* list, std::string_view value) {
  for (auto it = list->begin(); it != list->end(); ++it) {
    if (it->is_string() && it->get_ref<const std::string&>() == value) {
      list->erase(it);
      return;
    }
  }
}

// Sets attribute `code`'s group to `group`, without touching group lists.
void SetAttributeGroupField(Store* s, const std::string& code,
                            const std::string& group) {
  auto a = s->attributes.find(code);
  if (a == s->attributes.end() || StringOr(a->second.doc, "group") == group) {
    return;
  }
  a->second.doc["group"] = group;
  a->second.Refresh();
}

constexpr char kMeasurementFamilyRules[] =
    "The measurement family has data that does not comply with the business "
    "rules.";

bool IsLabels(const Json& labels) {
  if (!labels.is_object()) return false;
  for (const Json& l : labels) {
    if (!l.is_string()) return false;
  }
  return true;
}

// The stored form of one PATCH item, or the validation errors in `errors`.
Json NormalizeMeasurementFamily(const Json& item, const Json* old,
                                Json* errors) {
  Json doc = Json::object();
  const std::string code = StringOr(item, "code");
  doc["code"] = code;
  if (!IsCode(code)) {
    AddValidationItem(errors, "code",
                      "This field can only contain letters, numbers, and underscores.");
  }
  const Json labels = item.value("labels", Json::object());
  if (!IsLabels(labels)) {
    AddValidationItem(errors, "labels", "This value should be of type object.");
  }
  doc["labels"] = labels;
  const std::string standard = StringOr(item, "standard_unit_code");
  if (standard.empty()) {
    AddValidationItem(errors, "standard_unit_code", "This value should not be blank.");
  }
  doc["standard_unit_code"] = standard;
  const Json units = item.value("units", Json());
  doc["units"] = Json::object();
  if (!units.is_object() || units.empty()) {
    AddValidationItem(errors, "units",
                      "The measurement family must have at least one unit.");
  } else {
    for (const auto& [unit_code, unit] : units.items()) {
      const std::string prefix = Cat("units[", unit_code, "]");
      if (!unit.is_object()) {
        AddValidationItem(errors, prefix, "This value should be of type object.");
        continue;
      }
      Json u = Json::object();
      const std::string given = StringOr(unit, "code");
      if (!IsCode(unit_code) || given != unit_code) {
        AddValidationItem(errors, Cat(prefix, "[code]"),
                          "The unit code must be the key of the unit and can only "
                          "contain letters, numbers, and underscores.");
      }
      u["code"] = unit_code;
      const Json unit_labels = unit.value("labels", Json::object());
      if (!IsLabels(unit_labels)) {
        AddValidationItem(errors, Cat(prefix, "[labels]"),
                          "This value should be of type object.");
      }
      u["labels"] = unit_labels;
      const Json ops = unit.value("convert_from_standard", Json());
      if (!ops.is_array() || ops.empty()) {
        AddValidationItem(errors, Cat(prefix, "[convert_from_standard]"),
                          "A unit must have at least one conversion operation.");
      } else {
        for (const Json& op : ops) {
          const std::string name = op.is_object() ? StringOr(op, "operator") : "";
          const bool value_ok =
              op.is_object() && op.value("value", Json()).is_string();
          if ((name != "mul" && name != "div" && name != "add" &&
               name != "sub") ||
              !value_ok) {
            AddValidationItem(errors, Cat(prefix, "[convert_from_standard]"),
                              "Each operation has an \"operator\" (mul, div, add or "
                              "sub) and a string \"value\".");
            break;
          }
        }
      }
      u["convert_from_standard"] = ops;
      const Json symbol = unit.value("symbol", Json(""));
      if (!symbol.is_string()) {
        AddValidationItem(errors, Cat(prefix, "[symbol]"),
                          "This value should be of type string.");
      }
      u["symbol"] = symbol;
      doc["units"][unit_code] = std::move(u);
    }
    if (!standard.empty() && !units.contains(standard)) {
      AddValidationItem(errors, "standard_unit_code",
                        Cat("The standard unit code \"", standard,
                   "\" does not exist in the list of units."));
    }
  }
  if (old != nullptr && StringOr(*old, "standard_unit_code") != standard) {
    AddValidationItem(errors, "standard_unit_code",
                      Cat("The standard unit code of the \"", code,
                 "\" measurement family cannot be changed"));
  }
  return doc;
}

}  // namespace

Json ValidateAssociationType(const Json& doc, const Json* old) {
  Json errors = Json::array();
  if (old != nullptr) {
    for (const char* key : {"is_quantified", "is_two_way"}) {
      if ((*old)[key] != doc[key]) {
        AddValidationItem(&errors, key, "This property cannot be changed.");
      }
    }
  }
  return errors;
}

Json ValidateAttributeGroup(const Store& s, const Json& doc) {
  Json errors = Json::array();
  absl::flat_hash_set<std::string> seen;
  for (const Json& a : doc["attributes"]) {
    const std::string& code = a.get_ref<const std::string&>();
    if (!s.attributes.contains(code)) {
      AddValidationItem(&errors, "attributes",
                        Cat("Property \"attributes\" expects a valid code. The "
                   "attribute does not exist, \"",
                   code, "\" given."));
    } else if (!seen.insert(code).second) {
      AddValidationItem(&errors, "attributes",
                        Cat("The attribute \"", code, "\" is listed twice."));
    }
  }
  if (doc["sort_order"].get<int64_t>() < 0) {
    AddValidationItem(&errors, "sort_order",
                      "This value should be greater than or equal to 0.");
  }
  return errors;
}

Json AttributeGroupError(const Store& s, const Json& attribute) {
  const std::string group = StringOr(attribute, "group");
  if (group.empty() || s.attribute_groups.contains(group)) return Json();
  return ValidationItem(
      "group", Cat("Property \"group\" expects a valid code. The attribute "
                   "group does not exist, \"",
                   group, "\" given."));
}

void MoveAttributeToGroup(Store* s, const std::string& code,
                          const std::string& old_group) {
  auto a = s->attributes.find(code);
  if (a == s->attributes.end()) return;
  const std::string group = StringOr(a->second.doc, "group");
  if (group == old_group) return;
  if (auto g = s->attribute_groups.find(old_group);
      g != s->attribute_groups.end()) {
    EraseFromList(&g->second.doc["attributes"], code);
    g->second.Refresh();
  }
  if (auto g = s->attribute_groups.find(group);
      g != s->attribute_groups.end() &&
      !ListHas(g->second.doc["attributes"], code)) {
    g->second.doc["attributes"].push_back(code);
    g->second.Refresh();
  }
}

void SyncAttributeGroup(Store* s, const std::string& code, const Json* old) {
  auto self = s->attribute_groups.find(code);
  if (self == s->attribute_groups.end()) return;
  Json& listed = self->second.doc["attributes"];
  // Attributes dropped from the list: "other" takes them, or keeps them.
  if (old != nullptr) {
    for (const Json& a : (*old)["attributes"]) {
      const std::string& attr = a.get_ref<const std::string&>();
      if (ListHas(listed, attr)) continue;
      if (code == kDefaultAttributeGroup) {
        listed.push_back(attr);
        continue;
      }
      SetAttributeGroupField(s, attr, kDefaultAttributeGroup);
      Json& other = s->attribute_groups[kDefaultAttributeGroup].doc["attributes"];
      if (!ListHas(other, attr)) other.push_back(attr);
      s->attribute_groups[kDefaultAttributeGroup].Refresh();
    }
  }
  // Attributes taken from another group.
  for (const Json& a : listed) {
    const std::string& attr = a.get_ref<const std::string&>();
    auto it = s->attributes.find(attr);
    if (it == s->attributes.end()) continue;
    const std::string previous = StringOr(it->second.doc, "group");
    if (previous == code) continue;
    if (auto g = s->attribute_groups.find(previous);
        g != s->attribute_groups.end()) {
      EraseFromList(&g->second.doc["attributes"], attr);
      g->second.Refresh();
    }
    SetAttributeGroupField(s, attr, code);
  }
  self->second.Refresh();
}

void RefreshCurrencyActivation(Store* s) {
  absl::flat_hash_set<std::string> used;
  for (const auto& [code, ch] : s->channels) {
    for (const Json& c : ch.doc["currencies"]) {
      if (c.is_string()) used.insert(c.get<std::string>());
    }
  }
  for (auto& [code, currency] : s->currencies) {
    const bool enabled = used.contains(code);
    if (currency.doc["enabled"] != enabled) {
      currency.doc["enabled"] = enabled;
      currency.Refresh();
    }
  }
}

ApiResponse ListMeasurementFamilies(const Store& s) {
  std::string body = "[";
  for (const auto& [code, family] : s.measurement_families) {
    if (body.size() > 1) body.push_back(',');
    body.append(family.json);
  }
  body.push_back(']');
  return JsonResponse(200, std::move(body));
}

ApiResponse PatchMeasurementFamilies(Store* s, std::string_view body) {
  absl::StatusOr<Json> items = ParseRequestJson(body);
  if (!items.ok()) return RequestJsonError(items.status());
  if (!items->is_array()) return ErrorResponse(400, kInvalidJsonMessage);
  if (items->size() > kMaxBatchLines) {
    return ErrorResponse(
        413, Cat("Too many resources to process, ", kMaxBatchLines,
                 " is the maximum allowed."));
  }
  Json results = Json::array();
  for (const Json& item : *items) {
    Json result = Json::object();
    const std::string code = item.is_object() ? StringOr(item, "code") : "";
    if (code.empty()) {
      result["status_code"] = 422;
      result["message"] = "The measurement family has an invalid format.";
      result["errors"] = Json::array(
          {ValidationItem("code", "The property code is required.")});
      results.push_back(std::move(result));
      continue;
    }
    result["code"] = code;
    auto existing = s->measurement_families.find(code);
    const Json* old =
        existing == s->measurement_families.end() ? nullptr : &existing->second.doc;
    Json errors = Json::array();
    Json doc = NormalizeMeasurementFamily(item, old, &errors);
    if (!errors.empty()) {
      ApiError e = ValidationFailed(std::move(errors));
      result["status_code"] = 422;
      result["message"] = kMeasurementFamilyRules;
      result["errors"] = std::move(e.errors);
      results.push_back(std::move(result));
      continue;
    }
    result["status_code"] = old == nullptr ? 201 : 204;
    s->measure_families[code] = Resource(MeasureFamilyOf(doc));
    s->measurement_families[code] = Resource(std::move(doc));
    results.push_back(std::move(result));
  }
  return JsonResponse(200, DumpJson(results));
}

ApiResponse SystemInformation() {
  Json body = Json::object();
  body["version"] = kPimVersion;
  body["edition"] = kPimEdition;
  return JsonResponse(200, DumpJson(body));
}

}  // namespace pimsim::api::internal
