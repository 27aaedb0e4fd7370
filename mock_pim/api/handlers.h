// Internal to //mock_pim/api: the resource handlers behind Api::Handle. They
// run with the Api's lock held (shared for reads, exclusive for writes) and
// after routing, method, Accept and Content-Type checks.
#ifndef PIMSIM_MOCK_PIM_API_HANDLERS_H_
#define PIMSIM_MOCK_PIM_API_HANDLERS_H_

#include <string_view>

#include "absl/time/time.h"
#include "mock_pim/api/model.h"
#include "mock_pim/api/response.h"
#include "mock_pim/api/router.h"
#include "mock_pim/api/store.h"

namespace pimsim::api::internal {

// GET of an item or a list.
ApiResponse HandleRead(const Store& store, std::string_view base,
                       absl::Time now, const ParsedRoute& route,
                       const ApiRequest& req);

// POST, PATCH (single or batch) and DELETE. `rng` draws uuids of new products.
ApiResponse HandleWrite(Store* store, std::string_view base, absl::Time now,
                        SplitMix64* rng, const ParsedRoute& route,
                        const ApiRequest& req);

// The body of GET /api/rest/v1: "host" is `origin` (the scheme and
// authority, as Akeneo's "https://demo.akeneo.com"), the routes are paths
// under the instance prefix `base_path`.
std::string RootBody(std::string_view origin, std::string_view base_path);

}  // namespace pimsim::api::internal

#endif  // PIMSIM_MOCK_PIM_API_HANDLERS_H_
