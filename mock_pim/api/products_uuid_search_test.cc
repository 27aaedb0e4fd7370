// POST /api/rest/v1/products-uuid/search through Api::Handle: the list's
// parameters in a JSON body answer byte for byte as GET /products-uuid
// with the same parameters in the query.
#include <string>

#include "gtest/gtest.h"
#include "mock_pim/api/api_fixture.h"
#include "mock_pim/api/json_util.h"
#include "mock_pim/api/str_util.h"
#include "common/url.h"

namespace pimsim::api {
namespace {

constexpr char kSearch[] = "/api/rest/v1/products-uuid/search";

class ProductsUuidSearchTest : public ApiFixture {
 protected:
  void SetUp() override { Build("", 25); }

  ApiResponse Search(std::string_view body, std::string_view query = "") {
    std::string target = kSearch;
    if (!query.empty()) target = Cat(target, "?", query);
    return Call("POST", target, body);
  }
  // Expects the search and the GET to answer alike.
  void ExpectSameAsGet(std::string_view body, std::string_view get_query) {
    const ApiResponse post = Search(body);
    const ApiResponse get = Get(Cat("/api/rest/v1/products-uuid?", get_query));
    EXPECT_EQ(post.status, get.status) << body;
    EXPECT_EQ(post.content_type, get.content_type) << body;
    EXPECT_EQ(post.body, get.body) << body;
  }
};

TEST_F(ProductsUuidSearchTest, AnEmptyBodyListsTheFirstPage) {
  ExpectSameAsGet("", "");
  ExpectSameAsGet("{}", "");
  const Json page = Body(Search("{}"));
  EXPECT_EQ(page["_embedded"]["items"].size(), 10u);
}

TEST_F(ProductsUuidSearchTest, BodyParametersAnswerAsTheQuery) {
  ExpectSameAsGet(R"({"limit":3,"page":2,"with_count":true})",
                  "limit=3&page=2&with_count=true");
  ExpectSameAsGet(R"({"limit":"3","with_count":"true"})", "limit=3&with_count=true");
  ExpectSameAsGet(R"({"pagination_type":"search_after","limit":4})",
                  "pagination_type=search_after&limit=4");
  ExpectSameAsGet(R"({"scope":"ecommerce","locales":["en_US","fr_FR"],"attributes":"name"})",
                  "scope=ecommerce&locales=en_US%2Cfr_FR&attributes=name");
}

TEST_F(ProductsUuidSearchTest, SearchAsAnObjectOrAStringFilters) {
  const std::string filter = R"({"enabled":[{"operator":"=","value":false}]})";
  const std::string encoded = url::PercentEncode(filter);
  ExpectSameAsGet(Cat(R"({"search":)", filter, "}"), Cat("search=", encoded));
  ExpectSameAsGet(Cat(R"({"search":)", DumpJson(Json(filter)), "}"),
                  Cat("search=", encoded));
  // The filter really filters: enabled and disabled products make the whole.
  int total = 0;
  for (const char* enabled : {"true", "false"}) {
    const ApiResponse r = Search(Cat(R"({"with_count":true,"search":{"enabled":[{"operator":"=","value":)",
                                     enabled, "}]}}"));
    ASSERT_EQ(r.status, 200) << r.body;
    total += Body(r)["items_count"].get<int>();
  }
  EXPECT_EQ(total, 25);
}

TEST_F(ProductsUuidSearchTest, LinksAreTheListsAndFollowable) {
  const Json page = Body(Search(R"({"limit":5})"));
  const std::string next = page["_links"]["next"]["href"];
  EXPECT_EQ(next.rfind("/api/rest/v1/products-uuid?", 0), 0u) << next;
  const Json second = GetJson(next);
  EXPECT_EQ(second["current_page"], 2);
}

TEST_F(ProductsUuidSearchTest, TheBodyOverridesTheQuery) {
  const ApiResponse r = Search(R"({"limit":2})", "limit=7&with_count=true");
  const Json page = Body(r);
  EXPECT_EQ(page["_embedded"]["items"].size(), 2u);
  EXPECT_EQ(page["items_count"], 25);
  EXPECT_EQ(r.body, Get("/api/rest/v1/products-uuid?with_count=true&limit=2").body);
}

TEST_F(ProductsUuidSearchTest, ErrorsAreTheListsOrTheBodys) {
  ExpectSameAsGet(R"({"limit":101})", "limit=101");
  ExpectSameAsGet(R"({"pagination_type":"nope"})", "pagination_type=nope");
  ExpectSameAsGet(R"({"search":"{not json"})", "search=%7Bnot%20json");
  ExpectSameAsGet(R"({"search":{"categories":[{"operator":"IN","value":["not_found"]}]}})",
                  "search=%7B%22categories%22%3A%5B%7B%22operator%22%3A%22IN%22%2C%22"
                  "value%22%3A%5B%22not_found%22%5D%7D%5D%7D");
  ExpectError(Search("{"), 400, "Invalid json message received");
  ExpectError(Search("[]"), 400, "Invalid json message received");
  ExpectError(Search(R"({"limit":[1]})"), 422,
              "Property \"limit\" expects a string, \"array\" given.");
  ExpectError(Search(R"({"locales":[1]})"), 422,
              "Property \"locales\" expects an array of strings, \"integer\" given "
              "in the array.");
}

TEST_F(ProductsUuidSearchTest, OnlyPostIsRoutedAndTheBodyIsJson) {
  const ApiResponse get = Get(kSearch);
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.allow, "POST");
  EXPECT_EQ(Call("POST", kSearch, "{}", "text/plain").status, 415);
  EXPECT_EQ(Classify("POST", kSearch, "{}").kind, RouteKind::kList);
}

}  // namespace
}  // namespace pimsim::api
