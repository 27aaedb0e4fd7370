#include "mock_pim/api/pagination.h"

#include "gtest/gtest.h"
#include "mock_pim/api/json_util.h"

namespace pimsim::api {
namespace {

absl::StatusOr<PageRequest> Parse(const char* query, bool search_after = true) {
  return ParsePageRequest(url::ParseQuery(query), search_after);
}

TEST(PaginationTest, Defaults) {
  absl::StatusOr<PageRequest> r = Parse("");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, PaginationType::kPage);
  EXPECT_EQ(r->page, 1);
  EXPECT_EQ(r->limit, 10);
  EXPECT_FALSE(r->with_count);
  EXPECT_EQ(r->offset(), 0u);
}

TEST(PaginationTest, ParsesPageLimitCountAndKeepsOtherParams) {
  absl::StatusOr<PageRequest> r =
      Parse("page=3&limit=100&with_count=true&search=%7B%7D&locales=en_US");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->page, 3);
  EXPECT_EQ(r->limit, 100);
  EXPECT_TRUE(r->with_count);
  EXPECT_EQ(r->offset(), 200u);
  EXPECT_EQ(r->link_params, "search=%7B%7D&locales=en_US");
}

struct BadCase {
  const char* query;
  const char* message;
};

class PaginationErrorTest : public testing::TestWithParam<BadCase> {};

TEST_P(PaginationErrorTest, RefusesWithAkeneoMessage) {
  absl::StatusOr<PageRequest> r = Parse(GetParam().query, /*search_after=*/false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PaginationErrorTest,
    testing::Values(
        BadCase{"limit=101", "You cannot request more than 100 items."},
        BadCase{"limit=99999999999", "You cannot request more than 100 items."},
        BadCase{"limit=0", "\"0\" is not a valid limit number."},
        BadCase{"limit=-1", "\"-1\" is not a valid limit number."},
        BadCase{"limit=ten", "\"ten\" is not a valid limit number."},
        BadCase{"page=0", "\"0\" is not a valid page number."},
        BadCase{"page=x", "\"x\" is not a valid page number."},
        BadCase{"with_count=1",
                "Parameter \"with_count\" has to be a boolean. Only \"true\" "
                "or \"false\" allowed, \"1\" given."},
        BadCase{"pagination_type=cursor", "Pagination type does not exist."},
        BadCase{"pagination_type=search_after",
                "Pagination type is not supported."}));

TEST(PaginationTest, CursorRoundTripsAndRejectsGarbage) {
  EXPECT_EQ(*DecodeCursor(EncodeCursor("sku/1 é")), "sku/1 é");
  EXPECT_FALSE(DecodeCursor("zz").ok());
  EXPECT_FALSE(DecodeCursor("abc").ok());
  absl::StatusOr<PageRequest> r = Parse(
      ("pagination_type=search_after&search_after=" + EncodeCursor("k")).c_str());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->search_after, "k");
}

TEST(PaginationTest, MiddlePageHasAllLinksAndItemsWithSelfLinks) {
  absl::StatusOr<PageRequest> r = Parse("page=2&limit=1&with_count=true");
  PageBuilder b(*r, "/api/rest/v1/families");
  b.AddItem("/api/rest/v1/families/f", R"({"code":"f"})");
  Json body = Json::parse(b.FinishPage(true, 3));
  const Json& links = body["_links"];
  EXPECT_EQ(links["self"]["href"],
            "/api/rest/v1/families?page=2&with_count=true&pagination_type=page&limit=1");
  EXPECT_EQ(links["first"]["href"],
            "/api/rest/v1/families?page=1&with_count=true&pagination_type=page&limit=1");
  EXPECT_EQ(links["previous"]["href"],
            "/api/rest/v1/families?page=1&with_count=true&pagination_type=page&limit=1");
  EXPECT_EQ(links["next"]["href"],
            "/api/rest/v1/families?page=3&with_count=true&pagination_type=page&limit=1");
  EXPECT_EQ(body["current_page"], 2);
  EXPECT_EQ(body["items_count"], 3);
  ASSERT_EQ(body["_embedded"]["items"].size(), 1u);
  EXPECT_EQ(DumpJson(body["_embedded"]["items"][0]),
            R"({"_links":{"self":{"href":"/api/rest/v1/families/f"}},"code":"f"})");
}

TEST(PaginationTest, FirstAndLastPageOmitPreviousAndNext) {
  absl::StatusOr<PageRequest> r = Parse("");
  PageBuilder b(*r, "/x");
  Json body = Json::parse(b.FinishPage(false, std::nullopt));
  EXPECT_FALSE(body["_links"].contains("previous"));
  EXPECT_FALSE(body["_links"].contains("next"));
  EXPECT_FALSE(body.contains("items_count"));
  EXPECT_TRUE(body["_embedded"]["items"].empty());
}

TEST(PaginationTest, SearchAfterLinksHaveNoPreviousNorCount) {
  absl::StatusOr<PageRequest> r =
      Parse("pagination_type=search_after&limit=2&search=%7B%7D");
  PageBuilder b(*r, "/p");
  Json body = Json::parse(b.FinishSearchAfter("k"));
  EXPECT_EQ(body["_links"]["self"]["href"],
            "/p?pagination_type=search_after&limit=2&search=%7B%7D");
  EXPECT_EQ(body["_links"]["first"]["href"],
            "/p?pagination_type=search_after&limit=2&search=%7B%7D");
  EXPECT_EQ(body["_links"]["next"]["href"],
            "/p?pagination_type=search_after&limit=2&search_after=" +
                EncodeCursor("k") + "&search=%7B%7D");
  EXPECT_FALSE(body["_links"].contains("previous"));
  EXPECT_FALSE(body.contains("current_page"));
  EXPECT_FALSE(body.contains("items_count"));
}

}  // namespace
}  // namespace pimsim::api
