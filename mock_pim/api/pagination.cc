#include "mock_pim/api/pagination.h"

#include "common/hex.h"
#include "absl/status/status.h"
#include "mock_pim/api/str_util.h"
#include "absl/strings/str_cat.h"
#include "mock_pim/api/json_util.h"

namespace pimsim::api {
namespace {

// A positive decimal integer without sign or spaces, at most 9 digits.
std::optional<int> ParsePositive(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v < 1) return std::nullopt;
  return v;
}

bool IsPaginationParam(std::string_view key) {
  return key == "page" || key == "limit" || key == "with_count" ||
         key == "pagination_type" || key == "search_after";
}

}  // namespace

absl::StatusOr<PageRequest> ParsePageRequest(
    const std::vector<url::QueryParam>& params, bool search_after_supported) {
  PageRequest req;
  if (const url::QueryParam* p = url::FindParam(params, "pagination_type")) {
    if (p->value == "search_after") {
      if (!search_after_supported) {
        return absl::InvalidArgumentError("Pagination type is not supported.");
      }
      req.type = PaginationType::kSearchAfter;
    } else if (p->value != "page") {
      return absl::InvalidArgumentError("Pagination type does not exist.");
    }
  }
  if (const url::QueryParam* p = url::FindParam(params, "limit")) {
    std::optional<int> limit = ParsePositive(p->value);
    if (!limit) {
      // A large but well-formed number is "too many", not "invalid".
      bool digits = !p->value.empty();
      for (char c : p->value) digits = digits && c >= '0' && c <= '9';
      if (digits && p->value.find_first_not_of('0') != std::string::npos) {
        return absl::InvalidArgumentError(Cat(
            "You cannot request more than ", kMaxLimit, " items."));
      }
      return absl::InvalidArgumentError(
          Cat("\"", p->value, "\" is not a valid limit number."));
    }
    if (*limit > kMaxLimit) {
      return absl::InvalidArgumentError(
          Cat("You cannot request more than ", kMaxLimit, " items."));
    }
    req.limit = *limit;
  }
  if (const url::QueryParam* p = url::FindParam(params, "page");
      p != nullptr && req.type == PaginationType::kPage) {
    std::optional<int> page = ParsePositive(p->value);
    if (!page) {
      return absl::InvalidArgumentError(
          Cat("\"", p->value, "\" is not a valid page number."));
    }
    req.page = *page;
  }
  if (const url::QueryParam* p = url::FindParam(params, "with_count")) {
    if (p->value == "true") {
      req.with_count = true;
    } else if (p->value != "false") {
      return absl::InvalidArgumentError(Cat(
          "Parameter \"with_count\" has to be a boolean. Only \"true\" or "
          "\"false\" allowed, \"",
          p->value, "\" given."));
    }
  }
  if (const url::QueryParam* p = url::FindParam(params, "search_after");
      p != nullptr && req.type == PaginationType::kSearchAfter) {
    absl::StatusOr<std::string> key = DecodeCursor(p->value);
    if (!key.ok()) return key.status();
    req.search_after = *std::move(key);
  }
  for (const url::QueryParam& p : params) {
    if (IsPaginationParam(p.key)) continue;
    if (!req.link_params.empty()) req.link_params.push_back('&');
    req.link_params.append(p.raw);
  }
  return req;
}

std::string EncodeCursor(std::string_view key) { return HexEncode(key); }

absl::StatusOr<std::string> DecodeCursor(std::string_view cursor) {
  std::string key;
  if (!HexDecode(cursor, &key)) {
    return absl::InvalidArgumentError("Parameter \"search_after\" is not valid.");
  }
  return key;
}

PageBuilder::PageBuilder(const PageRequest& request,
                         std::string collection_href)
    : request_(request), collection_href_(std::move(collection_href)) {}

void AppendItemWithLinks(std::string_view self_href,
                         std::string_view download_href,
                         std::string_view item_json, std::string* out) {
  out->append("{\"_links\":{\"self\":{\"href\":");
  AppendJsonString(self_href, out);
  out->push_back('}');
  if (!download_href.empty()) {
    out->append(",\"download\":{\"href\":");
    AppendJsonString(download_href, out);
    out->push_back('}');
  }
  out->push_back('}');
  // item_json is "{...}": keep its fields after the links.
  if (item_json.size() > 2) {
    out->push_back(',');
    out->append(item_json.substr(1));
  } else {
    out->push_back('}');
  }
}

void PageBuilder::AddItem(std::string_view self_href,
                          std::string_view item_json,
                          std::string_view download_href) {
  if (items_ > 0) items_json_.push_back(',');
  ++items_;
  AppendItemWithLinks(self_href, download_href, item_json, &items_json_);
}

std::string PageBuilder::PageHref(int page) const {
  std::string href = Cat(
      collection_href_, "?page=", page,
      "&with_count=", request_.with_count ? "true" : "false",
      "&pagination_type=page&limit=", request_.limit);
  if (!request_.link_params.empty()) {
    Append(&href, "&", request_.link_params);
  }
  return href;
}

std::string PageBuilder::SearchAfterHref(
    std::optional<std::string_view> after) const {
  std::string href = Cat(collection_href_,
                                  "?pagination_type=search_after&limit=",
                                  request_.limit);
  if (after.has_value()) {
    Append(&href, "&search_after=", EncodeCursor(*after));
  }
  if (!request_.link_params.empty()) {
    Append(&href, "&", request_.link_params);
  }
  return href;
}

namespace {

void AppendLink(std::string_view name, std::string_view href, bool first,
                std::string* out) {
  if (!first) out->push_back(',');
  AppendJsonString(name, out);
  out->append(":{\"href\":");
  AppendJsonString(href, out);
  out->push_back('}');
}

}  // namespace

std::string PageBuilder::FinishPage(bool has_next,
                                    std::optional<size_t> items_count) {
  std::string body;
  body.reserve(items_json_.size() + 512);
  body.append("{\"_links\":{");
  AppendLink("self", PageHref(request_.page), true, &body);
  AppendLink("first", PageHref(1), false, &body);
  if (request_.page > 1) {
    AppendLink("previous", PageHref(request_.page - 1), false, &body);
  }
  if (has_next) AppendLink("next", PageHref(request_.page + 1), false, &body);
  Append(&body, "},\"current_page\":", request_.page);
  if (items_count.has_value()) {
    Append(&body, ",\"items_count\":", *items_count);
  }
  body.append(",\"_embedded\":{\"items\":[");
  body.append(items_json_);
  body.append("]}}");
  return body;
}

std::string PageBuilder::FinishSearchAfter(
    std::optional<std::string_view> next_key) {
  std::string body;
  body.reserve(items_json_.size() + 512);
  body.append("{\"_links\":{");
  std::optional<std::string_view> self_after;
  if (!request_.search_after.empty()) self_after = request_.search_after;
  AppendLink("self", SearchAfterHref(self_after), true, &body);
  AppendLink("first", SearchAfterHref(std::nullopt), false, &body);
  if (next_key.has_value()) {
    AppendLink("next", SearchAfterHref(next_key), false, &body);
  }
  body.append("},\"_embedded\":{\"items\":[");
  body.append(items_json_);
  body.append("]}}");
  return body;
}

}  // namespace pimsim::api
