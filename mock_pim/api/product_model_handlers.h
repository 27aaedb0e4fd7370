// Internal to //mock_pim/api: product models (/product-models) and the
// parent of variant products. Product models are code resources: the
// generic handlers (handlers.cc) merge a PATCH into the stored document and
// then apply CheckProductModel; this file holds the rest of their rules:
//  * a root model (no parent) names a family variant; its family is the
//    variant's; its values are the variant's common attributes;
//  * a sub model names a root model of a two-level variant as parent; its
//    values are the attributes of level 1, and it must have a value for
//    each axis of level 1, unique among its siblings;
//  * a product whose "parent" is a model at the last level of its variant
//    is a variant product: it takes the model's family and must have a
//    value for each axis of the last level;
//  * family_variant and parent of a model never change;
//  * deleting a model deletes its sub models and their variant products.
// Lists (handlers.cc) are ordered by code, in page or search_after mode, with
// the product filters on identifier (the code), family, categories, created,
// updated.
// Like handlers.h, these run with the Api's lock held.
//
//   Json errors = CheckProductModel(store, old, &doc);
//   CheckProductParent(store, &product_doc, &errors);
//   if (!DeleteProductModel(&store, "tshirt")) ...  // 404
#ifndef PIMSIM_MOCK_PIM_API_PRODUCT_MODEL_HANDLERS_H_
#define PIMSIM_MOCK_PIM_API_PRODUCT_MODEL_HANDLERS_H_

#include <string>
#include <string_view>

#include "mock_pim/api/json_util.h"
#include "mock_pim/api/store.h"

namespace pimsim::api::internal {

// Validates the merged model `doc` (`old`: the stored one, or null on
// create), sets its "family" from its family variant, and returns the
// validation errors (an array of {"property","message"}). Product values
// themselves are checked by the caller, as for products.
Json CheckProductModel(const Store& s, const Json* old, Json* doc);

// Checks the "parent" of a merged product document, appending to `errors`,
// and sets its "family" from the parent model when it has none.
void CheckProductParent(const Store& s, Json* product, Json* errors);

// Deletes model `code`, its sub models and their variant products; false
// when there is no such model.
bool DeleteProductModel(Store* s, const std::string& code);

}  // namespace pimsim::api::internal

#endif  // PIMSIM_MOCK_PIM_API_PRODUCT_MODEL_HANDLERS_H_
