#include "mock_pim/api/search_filter.h"

#include "gtest/gtest.h"

namespace pimsim::api {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);  // 2023-11-14 22:13:20

std::vector<std::string> Expand(std::string_view code) {
  if (code == "master") return {"master", "shoes", "boots"};
  if (code == "shoes") return {"shoes", "boots"};
  if (code == "boots") return {"boots"};
  return {};
}

std::vector<std::string> ExpandModels(std::string_view code) {
  if (code == "tshirt") return {"tshirt", "tshirt_red"};
  if (code == "tshirt_red") return {"tshirt_red"};
  return {};
}

ProductFacts Facts() {
  static const std::vector<std::string>* cats =
      new std::vector<std::string>{"boots"};
  ProductFacts p;
  p.identifier = "sku_12";
  p.uuid = "0b9a3c6e-0000-4000-8000-000000000001";
  p.family = "shoes";
  p.categories = *cats;
  p.enabled = true;
  p.created = kNow - absl::Hours(24 * 10);
  p.updated = kNow - absl::Hours(24 * 2);
  p.parent = "tshirt_red";
  return p;
}

struct FilterCase {
  const char* search;
  bool matches;
};

class ProductFilterMatchTest : public testing::TestWithParam<FilterCase> {};

TEST_P(ProductFilterMatchTest, Matches) {
  absl::StatusOr<ProductFilter> f =
      ProductFilter::Parse(GetParam().search, kNow, Expand, ExpandModels);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->Matches(Facts()), GetParam().matches) << GetParam().search;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ProductFilterMatchTest,
    testing::Values(
        FilterCase{R"({})", true}, FilterCase{R"([])", true},
        FilterCase{R"({"identifier":[{"operator":"=","value":"sku_12"}]})", true},
        FilterCase{R"({"identifier":[{"operator":"!=","value":"sku_12"}]})", false},
        FilterCase{R"({"identifier":[{"operator":"IN","value":["a","sku_12"]}]})", true},
        FilterCase{R"({"identifier":[{"operator":"NOT IN","value":["sku_12"]}]})", false},
        FilterCase{R"({"identifier":[{"operator":"STARTS WITH","value":"sku_"}]})", true},
        FilterCase{R"({"identifier":[{"operator":"CONTAINS","value":"u_1"}]})", true},
        FilterCase{R"({"identifier":[{"operator":"DOES NOT CONTAIN","value":"u_1"}]})", false},
        FilterCase{R"({"uuid":[{"operator":"IN","value":["0b9a3c6e-0000-4000-8000-000000000001"]}]})", true},
        FilterCase{R"({"family":[{"operator":"IN","value":["shoes"]}]})", true},
        FilterCase{R"({"family":[{"operator":"NOT IN","value":["shoes"]}]})", false},
        FilterCase{R"({"family":[{"operator":"EMPTY"}]})", false},
        FilterCase{R"({"family":[{"operator":"NOT EMPTY"}]})", true},
        FilterCase{R"({"categories":[{"operator":"IN","value":["boots"]}]})", true},
        FilterCase{R"({"categories":[{"operator":"IN","value":["shoes"]}]})", false},
        FilterCase{R"({"categories":[{"operator":"IN CHILDREN","value":["shoes"]}]})", true},
        FilterCase{R"({"categories":[{"operator":"NOT IN CHILDREN","value":["master"]}]})", false},
        FilterCase{R"({"categories":[{"operator":"NOT IN","value":["shoes"]}]})", true},
        FilterCase{R"({"categories":[{"operator":"UNCLASSIFIED"}]})", false},
        FilterCase{R"({"categories":[{"operator":"IN OR UNCLASSIFIED","value":["boots"]}]})", true},
        FilterCase{R"({"enabled":[{"operator":"=","value":true}]})", true},
        FilterCase{R"({"enabled":[{"operator":"!=","value":true}]})", false},
        FilterCase{R"({"updated":[{"operator":">","value":"2023-11-01 00:00:00"}]})", true},
        FilterCase{R"({"updated":[{"operator":"<","value":"2023-11-01T00:00:00Z"}]})", false},
        FilterCase{R"({"updated":[{"operator":"SINCE LAST N DAYS","value":3}]})", true},
        FilterCase{R"({"updated":[{"operator":"SINCE LAST N DAYS","value":1}]})", false},
        FilterCase{R"({"created":[{"operator":"BETWEEN","value":["2023-11-01 00:00:00","2023-11-05 00:00:00"]}]})", true},
        FilterCase{R"({"created":[{"operator":"NOT BETWEEN","value":["2023-11-01 00:00:00","2023-11-05 00:00:00"]}]})", false},
        FilterCase{R"({"created":[{"operator":"=","value":"2023-11-04 22:13:20"}]})", true},
        FilterCase{R"({"completeness":[{"operator":">","value":50,"scope":"ecommerce"}]})", true},
        FilterCase{R"({"parent":[{"operator":"=","value":"tshirt"}]})", true},
        FilterCase{R"({"parent":[{"operator":"=","value":"tshirt_red"}]})", true},
        FilterCase{R"({"parent":[{"operator":"IN","value":["tshirt"]}]})", false},
        FilterCase{R"({"parent":[{"operator":"IN","value":["tshirt_red"]}]})", true},
        FilterCase{R"({"parent":[{"operator":"EMPTY"}]})", false},
        FilterCase{R"({"parent":[{"operator":"NOT EMPTY"}]})", true},
        FilterCase{R"({"enabled":[{"operator":"=","value":true}],"family":[{"operator":"EMPTY"}]})", false}));

struct ErrorCase {
  const char* search;
  absl::StatusCode code;
  const char* message;
};

class ProductFilterErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ProductFilterErrorTest, Refuses) {
  absl::StatusOr<ProductFilter> f =
      ProductFilter::Parse(GetParam().search, kNow, Expand, ExpandModels);
  ASSERT_FALSE(f.ok()) << GetParam().search;
  EXPECT_EQ(f.status().code(), GetParam().code);
  EXPECT_EQ(f.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ProductFilterErrorTest,
    testing::Values(
        ErrorCase{"{not json", absl::StatusCode::kInvalidArgument,
                  "Search query parameter should be valid JSON."},
        ErrorCase{R"({"family":"shoes"})", absl::StatusCode::kFailedPrecondition,
                  "Structure of filter \"family\" should respect this structure: "
                  "{\"family\":[{\"operator\": \"my_operator\", \"value\": \"my_value\"}]}"},
        ErrorCase{R"({"family":[{"value":["a"]}]})", absl::StatusCode::kFailedPrecondition,
                  "Operator is missing for the property \"family\"."},
        ErrorCase{R"({"colour":[{"operator":"=","value":"red"}]})",
                  absl::StatusCode::kFailedPrecondition,
                  "Filter on property \"colour\" is not supported or does not "
                  "support operator \"=\""},
        ErrorCase{R"({"family":[{"operator":"=","value":"a"}]})",
                  absl::StatusCode::kFailedPrecondition,
                  "Filter on property \"family\" is not supported or does not "
                  "support operator \"=\""},
        ErrorCase{R"({"family":[{"operator":"IN","value":"a"}]})",
                  absl::StatusCode::kFailedPrecondition,
                  "Property \"family\" expects an array as data, \"string\" given."},
        ErrorCase{R"({"enabled":[{"operator":"=","value":"yes"}]})",
                  absl::StatusCode::kFailedPrecondition,
                  "Property \"enabled\" expects a boolean as data, \"string\" given."},
        ErrorCase{R"({"updated":[{"operator":">","value":"yesterday"}]})",
                  absl::StatusCode::kFailedPrecondition,
                  "Property \"updated\" expects a string with the format "
                  "\"yyyy-mm-dd H:i:s\" as data, \"yesterday\" given."},
        ErrorCase{R"({"categories":[{"operator":"IN CHILDREN","value":["nope"]}]})",
                  absl::StatusCode::kFailedPrecondition, "Category \"nope\" does not exist."},
        ErrorCase{R"({"categories":[{"operator":"IN","value":["nope"]}]})",
                  absl::StatusCode::kFailedPrecondition, "Category \"nope\" does not exist."},
        ErrorCase{R"({"categories":[{"operator":"NOT IN","value":["a","boots","b"]}]})",
                  absl::StatusCode::kFailedPrecondition, "Categories \"a, b\" do not exist."},
        // Unknown categories are refused before any other filter.
        ErrorCase{R"({"colour":[{"operator":"="}],"categories":[{"operator":"IN","value":["a"]}]})",
                  absl::StatusCode::kFailedPrecondition, "Category \"a\" does not exist."},
        ErrorCase{"null", absl::StatusCode::kInvalidArgument,
                  "Search query parameter should be valid JSON."},
        ErrorCase{R"("text")", absl::StatusCode::kFailedPrecondition,
                  "Search query parameter has to be an array, \"string\" given."},
        ErrorCase{"1.5", absl::StatusCode::kFailedPrecondition,
                  "Search query parameter has to be an array, \"double\" given."},
        ErrorCase{"[1]", absl::StatusCode::kFailedPrecondition,
                  "Structure of filter \"0\" should respect this structure: "
                  "{\"0\":[{\"operator\": \"my_operator\", \"value\": \"my_value\"}]}"},
        ErrorCase{R"({"family":[]})", absl::StatusCode::kFailedPrecondition,
                  "Structure of filter \"family\" should respect this structure: "
                  "{\"family\":[{\"operator\": \"my_operator\", \"value\": \"my_value\"}]}"},
        ErrorCase{R"({"family":["IN"]})", absl::StatusCode::kFailedPrecondition,
                  "Operator is missing for the property \"family\"."},
        ErrorCase{R"({"family":[{"operator":null}]})", absl::StatusCode::kFailedPrecondition,
                  "Operator is missing for the property \"family\"."},
        ErrorCase{R"({"family":[{"operator":["IN"],"value":["a"]}]})",
                  absl::StatusCode::kFailedPrecondition,
                  "Operator has to be a string, \"array\" given."},
        ErrorCase{R"({"family":[{"operator":7}]})", absl::StatusCode::kFailedPrecondition,
                  "Operator has to be a string, \"integer\" given."},
        ErrorCase{R"({"parent":[{"operator":"=","value":"nope"}]})",
                  absl::StatusCode::kFailedPrecondition,
                  "Property \"parent\" expects a valid product model code. The "
                  "product model does not exist, \"nope\" given."},
        ErrorCase{R"({"parent":[{"operator":"NOT IN","value":["a"]}]})",
                  absl::StatusCode::kFailedPrecondition,
                  "Filter on property \"parent\" is not supported or does not "
                  "support operator \"NOT IN\""}));

TEST(CodeFilterTest, InAndNotIn) {
  absl::StatusOr<CodeFilter> f =
      CodeFilter::Parse(R"({"code":[{"operator":"IN","value":["a","b"]}]})");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->Matches("a"));
  EXPECT_FALSE(f->Matches("c"));
  f = CodeFilter::Parse(R"({"code":[{"operator":"NOT IN","value":["a"]}]})");
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->Matches("a"));
  EXPECT_TRUE(f->Matches("c"));
  EXPECT_EQ(CodeFilter::Parse("x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeFilter::Parse(R"({"type":[{"operator":"IN","value":[]}]})")
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace pimsim::api
