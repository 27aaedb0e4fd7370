// Internal to //mock_pim/api: the reference data around the catalogue.
// Currencies, measure families, association types and attribute groups are
// code tables served by the generic handlers (handlers.cc); this file holds
// what is particular to them:
//  * validation of association types and attribute groups after the merge;
//  * the one-group-per-attribute rule: an attribute's "group" and its
//    group's "attributes" list are kept in step from either side;
//  * currencies enabled exactly when a channel uses them;
//  * measurement families, a JSON array both ways (GET all, PATCH to create
//    or replace several, answered per item like Akeneo's
//    MeasurementFamilyController), and the legacy measure families derived
//    from them;
//  * GET /system-information.
// Like handlers.h, these run with the Api's lock held (shared for reads,
// exclusive for writes).
//
//   ApiResponse r = ListMeasurementFamilies(store);
//   Json errors = ValidateAttributeGroup(store, doc);
//   if (errors.empty()) SyncAttributeGroup(&store, "marketing", &old_doc);
#ifndef PIMSIM_MOCK_PIM_API_REFERENCE_HANDLERS_H_
#define PIMSIM_MOCK_PIM_API_REFERENCE_HANDLERS_H_

#include <string>
#include <string_view>

#include "mock_pim/api/json_util.h"
#include "mock_pim/api/response.h"
#include "mock_pim/api/store.h"

namespace pimsim::api::internal {

// What GET /system-information reports.
inline constexpr char kPimVersion[] = "7.0.0";
inline constexpr char kPimEdition[] = "CE";

// Validation errors (an array of {"property","message"}) of a merged
// document; `old` is the stored one, or null on create.
Json ValidateAssociationType(const Json& doc, const Json* old);
Json ValidateAttributeGroup(const Store& s, const Json& doc);
// The error of an attribute whose "group" names no attribute group, or null.
Json AttributeGroupError(const Store& s, const Json& attribute);

// After attribute `code` was stored: it leaves `old_group` (empty when the
// attribute is new) and joins the list of its "group".
void MoveAttributeToGroup(Store* s, const std::string& code,
                          const std::string& old_group);
// After attribute group `code` was stored (`old`: its previous document, or
// null if new): the attributes it lists name it as their group and leave
// their previous group's list; those it no longer lists move to "other"
// (the "other" group keeps its attributes until another group takes them).
void SyncAttributeGroup(Store* s, const std::string& code, const Json* old);
// Enables the currencies some channel uses, disables the others.
void RefreshCurrencyActivation(Store* s);

// GET /measurement-families: every family, a JSON array ordered by code.
ApiResponse ListMeasurementFamilies(const Store& s);
// PATCH /measurement-families: a JSON array of at most 100 families, each
// created (201) or replaced (204); the body is a JSON array of
// {"code","status_code"[,"message","errors"]}. The legacy measure family of
// each stored one is refreshed.
ApiResponse PatchMeasurementFamilies(Store* s, std::string_view body);

// GET /system-information.
ApiResponse SystemInformation();

}  // namespace pimsim::api::internal

#endif  // PIMSIM_MOCK_PIM_API_REFERENCE_HANDLERS_H_
