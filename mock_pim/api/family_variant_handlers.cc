#include "mock_pim/api/family_variant_handlers.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "mock_pim/api/model.h"
#include "mock_pim/api/response.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api::internal {
namespace {

constexpr char kSets[] = "variant_attribute_sets";

bool IsAxisType(std::string_view type) {
  return type == kBooleanType || type == kSimpleSelectType ||
         type == kMultiSelectType || type == kMetricType;
}

}  // namespace

Json CheckFamilyVariant(const Store& s, const std::string& family,
                        const Json* old, Json* doc) {
  Json errors = Json::array();
  auto fail = [&](std::string message) {
    errors.push_back(ValidationItem(kSets, message));
  };
  const Json& family_doc = s.families.at(family).doc;
  absl::flat_hash_set<std::string> members;
  for (const Json& a : family_doc["attributes"]) members.insert(a.get<std::string>());

  Json& sets = (*doc)[kSets];
  if (sets.empty()) {
    fail("There should be at least one level defined in the family variant.");
    return errors;
  }
  for (const Json& set : sets) {
    if (!set.is_object() || !set.value("level", Json()).is_number_integer()) {
      fail("Each level is an object with an integer \"level\", \"axes\" and "
           "\"attributes\".");
      return errors;
    }
  }
  std::stable_sort(sets.begin(), sets.end(), [](const Json& a, const Json& b) {
    return a["level"].get<int64_t>() < b["level"].get<int64_t>();
  });
  for (size_t i = 0; i < sets.size(); ++i) {
    if (sets[i]["level"].get<int64_t>() != static_cast<int64_t>(i + 1) || i >= 2) {
      fail("The levels of a family variant are 1, or 1 and 2.");
      return errors;
    }
  }
  absl::flat_hash_set<std::string> placed;
  for (Json& set : sets) {
    const int64_t level = set["level"].get<int64_t>();
    for (const char* key : {"axes", "attributes"}) {
      if (!set.contains(key)) set[key] = Json::array();
      bool strings = set[key].is_array();
      for (const Json& v : set[key]) strings = strings && v.is_string();
      if (!strings) {
        fail(Cat("Property \"", key, "\" of the level ", level,
                 " expects an array of attribute codes."));
        return errors;
      }
    }
    if (set["axes"].empty()) {
      fail(Cat("The level ", level, " must have at least one axis."));
    } else if (set["axes"].size() > kMaxVariantAxes) {
      fail(Cat("The level ", level, " has more than ", kMaxVariantAxes,
               " axes."));
    }
    for (const Json& axis : set["axes"]) {
      const std::string code = axis.get<std::string>();
      auto a = s.attributes.find(code);
      if (a == s.attributes.end() || !members.contains(code)) {
        fail(Cat("The attribute \"", code, "\" does not belong to the family \"",
                 family, "\"."));
        continue;
      }
      const Json& adoc = a->second.doc;
      if (!IsAxisType(adoc.value("type", ""))) {
        fail(Cat("Variant axes \"", code,
                 "\" must be a boolean, a simple select, a multi select or a "
                 "metric."));
      } else if (adoc.value("localizable", false) || adoc.value("scopable", false)) {
        fail(Cat("Variant axes \"", code,
                 "\" cannot be localizable nor scopable."));
      }
    }
    absl::flat_hash_set<std::string> in_level;
    for (const char* key : {"axes", "attributes"}) {
      for (const Json& v : set[key]) {
        const std::string code = v.get<std::string>();
        if (!members.contains(code)) {
          if (key[1] == 't') {
            fail(Cat("The attribute \"", code,
                     "\" does not belong to the family \"", family, "\"."));
          }
          continue;
        }
        if (!in_level.insert(code).second) continue;
        if (code != s.identifier_attribute && !placed.insert(code).second) {
          fail(Cat("The attribute \"", code,
                   "\" is used in more than one level."));
        }
      }
    }
  }
  if (old != nullptr) {
    const Json& before = (*old)[kSets];
    bool same = before.size() == sets.size();
    for (size_t i = 0; same && i < sets.size(); ++i) {
      same = before[i]["level"] == sets[i]["level"] &&
             before[i]["axes"] == sets[i]["axes"];
    }
    if (!same) {
      fail("The levels and axes of a family variant cannot be changed.");
    }
  }
  if (errors.empty()) {
    DistributeFamilyVariantAttributes(family_doc, s.identifier_attribute, doc);
  }
  return errors;
}

void RefreshFamilyVariants(Store* s, const std::string& family) {
  auto variants = s->family_variants.find(family);
  auto f = s->families.find(family);
  if (variants == s->family_variants.end() || f == s->families.end()) return;
  for (auto& [code, variant] : variants->second) {
    const Json before = variant.doc["common_attributes"];
    DistributeFamilyVariantAttributes(f->second.doc, s->identifier_attribute,
                                      &variant.doc);
    if (variant.doc["common_attributes"] != before) variant.Refresh();
  }
}

std::string FamilyVariantNotFound(std::string_view family,
                                  std::string_view code) {
  return Cat("Family variant \"", code,
             "\" does not exist or is not a variant of the family \"", family,
             "\".");
}

}  // namespace pimsim::api::internal
