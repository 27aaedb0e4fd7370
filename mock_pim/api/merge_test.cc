#include "mock_pim/api/merge.h"

#include "gtest/gtest.h"

namespace pimsim::api {
namespace {

constexpr FieldSpec kSchema[] = {
    {"code", FieldKind::kString},         {"parent", FieldKind::kNullableString},
    {"enabled", FieldKind::kBool},        {"sort_order", FieldKind::kInteger},
    {"min", FieldKind::kNullableNumber},  {"list", FieldKind::kStringArray},
    {"obj", FieldKind::kObject},          {"labels", FieldKind::kLabels},
    {"values", FieldKind::kProductValues}, {"updated", FieldKind::kReadOnly},
};

Json J(const char* text) { return Json::parse(text); }

struct MergeCase {
  const char* name;
  const char* doc;
  const char* patch;
  const char* want;  // resulting doc, or nullptr if refused
  const char* error = "";
};

class MergeTableTest : public testing::TestWithParam<MergeCase> {};

TEST_P(MergeTableTest, AppliesAkeneoRules) {
  const MergeCase& c = GetParam();
  Json doc = J(c.doc);
  absl::Status s = MergePatch(kSchema, J(c.patch), &doc);
  if (c.want == nullptr) {
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.message(), c.error);
  } else {
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_EQ(doc, J(c.want));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rules, MergeTableTest,
    testing::Values(
        MergeCase{"OmittedKeysAreKept", R"({"code":"a","enabled":true})",
                  R"({"enabled":false})", R"({"code":"a","enabled":false})"},
        MergeCase{"ObjectsMergeRecursively",
                  R"({"obj":{"a":{"x":1,"y":2},"b":1}})",
                  R"({"obj":{"a":{"y":3},"c":4}})",
                  R"({"obj":{"a":{"x":1,"y":3},"b":1,"c":4}})"},
        MergeCase{"ArraysAreReplaced", R"({"list":["a","b"]})",
                  R"({"list":["c"]})", R"({"list":["c"]})"},
        MergeCase{"NullableScalarAcceptsNull", R"({"parent":"x"})",
                  R"({"parent":null})", R"({"parent":null})"},
        MergeCase{"NumericStringIsANumber", R"({"min":null})",
                  R"({"min":"1.5"})", R"({"min":"1.5"})"},
        MergeCase{"EmptyArrayIsAnEmptyObject", R"({"obj":{"a":1}})",
                  R"({"obj":[]})", R"({"obj":{"a":1}})"},
        MergeCase{"LabelsMergeAndNullRemoves",
                  R"({"labels":{"en_US":"A","fr_FR":"B"}})",
                  R"({"labels":{"en_US":null,"de_DE":"C"}})",
                  R"({"labels":{"fr_FR":"B","de_DE":"C"}})"},
        MergeCase{"ReadOnlyFieldsAreIgnored", R"({"updated":"t"})",
                  R"({"updated":"other"})", R"({"updated":"t"})"},
        MergeCase{"LabelsNullIsRefused", R"({"labels":{}})",
                  R"({"labels":null})", nullptr,
                  "Property \"labels\" expects an array as data, \"NULL\" "
                  "given. Check the expected format on the API "
                  "documentation."},
        MergeCase{"StringGivenAnIntegerIsRefused", R"({"code":"a"})",
                  R"({"code":12})", nullptr,
                  "Property \"code\" expects a string as data, \"integer\" "
                  "given. Check the expected format on the API "
                  "documentation."},
        MergeCase{"BoolGivenAStringIsRefused", R"({})",
                  R"({"enabled":"yes"})", nullptr,
                  "Property \"enabled\" expects a boolean as data, "
                  "\"string\" given. Check the expected format on the API "
                  "documentation."},
        MergeCase{"ArrayOfNonStringsIsRefused", R"({})", R"({"list":[1]})",
                  nullptr,
                  "Property \"list\" expects an array of strings as data, "
                  "\"integer\" given. Check the expected format on the API "
                  "documentation."},
        MergeCase{"IntegerGivenADoubleIsRefused", R"({})",
                  R"({"sort_order":1.5})", nullptr,
                  "Property \"sort_order\" expects an integer as data, "
                  "\"double\" given. Check the expected format on the API "
                  "documentation."},
        MergeCase{"UnknownPropertyIsRefused", R"({})", R"({"colour":"red"})",
                  nullptr,
                  "Property \"colour\" does not exist. Check the expected "
                  "format on the API documentation."}),
    [](const testing::TestParamInfo<MergeCase>& info) {
      return info.param.name;
    });

TEST(MergeProductValuesTest, MergesPerAttributeLocaleAndScope) {
  Json values = J(R"({
    "name":[{"locale":"en_US","scope":null,"data":"Hat"},
            {"locale":"fr_FR","scope":null,"data":"Chapeau"}],
    "weight":[{"locale":null,"scope":null,"data":3}]})");
  ASSERT_TRUE(MergeProductValues(J(R"({
    "name":[{"locale":"fr_FR","scope":null,"data":"Bonnet"},
            {"locale":"de_DE","scope":null,"data":"Hut"}],
    "color":[{"locale":null,"scope":null,"data":"red"}]})"),
                                 &values)
                  .ok());
  EXPECT_EQ(values, J(R"({
    "name":[{"locale":"en_US","scope":null,"data":"Hat"},
            {"locale":"fr_FR","scope":null,"data":"Bonnet"},
            {"locale":"de_DE","scope":null,"data":"Hut"}],
    "weight":[{"locale":null,"scope":null,"data":3}],
    "color":[{"locale":null,"scope":null,"data":"red"}]})"));
}

TEST(MergeProductValuesTest, DataNullClearsOnlyThatEntry) {
  Json values = J(R"({"name":[{"locale":"en_US","scope":null,"data":"Hat"},
                              {"locale":"fr_FR","scope":null,"data":"C"}],
                      "weight":[{"locale":null,"scope":null,"data":3}]})");
  ASSERT_TRUE(MergeProductValues(
                  J(R"({"name":[{"locale":"en_US","scope":null,"data":null}],
                        "weight":[{"locale":null,"scope":null,"data":null}]})"),
                  &values)
                  .ok());
  EXPECT_EQ(values, J(R"({"name":[{"locale":"fr_FR","scope":null,"data":"C"}]})"));
}

TEST(MergeProductValuesTest, MissingLocaleAndScopeMeanNull) {
  Json values = Json::object();
  ASSERT_TRUE(MergeProductValues(J(R"({"w":[{"data":1}]})"), &values).ok());
  EXPECT_EQ(values, J(R"({"w":[{"locale":null,"scope":null,"data":1}]})"));
}

TEST(MergeProductValuesTest, MalformedValuesAreRefusedAndChangeNothing) {
  const Json before = J(R"({"w":[{"locale":null,"scope":null,"data":1}]})");
  for (const char* bad :
       {R"("x")", R"({"w":"x"})", R"({"w":[{"locale":null}]})",
        R"({"w":[{"data":1,"locale":3}]})", R"({"w":[{"data":1,"extra":1}]})",
        R"({"a":[{"data":1}],"w":[5]})"}) {
    Json values = before;
    EXPECT_FALSE(MergeProductValues(J(bad), &values).ok()) << bad;
    EXPECT_EQ(values, before) << bad;
  }
}

}  // namespace
}  // namespace pimsim::api
