// Akeneo's documented error answers, byte for byte: each row is a request as a
// client sends it and the exact status, Content-Type, body (and Allow header
// for a 405) that the PIM documents for it. The expected bodies are written
// out literally, not built from the messages the handlers use, so that a
// change to any message, key order or escaping shows here.
//
// Sources, named on each row: "§N" is a section of
// /work/shared/reference/akeneo-api.md; "web-api.json X" is the example of the
// response X in /work/shared/reference/akeneo-web-api.json (whose curly quotes
// the server does not send, §5); a PHP test or class name is the Akeneo
// server's (pim-community-dev), as §1-§9 quote it. The token route's table is
// in mock_pim/auth/token_service_test.cc; the 429 body is the mock core's.
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mock_pim/api/api.h"
#include "mock_pim/api/api_fixture.h"

namespace pimsim::api {
namespace {

constexpr char kJson[] = "application/json";
constexpr char kNdjson[] = "application/vnd.akeneo.collection+json";

struct Row {
  const char* name;    // the test's name
  const char* source;  // where Akeneo documents this answer
  const char* method;
  const char* target;  // path and query, as sent (the query percent-encoded)
  const char* content_type;
  std::string body;
  int status;
  const char* expected_content_type;
  std::string expected_body;
  const char* allow = "";   // the Allow header of a 405
  const char* accept = "";  // the request's Accept header
};

// gtest names a failing row by its name, not by its bytes.
void PrintTo(const Row& row, std::ostream* os) { *os << row.name; }

std::string Lines(int n) {
  std::string body;
  for (int i = 0; i < n; ++i) {
    absl::StrAppend(&body, i == 0 ? "" : "\n", R"({"identifier":"l)", i, R"("})");
  }
  return body;
}

const std::vector<Row>& Rows() {
  static const std::vector<Row>* const rows = new std::vector<Row>{
      // --- 400: malformed JSON ---------------------------------------------
      {"InvalidJsonOnSinglePatch", "§5; web-api.json 400Error", "PATCH",
       "/api/rest/v1/products/p1", kJson, "{", 400, kJson,
       R"({"code":400,"message":"Invalid json message received"})"},
      {"InvalidJsonOnPost", "§5", "POST", "/api/rest/v1/families", kJson,
       R"({"code":)", 400, kJson,
       R"({"code":400,"message":"Invalid json message received"})"},

      // --- search filters ----------------------------------------------------
      {"SearchNotJson", "§4; ErrorListProductIntegration", "GET",
       "/api/rest/v1/products?search=%7B%22a%22", "", "", 400, kJson,
       R"({"code":400,"message":"Search query parameter should be valid JSON."})"},
      {"SearchJsonNull", "§4; GetListOfProductsQueryValidator (json_decode gives null)",
       "GET", "/api/rest/v1/products?search=null", "", "", 400, kJson,
       R"({"code":400,"message":"Search query parameter should be valid JSON."})"},
      {"SearchNotAnArray", "§9 Filters; ErrorListProductIntegration::testSearchIsNotAnArray",
       "GET", "/api/rest/v1/products?search=%22not_an_array%22", "", "", 422, kJson,
       R"({"code":422,"message":"Search query parameter has to be an array, \"string\" given."})"},
      {"SearchIsAnInteger", "§9 Filters (PHP gettype of the decoded search)", "GET",
       "/api/rest/v1/products?search=12", "", "", 422, kJson,
       R"({"code":422,"message":"Search query parameter has to be an array, \"integer\" given."})"},
      {"OperatorIsAnArray", "§9 Filters; ErrorListProductIntegration::testOperatorIsAnArray",
       "GET",
       "/api/rest/v1/products?search=%7B%22a_text%22:%5B%7B%22operator%22:%5B%22=%22%5D,"
       "%22value%22:%22text%22%7D%5D%7D",
       "", "", 422, kJson,
       R"({"code":422,"message":"Operator has to be a string, \"array\" given."})"},
      {"OperatorMissing", "GetListOfProductsQueryValidator", "GET",
       "/api/rest/v1/products?search=%7B%22family%22:%5B%7B%22value%22:%5B%22x%22%5D%7D%5D%7D",
       "", "", 422, kJson,
       R"({"code":422,"message":"Operator is missing for the property \"family\"."})"},
      {"FilterNotAList", "GetListOfProductsQueryValidator", "GET",
       "/api/rest/v1/products?search=%7B%22family%22:%7B%22operator%22:%22IN%22%7D%7D", "",
       "", 422, kJson,
       R"({"code":422,"message":"Structure of filter \"family\" should respect this structure: {\"family\":[{\"operator\": \"my_operator\", \"value\": \"my_value\"}]}"})"},
      {"CategoryNotFound", "§9 Filters; ErrorListProductIntegration::testSearchWithObjectNotFound",
       "GET",
       "/api/rest/v1/products?search=%7B%22categories%22:%5B%7B%22operator%22:%22IN%22,"
       "%22value%22:%5B%22not_found%22%5D%7D%5D%7D",
       "", "", 422, kJson,
       R"({"code":422,"message":"Category \"not_found\" does not exist."})"},
      {"CategoriesNotFound", "GetListOfProductsQueryValidator (the plural)", "GET",
       "/api/rest/v1/products?search=%7B%22categories%22:%5B%7B%22operator%22:%22NOT%20IN%22,"
       "%22value%22:%5B%22not_found%22,%22master%22,%22jambon%22%5D%7D%5D%7D",
       "", "", 422, kJson,
       R"({"code":422,"message":"Categories \"not_found, jambon\" do not exist."})"},

      // --- pagination --------------------------------------------------------
      {"LimitOver100", "§4; ErrorListProductIntegration", "GET",
       "/api/rest/v1/products?limit=101", "", "", 422, kJson,
       R"({"code":422,"message":"You cannot request more than 100 items."})"},
      {"LimitOver100OnFamilies", "§4 (every list)", "GET", "/api/rest/v1/families?limit=101",
       "", "", 422, kJson,
       R"({"code":422,"message":"You cannot request more than 100 items."})"},
      {"UnknownPaginationType", "§4; ErrorListProductIntegration", "GET",
       "/api/rest/v1/products?pagination_type=unknown", "", "", 422, kJson,
       R"({"code":422,"message":"Pagination type does not exist."})"},
      {"PagePast10000Products", "§4; ErrorListProductIntegration::testMaxPageWithOffsetPaginationType",
       "GET", "/api/rest/v1/products?page=101&limit=100", "", "", 422, kJson,
       R"({"code":422,"message":"You have reached the maximum number of pages you can retrieve with the \"page\" pagination type. Please use the search after pagination type instead","_links":{"documentation":{"href":"http://api.akeneo.com/documentation/pagination.html#the-search-after-method"}}})"},
      {"PagePast10000ProductsUuid",
       "§4; ErrorListProductWithUuidIntegration::testMaxPageWithOffsetPaginationType", "GET",
       "/api/rest/v1/products-uuid?page=101&limit=100", "", "", 422, kJson,
       R"({"code":422,"message":"You have reached the maximum number of pages you can retrieve with the \"page\" pagination type. Please use the search after pagination type instead","_links":{"documentation":{"href":"http://api.akeneo.com/documentation/pagination.html#the-search-after-method"}}})"},
      {"PagePast10000ProductModels",
       "ListProductModelIntegration::testMaxPageWithOffsetPaginationType", "GET",
       "/api/rest/v1/product-models?page=101&limit=100", "", "", 422, kJson,
       R"({"code":422,"message":"You have reached the maximum number of pages you can retrieve with the \"page\" pagination type. Please use the search after pagination type instead","_links":{"documentation":{"href":"http://api.akeneo.com/documentation/pagination.html#the-search-after-method"}}})"},

      // --- 404: every resource -----------------------------------------------
      {"ProductNotFound", "§9 Validation and messages (since 7.x)", "GET",
       "/api/rest/v1/products/x", "", "", 404, kJson,
       R"({"code":404,"message":"Product \"x\" does not exist or you do not have permission to access it."})"},
      {"ProductNotFoundOnDelete", "§5 (DeleteProductIntegration); §9 text since 7.x", "DELETE",
       "/api/rest/v1/products/x", "", "", 404, kJson,
       R"({"code":404,"message":"Product \"x\" does not exist or you do not have permission to access it."})"},
      {"ProductUuidNotFound", "§9 Validation and messages", "GET",
       "/api/rest/v1/products-uuid/fc24e6c3-933c-4a93-8a81-e5c703d134d5", "", "", 404, kJson,
       R"({"code":404,"message":"Product \"fc24e6c3-933c-4a93-8a81-e5c703d134d5\" does not exist or you do not have permission to access it."})"},
      {"ProductModelNotFound", "ProductModelController (7.x); GetProductModelIntegration",
       "GET", "/api/rest/v1/product-models/x", "", "", 404, kJson,
       R"({"code":404,"message":"Product model \"x\" does not exist or you do not have permission to access it."})"},
      {"FamilyNotFound", "§5; FamilyController", "GET", "/api/rest/v1/families/x", "", "",
       404, kJson, R"({"code":404,"message":"Family \"x\" does not exist."})"},
      {"AttributeNotFound", "§5; AttributeController", "GET", "/api/rest/v1/attributes/x", "",
       "", 404, kJson, R"({"code":404,"message":"Attribute \"x\" does not exist."})"},
      {"OptionNotFound", "§5; AttributeOptionController", "GET",
       "/api/rest/v1/attributes/color/options/x", "", "", 404, kJson,
       R"({"code":404,"message":"Attribute option \"x\" does not exist or is not an option of the attribute \"color\"."})"},
      {"OptionOfUnknownAttribute", "§5; AttributeOptionController", "GET",
       "/api/rest/v1/attributes/x/options/y", "", "", 404, kJson,
       R"({"code":404,"message":"Attribute \"x\" does not exist."})"},
      {"CategoryItemNotFound", "§5; CategoryController", "GET", "/api/rest/v1/categories/x",
       "", "", 404, kJson, R"({"code":404,"message":"Category \"x\" does not exist."})"},
      {"ChannelNotFound", "§5; ChannelController", "GET", "/api/rest/v1/channels/x", "", "",
       404, kJson, R"({"code":404,"message":"Channel \"x\" does not exist."})"},
      {"LocaleNotFound", "§5; LocaleController", "GET", "/api/rest/v1/locales/x", "", "", 404,
       kJson, R"({"code":404,"message":"Locale \"x\" does not exist."})"},
      {"CurrencyNotFound", "§5; CurrencyController", "GET", "/api/rest/v1/currencies/XXX",
       "", "", 404, kJson, R"({"code":404,"message":"Currency \"XXX\" does not exist."})"},
      {"AssociationTypeNotFound", "§5; AssociationTypeController", "GET",
       "/api/rest/v1/association-types/x", "", "", 404, kJson,
       R"({"code":404,"message":"Association type \"x\" does not exist."})"},
      {"AttributeGroupNotFound", "§5; AttributeGroupController", "GET",
       "/api/rest/v1/attribute-groups/x", "", "", 404, kJson,
       R"({"code":404,"message":"Attribute group \"x\" does not exist."})"},
      {"VariantsOfUnknownFamily", "§5; FamilyVariantController", "GET",
       "/api/rest/v1/families/x/variants/y", "", "", 404, kJson,
       R"({"code":404,"message":"Family \"x\" does not exist."})"},
      {"FamilyVariantNotFound", "§5; FamilyVariantController", "GET",
       "/api/rest/v1/families/family_1/variants/y", "", "", 404, kJson,
       R"({"code":404,"message":"Family variant \"y\" does not exist or is not a variant of the family \"family_1\"."})"},
      {"MediaFileNotFound", "§5; MediaFileController", "GET", "/api/rest/v1/media-files/x",
       "", "", 404, kJson, R"({"code":404,"message":"Media file \"x\" does not exist."})"},
      {"MediaFileDownloadNotFound", "§5; MediaFileController", "GET",
       "/api/rest/v1/media-files/x/download", "", "", 404, kJson,
       R"({"code":404,"message":"Media file \"x\" does not exist."})"},
      {"MeasureFamilyNotFound", "§5; MeasureFamilyController", "GET",
       "/api/rest/v1/measure-families/x", "", "", 404, kJson,
       R"({"code":404,"message":"Measure family \"x\" does not exist."})"},
      {"ExportJobNotFound", "web-api.json 404Error", "POST", "/api/rest/v1/jobs/export/x",
       "", "", 404, kJson, R"({"code":404,"message":"Resource `x` does not exist."})"},
      {"ImportJobNotFound", "web-api.json 404Error", "POST", "/api/rest/v1/jobs/import/x",
       "", "", 404, kJson, R"({"code":404,"message":"Resource `x` does not exist."})"},

      // --- 415: Content-Type -------------------------------------------------
      {"ContentTypeMissingOnPost", "§9 Validation and messages (the server text; §5 differs)",
       "POST", "/api/rest/v1/families", "", R"({"code":"f"})", 415, kJson,
       R"({"code":415,"message":"The \"Content-Type\" header is missing. \"application/json\" has to be specified as value."})"},
      {"ContentTypeMissingOnPatch", "§9 Validation and messages", "PATCH",
       "/api/rest/v1/products/p1", "", "{}", 415, kJson,
       R"({"code":415,"message":"The \"Content-Type\" header is missing. \"application/json\" has to be specified as value."})"},
      {"ContentTypeWrong", "§5; web-api.json 415Error (straight quotes)", "PATCH",
       "/api/rest/v1/families/f", "text/plain", "{}", 415, kJson,
       R"({"code":415,"message":"\"text/plain\" in \"Content-Type\" header is not valid. Only \"application/json\" is allowed."})"},
      {"ContentTypeJsonOnBatch", "§3; CheckHeadersRequestSubscriberIntegration", "PATCH",
       "/api/rest/v1/products", kJson, "{}", 415, kJson,
       R"({"code":415,"message":"\"application/json\" in \"Content-Type\" header is not valid. Only \"application/vnd.akeneo.collection+json\" is allowed."})"},
      {"ContentTypeJsonOnUpload", "web-api.json 415ErrorMultipart (straight quotes)", "POST",
       "/api/rest/v1/media-files", kJson, "{}", 415, kJson,
       R"({"code":415,"message":"\"application/json\" in \"Content-Type\" header is not valid. Only \"multipart/form-data\" is allowed."})"},

      // --- 406: Accept -------------------------------------------------------
      {"AcceptHtml", "§5; web-api.json 406Error (straight quotes)", "GET",
       "/api/rest/v1/channels/ecommerce", "", "", 406, kJson,
       R"({"code":406,"message":"\"text/html\" in \"Accept\" header is not valid. Only \"application/json\" is allowed."})",
       "", "text/html"},
      {"AcceptXmlOnList", "§5; web-api.json 406Error", "GET", "/api/rest/v1/products", "", "",
       406, kJson,
       R"({"code":406,"message":"\"application/xml\" in \"Accept\" header is not valid. Only \"application/json\" is allowed."})",
       "", "application/xml"},

      // --- 405: Allow (the message is Symfony's RouterListener text) ----------
      {"DeleteAttribute", "§9 Validation and messages (Allow); §2 (no DELETE)", "DELETE",
       "/api/rest/v1/attributes/sku", "", "", 405, kJson,
       R"x({"code":405,"message":"No route found for \"DELETE /api/rest/v1/attributes/sku\": Method Not Allowed (Allow: GET, PATCH)"})x",
       "GET, PATCH"},
      {"PostLocales", "§9 (Allow); §2 (locales GET only)", "POST", "/api/rest/v1/locales", kJson,
       "{}", 405, kJson,
       R"x({"code":405,"message":"No route found for \"POST /api/rest/v1/locales\": Method Not Allowed (Allow: GET)"})x",
       "GET"},
      {"DeleteChannel", "§9 (Allow); §2", "DELETE", "/api/rest/v1/channels/ecommerce", "", "",
       405, kJson,
       R"x({"code":405,"message":"No route found for \"DELETE /api/rest/v1/channels/ecommerce\": Method Not Allowed (Allow: GET, PATCH)"})x",
       "GET, PATCH"},
      {"PutProducts", "§9 (Allow); §2", "PUT", "/api/rest/v1/products", kJson, "{}", 405,
       kJson,
       R"x({"code":405,"message":"No route found for \"PUT /api/rest/v1/products\": Method Not Allowed (Allow: GET, POST, PATCH)"})x",
       "GET, POST, PATCH"},
      {"GetExportJob", "§9 (Allow; jobs are POST only)", "GET", "/api/rest/v1/jobs/export/x",
       "", "", 405, kJson,
       R"x({"code":405,"message":"No route found for \"GET /api/rest/v1/jobs/export/x\": Method Not Allowed (Allow: POST)"})x",
       "POST"},

      // --- 413: batch size ---------------------------------------------------
      {"BatchOver100Lines", "§3; web-api.json 413Error; PartialUpdateListProductIntegration",
       "PATCH", "/api/rest/v1/products", kNdjson, Lines(101), 413, kJson,
       R"({"code":413,"message":"Too many resources to process, 100 is the maximum allowed."})"},

      // --- batch lines (200, one JSON line per input line) --------------------
      {"BatchLineInvalidJson", "§3; PartialUpdateListProductIntegration", "PATCH",
       "/api/rest/v1/products", kNdjson, "{", 200, kNdjson,
       R"({"line":1,"status_code":400,"message":"Invalid json message received"})"},
      {"BatchLineEmpty", "§3; PartialUpdateListProductIntegration", "PATCH",
       "/api/rest/v1/products", kNdjson, std::string(R"({"identifier":"ok_1"})") + "\n\n" +
           R"({"identifier":"ok_2"})",
       200, kNdjson,
       R"({"line":1,"identifier":"ok_1","status_code":201})"
       "\n"
       R"({"line":2,"status_code":400,"message":"Invalid json message received"})"
       "\n"
       R"({"line":3,"identifier":"ok_2","status_code":201})"},
      {"BatchLineIdentifierMissing", "§3; PartialUpdateListProductIntegration", "PATCH",
       "/api/rest/v1/products", kNdjson, R"({"values":{}})", 200, kNdjson,
       R"({"line":1,"status_code":422,"message":"Identifier is missing."})"},
      {"BatchLineIdentifierNotAString", "§9 Validation and messages", "PATCH",
       "/api/rest/v1/products", kNdjson, R"({"identifier":12})", 200, kNdjson,
       R"({"line":1,"status_code":422,"message":"Identifier must be of type string."})"},
      {"BatchLineIsAList", "§9 Validation and messages (a line that is [])", "PATCH",
       "/api/rest/v1/products", kNdjson, "[]", 200, kNdjson,
       R"({"line":1,"status_code":422,"message":"Identifier is missing."})"},

      {"BatchLineTooLong", "§3; web-api.json 413Error", "PATCH", "/api/rest/v1/products",
       kNdjson, R"({"identifier":")" + std::string(1000000, 'a') + R"("})", 200, kNdjson,
       R"({"line":1,"status_code":413,"message":"Line is too long."})"},

      // --- 422: format errors (_links.documentation to the route's reference) --
      {"LabelsNullOnAttributeGroupPost",
       "CreateAttributeGroupIntegration::testResponseWhenLabelsIsNull (web-api.json "
       "422Error is the SaaS wording)",
       "POST", "/api/rest/v1/attribute-groups", kJson, R"({"labels":null})", 422, kJson,
       R"({"code":422,"message":"Property \"labels\" expects an array as data, \"NULL\" given. Check the expected format on the API documentation.","_links":{"documentation":{"href":"http://api.akeneo.com/api-reference.html#post_attribute_groups"}}})"},
      {"LabelsNullOnOptionPost", "CreateAttributeOptionIntegration::testResponseWhenLabelsIsNull",
       "POST", "/api/rest/v1/attributes/color/options", kJson,
       R"({"attribute":"color","labels":null})", 422, kJson,
       R"({"code":422,"message":"Property \"labels\" expects an array as data, \"NULL\" given. Check the expected format on the API documentation.","_links":{"documentation":{"href":"http://api.akeneo.com/api-reference.html#post_attributes__attribute_code__options"}}})"},
      {"LabelsNullOnOptionPatch",
       "PartialUpdateAttributeOptionIntegration::testResponseWhenLabelsIsNull", "PATCH",
       "/api/rest/v1/attributes/color/options/color_1", kJson,
       R"({"attribute":"color","labels":null})", 422, kJson,
       R"({"code":422,"message":"Property \"labels\" expects an array as data, \"NULL\" given. Check the expected format on the API documentation.","_links":{"documentation":{"href":"http://api.akeneo.com/api-reference.html#patch_attributes__attribute_code__options__code_"}}})"},

      // --- 422: product validation -------------------------------------------
      {"UnknownAttributeOnPost",
       "§9 Validation and messages; CreateProductWithUuidIntegration", "POST",
       "/api/rest/v1/products-uuid", kJson,
       R"({"values":{"unknown_attribute":[{"locale":null,"scope":null,"data":true}]}})", 422,
       kJson,
       R"({"code":422,"message":"The unknown_attribute attribute does not exist in your PIM. Check the expected format on the API documentation.","_links":{"documentation":{"href":"http://api.akeneo.com/api-reference.html#post_products_uuid"}}})"},
      {"UnknownAttributeOnPatch",
       "§9 Validation and messages; PartialUpdateProductWithUuidIntegration", "PATCH",
       "/api/rest/v1/products/product_000001", kJson,
       R"({"values":{"unknown_attribute":[{"locale":null,"scope":null,"data":true}]}})", 422,
       kJson,
       R"({"code":422,"message":"The unknown_attribute attribute does not exist in your PIM. Check the expected format on the API documentation.","_links":{"documentation":{"href":"http://api.akeneo.com/api-reference.html#patch_products__code_"}}})"},
      {"UnknownCategoryOnPost", "§9 Validation and messages", "POST", "/api/rest/v1/products",
       kJson, R"({"identifier":"new_1","categories":["sunglasses"]})", 422, kJson,
       R"({"code":422,"message":"The sunglasses category does not exist in your PIM. Check the expected format on the API documentation.","_links":{"documentation":{"href":"http://api.akeneo.com/api-reference.html#post_products"}}})"},
      {"ValueValidationFailed", "§5 (422 validation with errors[])", "PATCH",
       "/api/rest/v1/products/product_000001", kJson,
       R"({"values":{"color":[{"locale":null,"scope":null,"data":"nope"}]}})", 422, kJson,
       R"({"code":422,"message":"Validation failed.","errors":[{"property":"values","message":"The nope value is not in the color attribute option list.","attribute":"color","locale":null,"scope":null}]})"},
  };
  return *rows;
}

class ErrorBodiesTest : public ApiFixture, public testing::WithParamInterface<Row> {
 protected:
  void SetUp() override { Build("", 25); }
};

TEST_P(ErrorBodiesTest, AnswersAsDocumented) {
  const Row& row = GetParam();
  SCOPED_TRACE(row.source);
  ApiResponse r = Call(row.method, row.target, row.body, row.content_type, row.accept);
  EXPECT_EQ(r.status, row.status);
  EXPECT_EQ(r.content_type, row.expected_content_type);
  EXPECT_EQ(r.body, row.expected_body);
  EXPECT_EQ(r.allow, row.allow);
  EXPECT_EQ(r.location, "");
}

INSTANTIATE_TEST_SUITE_P(Table, ErrorBodiesTest, testing::ValuesIn(Rows()),
                         [](const testing::TestParamInfo<Row>& info) {
                           return std::string(info.param.name);
                         });

TEST(ErrorBodiesTableTest, HoldsAtLeastFortyRowsWithUniqueNames) {
  EXPECT_GE(Rows().size(), 40u);
  std::set<std::string> names;
  for (const Row& row : Rows()) EXPECT_TRUE(names.insert(row.name).second) << row.name;
}

}  // namespace
}  // namespace pimsim::api
