// Akeneo list pagination: parsing of `page`, `limit`, `with_count`,
// `pagination_type` and `search_after`, and assembly of the HAL page body
// ({"_links":{self,first,previous,next},"current_page":N,"items_count":N,
// "_embedded":{"items":[...]}}) from items that are already serialized.
//
// Page mode links carry page/with_count/pagination_type/limit; search-after
// links carry pagination_type/limit/search_after and no count. Other query
// parameters (search, locales...) are carried into every link unchanged.
// The search-after cursor is opaque to clients (hex of the last item's key).
//
// Thread-safety: pure functions; a PageBuilder is used by one thread.
//
//   absl::StatusOr<PageRequest> req = ParsePageRequest(params, true);
//   PageBuilder page(*req, "/api/rest/v1/products");
//   page.AddItem("/api/rest/v1/products/a", R"({"identifier":"a"})");
//   std::string body = page.FinishPage(/*has_next=*/false, std::nullopt);
#ifndef PIMSIM_MOCK_PIM_API_PAGINATION_H_
#define PIMSIM_MOCK_PIM_API_PAGINATION_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/url.h"

namespace pimsim::api {

inline constexpr int kDefaultLimit = 10;
inline constexpr int kMaxLimit = 100;

enum class PaginationType { kPage, kSearchAfter };

struct PageRequest {
  PaginationType type = PaginationType::kPage;
  int page = 1;  // page mode, from 1
  int limit = kDefaultLimit;
  bool with_count = false;  // page mode
  // Search-after mode: the decoded key after which the page starts; empty
  // for the first page.
  std::string search_after;
  // The other query parameters, raw and '&'-joined, repeated in links.
  std::string link_params;

  // Page mode: items to skip.
  size_t offset() const { return static_cast<size_t>(page - 1) * limit; }
};

// Parses the pagination parameters. InvalidArgument carries the message of
// Akeneo's 422 (e.g. "You cannot request more than 100 items.").
absl::StatusOr<PageRequest> ParsePageRequest(
    const std::vector<url::QueryParam>& params, bool search_after_supported);

std::string EncodeCursor(std::string_view key);
// InvalidArgument if `cursor` was not made by EncodeCursor.
absl::StatusOr<std::string> DecodeCursor(std::string_view cursor);

// Appends the resource `item_json` ("{...}") to `*out` with "_links" as its
// first field: {"self":{"href":self_href}} and, when `download_href` is not
// empty, "download":{"href":download_href} (media files).
void AppendItemWithLinks(std::string_view self_href,
                         std::string_view download_href,
                         std::string_view item_json, std::string* out);

class PageBuilder {
 public:
  // `collection_href` is the list's path, with the instance prefix.
  PageBuilder(const PageRequest& request, std::string collection_href);

  // Adds one item: `item_json` is the cached "{...}" of the resource, which
  // gets `"_links":{"self":{"href":self_href}}` inserted first (see
  // AppendItemWithLinks).
  void AddItem(std::string_view self_href, std::string_view item_json,
               std::string_view download_href = {});
  size_t item_count() const { return items_; }

  // Page mode body. `items_count` is added when set.
  std::string FinishPage(bool has_next, std::optional<size_t> items_count);
  // Search-after body; `next_key` is the key to continue after, if any.
  std::string FinishSearchAfter(std::optional<std::string_view> next_key);

 private:
  std::string PageHref(int page) const;
  std::string SearchAfterHref(std::optional<std::string_view> after) const;

  const PageRequest& request_;
  const std::string collection_href_;
  std::string items_json_;
  size_t items_ = 0;
};

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_PAGINATION_H_
