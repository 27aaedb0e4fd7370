// Internal to //mock_pim/api: the rules of family variants
// (/families/{family_code}/variants), which the generic code-resource
// handlers (handlers.cc) apply after the PATCH merge. A variant has one or
// two enrichment levels; each level has 1 to 5 axes, attributes of its
// family that are boolean, simple or multi select, or metric, and neither
// localizable nor scopable; an attribute sits in at most one level; levels
// and axes never change once created. The stored document lists each
// level's axes among its attributes, the identifier attribute in the last
// level, and the family's other attributes in "common_attributes".
// Like handlers.h, these run with the Api's lock held.
//
//   Json errors = CheckFamilyVariant(store, "family_1", old, &doc);
//   if (errors.empty()) store.family_variants["family_1"][code] = Resource(doc);
//   RefreshFamilyVariants(&store, "family_1");  // after the family changed
#ifndef PIMSIM_MOCK_PIM_API_FAMILY_VARIANT_HANDLERS_H_
#define PIMSIM_MOCK_PIM_API_FAMILY_VARIANT_HANDLERS_H_

#include <string>

#include "mock_pim/api/json_util.h"
#include "mock_pim/api/store.h"

namespace pimsim::api::internal {

inline constexpr int kMaxVariantAxes = 5;

// Validates the merged variant `doc` of the existing `family` (`old`: the
// stored variant, or null on create) and, when valid, distributes its
// attributes (DistributeFamilyVariantAttributes). Returns the validation
// errors, an array of {"property","message"}.
Json CheckFamilyVariant(const Store& s, const std::string& family,
                        const Json* old, Json* doc);

// Recomputes the "common_attributes" of every variant of `family`.
void RefreshFamilyVariants(Store* s, const std::string& family);

// 404 messages.
std::string FamilyVariantNotFound(std::string_view family,
                                  std::string_view code);

}  // namespace pimsim::api::internal

#endif  // PIMSIM_MOCK_PIM_API_FAMILY_VARIANT_HANDLERS_H_
