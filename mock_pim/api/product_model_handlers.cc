#include "mock_pim/api/product_model_handlers.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "mock_pim/api/response.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api::internal {
namespace {

struct VariantRef {
  std::string family;
  const Json* doc = nullptr;
};

// Family variant codes are unique across families.
std::optional<VariantRef> FindVariant(const Store& s, std::string_view code) {
  for (const auto& [family, variants] : s.family_variants) {
    auto it = variants.find(AV(code));
    if (it != variants.end()) return VariantRef{family, &it->second.doc};
  }
  return std::nullopt;
}

// The data of the first non-empty value of `attribute`: a string as it is,
// anything else as JSON text; empty when there is none.
std::string AxisData(const Json& values, const std::string& attribute) {
  auto it = values.find(attribute);
  if (it == values.end() || !it->is_array()) return "";
  for (const Json& entry : *it) {
    if (!entry.is_object()) continue;
    auto data = entry.find("data");
    if (data == entry.end() || data->is_null()) continue;
    if (data->is_array() && data->empty()) continue;
    if (data->is_string() && data->get_ref<const std::string&>().empty())
      continue;
    return data->is_string() ? data->get<std::string>() : DumpJson(*data);
  }
  return "";
}

std::string InvalidCode(std::string_view property, std::string_view entity,
                        std::string_view code) {
  return Cat("Property \"", property, "\" expects a valid ", entity,
             " code. The ", entity, " does not exist, \"", code, "\" given.");
}

// The values of `axes` in `values`, '|'-joined: equal for two siblings that
// have the same combination.
std::string AxesKey(const Json& axes, const Json& values) {
  std::string key;
  for (const Json& a : axes) {
    if (!key.empty()) key.push_back('|');
    key += AxisData(values, a.get<std::string>());
  }
  return key;
}

// Akeneo's message for two siblings (models or variant products) with the
// same axis values `key`.
std::string SameAxesMessage(const Json& axes, std::string_view key,
                            std::string_view entity, std::string_view code,
                            std::string_view other) {
  std::string axis_codes;
  for (const Json& a : axes) {
    if (!axis_codes.empty()) axis_codes.push_back(',');
    axis_codes += a.get<std::string>();
  }
  return Cat("Cannot set value \"", key, "\" for the attribute axis \"",
             axis_codes, "\" on ", entity, " \"", code, "\", as the ", entity,
             " \"", other, "\" already has this value");
}

// Every axis of `axes` has a value in `values`; appends the missing ones.
void CheckAxes(const Json& axes, const Json& values, Json* errors) {
  for (const Json& a : axes) {
    const std::string axis = a.get<std::string>();
    if (AxisData(values, axis).empty()) {
      AddValidationItem(
          errors, "attribute",
          Cat("Attribute \"", axis,
              "\" cannot be empty, as it is defined as an axis for this "
              "entity"));
    }
  }
}

}  // namespace

Json CheckProductModel(const Store& s, const Json* old, Json* doc) {
  Json errors = Json::array();
  const std::string code = StringOr(*doc, "code");
  if (code.empty()) {
    AddValidationItem(&errors, "code", "This value should not be blank.");
  } else if (code.size() > 255) {
    AddValidationItem(
        &errors, "code",
        "This value is too long. It should have 255 characters or less.");
  }
  for (const char* key : {"family_variant", "parent"}) {
    if (old != nullptr && (*old)[key] != (*doc)[key]) {
      AddValidationItem(&errors, key, "This property cannot be changed.");
    }
  }
  if (!errors.empty()) return errors;

  const std::string variant_code = StringOr(*doc, "family_variant");
  const std::string parent_code = StringOr(*doc, "parent");
  const Json* parent = nullptr;
  if (!parent_code.empty()) {
    auto p = s.product_models.find(parent_code);
    if (p == s.product_models.end() || parent_code == code) {
      AddValidationItem(&errors, "parent",
                        InvalidCode("parent", "product model", parent_code));
      return errors;
    }
    parent = &p->second.doc;
    if (!(*parent)["parent"].is_null()) {
      AddValidationItem(
          &errors, "parent",
          Cat("The product model \"", parent_code,
              "\" is a sub product model: it cannot have children "
              "product models."));
      return errors;
    }
  }
  std::string effective_variant = variant_code;
  if (parent != nullptr) {
    const std::string from_parent = StringOr(*parent, "family_variant");
    if (!variant_code.empty() && variant_code != from_parent) {
      AddValidationItem(&errors, "family_variant",
                        Cat("The product model \"", code,
                            "\" must have the family variant \"", from_parent,
                            "\" of its parent."));
      return errors;
    }
    effective_variant = from_parent;
  }
  if (effective_variant.empty()) {
    AddValidationItem(&errors, "family_variant",
                      "This value should not be blank.");
    return errors;
  }
  std::optional<VariantRef> variant = FindVariant(s, effective_variant);
  if (!variant.has_value()) {
    AddValidationItem(
        &errors, "family_variant",
        InvalidCode("family_variant", "family variant", effective_variant));
    return errors;
  }
  const Json& sets = (*variant->doc)["variant_attribute_sets"];
  if (parent != nullptr && sets.size() < 2) {
    AddValidationItem(&errors, "parent",
                      Cat("The family variant \"", effective_variant,
                          "\" has one level: its product models cannot have a "
                          "parent."));
    return errors;
  }
  (*doc)["family"] = variant->family;
  (*doc)["family_variant"] = effective_variant;

  // Values: the common attributes on a root model, level 1's on a sub model.
  const Json& allowed = parent == nullptr ? (*variant->doc)["common_attributes"]
                                          : sets[0]["attributes"];
  for (const auto& [attribute, unused] : (*doc)["values"].items()) {
    if (!ListHas(allowed, attribute)) {
      AddValidationItem(
          &errors, "attribute",
          Cat("Cannot set the property \"", attribute,
              "\" to this entity as it is not in the attribute set"));
    }
  }
  if (parent != nullptr) {
    const Json& axes = sets[0]["axes"];
    const size_t before = errors.size();
    CheckAxes(axes, (*doc)["values"], &errors);
    if (errors.size() == before) {
      // Siblings have different axis values.
      const std::string key = AxesKey(axes, (*doc)["values"]);
      for (const auto& [other_code, other] : s.product_models) {
        if (other_code == code ||
            StringOr(other.doc, "parent") != parent_code) {
          continue;
        }
        if (AxesKey(axes, other.doc["values"]) == key) {
          AddValidationItem(
              &errors, "attribute",
              SameAxesMessage(axes, key, "product model", code, other_code));
          break;
        }
      }
    }
  }
  return errors;
}

void CheckProductParent(const Store& s, Json* product, Json* errors) {
  const Json& parent_value = (*product)["parent"];
  if (!parent_value.is_string()) return;
  const std::string parent_code = parent_value.get<std::string>();
  auto p = s.product_models.find(parent_code);
  if (p == s.product_models.end()) {
    AddValidationItem(
        errors, "parent",
        Cat("The product model \"", parent_code, "\" does not exist."));
    return;
  }
  const Json& model = p->second.doc;
  std::optional<VariantRef> variant =
      FindVariant(s, StringOr(model, "family_variant"));
  if (!variant.has_value()) return;
  const Json& sets = (*variant->doc)["variant_attribute_sets"];
  const size_t model_level = model["parent"].is_null() ? 1 : 2;
  if (sets.size() != model_level) {
    AddValidationItem(
        errors, "parent",
        Cat("The product model \"", parent_code,
            "\" cannot have variant products: it is not at the last "
            "level of its family variant."));
    return;
  }
  Json& family = (*product)["family"];
  if (family.is_null()) family = variant->family;
  if (family != variant->family) {
    AddValidationItem(
        errors, "family",
        "The variant product family must be the same than its parent");
    return;
  }
  const Json& axes = sets.back()["axes"];
  const size_t before = errors->size();
  CheckAxes(axes, (*product)["values"], errors);
  if (errors->size() != before) return;
  // Siblings have different axis values.
  const std::string key = AxesKey(axes, (*product)["values"]);
  const std::string uuid = StringOr(*product, "uuid");
  for (const auto& [other_uuid, other] : s.products_by_uuid()) {
    if (other->parent != parent_code || other_uuid == uuid) continue;
    std::optional<Json> other_doc = ParseJson(other->json);
    if (!other_doc.has_value() || AxesKey(axes, (*other_doc)["values"]) != key)
      continue;
    AddValidationItem(
        errors, "attribute",
        SameAxesMessage(axes, key, "variant product",
                        StringOr(*product, "identifier"), other->identifier));
    return;
  }
}

bool DeleteProductModel(Store* s, const std::string& code) {
  const std::vector<std::string> models = s->ProductModelAndSubModels(code);
  if (models.empty()) return false;
  const absl::flat_hash_set<std::string> doomed(models.begin(), models.end());
  std::vector<const Product*> products;
  for (const auto& [uuid, p] : s->products_by_uuid()) {
    if (!p->parent.empty() && doomed.contains(p->parent))
      products.push_back(p.get());
  }
  for (const Product* p : products) s->EraseProduct(p);
  for (const std::string& m : doomed) s->product_models.erase(m);
  return true;
}

}  // namespace pimsim::api::internal
