// ListAll: every page of an Akeneo list, following `_links.next.href`.
//
// Works for both pagination modes (offset pages and search_after): the next
// page is whatever the PIM links to, until a page has no next link.
//
//   ListAll(client, "/api/rest/v1/products?limit=100&pagination_type=search_after",
//           [&](const nlohmann::json& item) { ++count; },
//           [&](const Outcome& last) { ok = last.ok(); });
#ifndef PIMSIM_CLIENT_PAGER_H_
#define PIMSIM_CLIENT_PAGER_H_

#include <functional>
#include <string>

#include "client/akeneo_client.h"
#include "nlohmann/json.hpp"

namespace pimsim::client {

// `on_item` gets each element of every page's `_embedded.items`; `done`
// gets the last page's outcome (not ok: the listing stopped there; a 200
// whose body is not an Akeneo list is reported as status 0 with a message).
void ListAll(AkeneoClient& client, std::string first_target,
             std::function<void(const nlohmann::json& item)> on_item,
             std::function<void(const Outcome& last)> done, int connection = -1);

}  // namespace pimsim::client

#endif  // PIMSIM_CLIENT_PAGER_H_
