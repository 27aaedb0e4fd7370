#include "mock_pim/api/merge.h"

#include <random>
#include <string>

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

TEST(MergeProductValuesTest, RepeatedContextsInOnePatchApplyInOrder) {
  Json values = J(R"({"n":[{"locale":"a","scope":null,"data":1},
                           {"locale":"b","scope":null,"data":2},
                           {"locale":"a","scope":"web","data":9}]})");
  ASSERT_TRUE(MergeProductValues(J(R"({"n":[{"locale":"a","data":null},{"locale":"a","data":3},
                                            {"locale":"b","data":4},{"locale":"c","data":5},
                                            {"locale":"c","data":null}]})"),
                                 &values)
                  .ok());
  EXPECT_EQ(values, J(R"({"n":[{"locale":"b","scope":null,"data":4},
                               {"locale":"a","scope":"web","data":9},
                               {"locale":"a","scope":null,"data":3}]})"));
}

// The merge as it was, one linear search per key and per entry: what the
// indexed merge must still compute.
void ReferenceMergeObjects(const Json& patch, Json* target) {
  if (!target->is_object()) *target = Json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    Json& slot = (*target)[it.key()];
    if (it.value().is_object() && slot.is_object()) {
      ReferenceMergeObjects(it.value(), &slot);
    } else {
      slot = it.value();
    }
  }
}

void ReferenceMergeValues(const Json& patch, Json* values) {
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    Json& current = (*values)[it.key()];
    if (!current.is_array()) current = Json::array();
    for (const Json& entry : it.value()) {
      Json normalized = Json::object();
      normalized["locale"] = entry.value("locale", Json());
      normalized["scope"] = entry.value("scope", Json());
      normalized["data"] = entry["data"];
      bool found = false;
      for (size_t i = 0; i < current.size(); ++i) {
        if (current[i]["locale"] == normalized["locale"] &&
            current[i]["scope"] == normalized["scope"]) {
          found = true;
          if (normalized["data"].is_null()) {
            current.erase(i);
          } else {
            current[i] = normalized;
          }
          break;
        }
      }
      if (!found && !normalized["data"].is_null()) current.push_back(normalized);
    }
    if (current.empty()) values->erase(it.key());
  }
}

TEST(MergeProductValuesTest, LargePatchesMergeAsOneSearchPerEntryWould) {
  std::mt19937 rng(3);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  for (int round = 0; round < 6; ++round) {
    Json values = Json::object();
    for (int pass = 0; pass < 3; ++pass) {
      Json patch = Json::object();
      for (int a = 0, attributes = 1 + pick(40); a < attributes; ++a) {
        Json& entries = patch["attr" + std::to_string(pick(60))];
        entries = Json::array();
        for (int e = 0, n = pick(200); e < n; ++e) {
          Json entry = Json::object();
          if (pick(4) != 0) entry["locale"] = "l" + std::to_string(pick(50));
          if (pick(2) != 0) entry["scope"] = pick(3) == 0 ? Json() : Json("s" + std::to_string(pick(3)));
          entry["data"] = pick(5) == 0 ? Json() : Json(pick(1000));
          entries.push_back(entry);
        }
      }
      Json want = values;
      ReferenceMergeValues(patch, &want);
      ASSERT_TRUE(MergeProductValues(patch, &values).ok());
      ASSERT_EQ(DumpJson(values), DumpJson(want)) << "round " << round << " pass " << pass;
    }
  }
}

TEST(MergePatchTest, LargeObjectsAndLabelsMergeAsOneSearchPerKeyWould) {
  std::mt19937 rng(5);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  for (int round = 0; round < 20; ++round) {
    Json doc = J(R"({"obj":{},"labels":{}})");
    Json want_obj = Json::object();
    Json want_labels = Json::object();
    for (int pass = 0; pass < 3; ++pass) {
      Json patch = J(R"({"obj":{},"labels":{}})");
      for (int k = 0, n = pick(200); k < n; ++k) {
        Json& v = patch["obj"]["k" + std::to_string(pick(150))];
        v = pick(3) == 0 ? Json::object({{"x" + std::to_string(pick(30)), pick(9)}}) : Json(pick(9));
        patch["labels"]["l" + std::to_string(pick(150))] = pick(4) == 0 ? Json() : Json("t");
      }
      ReferenceMergeObjects(patch["obj"], &want_obj);
      for (auto it = patch["labels"].begin(); it != patch["labels"].end(); ++it) {
        if (it.value().is_null()) {
          want_labels.erase(it.key());
        } else {
          want_labels[it.key()] = it.value();
        }
      }
      ASSERT_TRUE(MergePatch(kSchema, patch, &doc).ok());
      ASSERT_EQ(DumpJson(doc["obj"]), DumpJson(want_obj)) << round << " " << pass;
      ASSERT_EQ(DumpJson(doc["labels"]), DumpJson(want_labels)) << round << " " << pass;
    }
  }
}

}  // namespace
}  // namespace pimsim::api
