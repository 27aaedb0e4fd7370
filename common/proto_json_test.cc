#include "common/proto_json.h"

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "common/testdata/proto_json_test.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"

namespace pimsim {
namespace {

using google::protobuf::util::JsonPrintOptions;
using pimsim::testing::FlatMessage;
using pimsim::testing::NestedMessage;
using Json = nlohmann::ordered_json;

constexpr int64_t kSafe = int64_t{1} << 53;

JsonPrintOptions Compact() {
  JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  return options;
}

JsonPrintOptions Indented() {
  JsonPrintOptions options = Compact();
  options.add_whitespace = true;
  return options;
}

std::string Print(const google::protobuf::Message& message,
                  const JsonPrintOptions& options) {
  absl::StatusOr<std::string> json = MessageToJson(message, options);
  EXPECT_TRUE(json.ok()) << json.status();
  return json.ok() ? *json : "";
}

template <typename M>
void ExpectReadsBack(const M& original, const std::string& json) {
  M parsed;
  const auto status =
      google::protobuf::util::JsonStringToMessage(json, &parsed);
  ASSERT_TRUE(status.ok()) << status.message() << "\n" << json;
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(original, parsed))
      << "wrote " << original.ShortDebugString() << "\nread "
      << parsed.ShortDebugString();
}

FlatMessage EveryScalar() {
  FlatMessage m;
  m.set_i64(-1'717'000'000'000'000);
  m.set_u64(18);
  m.set_s64(-kSafe);
  m.set_f64(static_cast<uint64_t>(kSafe));
  m.set_sf64(-3);
  m.set_i32(-7);
  m.set_u32(7);
  m.set_ratio(0.25);
  m.set_text("\"i64\":\"5\", \\\" \n</script> caf\xc3\xa9");
  m.set_flag(true);
  m.set_kind(pimsim::testing::KIND_ONE);
  m.add_many_i64(1);
  m.add_many_i64(-2);
  m.add_many_i64(kSafe + 1);
  m.add_many_u64(0);
  m.add_many_u64(std::numeric_limits<uint64_t>::max());
  m.set_blob(std::string("\x00\xff", 2));
  m.set_camel_case_value(42);
  m.add_names("12");
  m.add_names("");
  return m;
}

TEST(ProtoJsonTest, WritesSafe64BitIntegersOfAFlatMessageAsNumbers) {
  FlatMessage m;
  m.set_i64(-12);
  m.set_u64(kSafe);
  m.set_i32(3);
  m.set_text("17");
  m.add_many_u64(5);
  m.add_many_u64(kSafe + 1);
  EXPECT_EQ(Print(m, Compact()),
            R"({"i64":-12,"u64":9007199254740992,"i32":3,"text":"17",)"
            R"("many_u64":[5,"9007199254740993"]})");
}

TEST(ProtoJsonTest, KeepsIntegersBeyondTwoToThe53AsStrings) {
  FlatMessage m;
  m.set_i64(std::numeric_limits<int64_t>::min());
  m.set_u64(std::numeric_limits<uint64_t>::max());
  m.set_s64(-kSafe - 1);
  m.set_f64(static_cast<uint64_t>(kSafe) + 1);
  const Json doc = Json::parse(Print(m, Compact()));
  EXPECT_EQ(doc.at("i64"), "-9223372036854775808");
  EXPECT_EQ(doc.at("u64"), "18446744073709551615");
  EXPECT_EQ(doc.at("s64"), "-9007199254740993");
  EXPECT_EQ(doc.at("f64"), "9007199254740993");
}

TEST(ProtoJsonTest, LeavesStringsThatLookLikeNumbersAlone) {
  const std::string json = Print(EveryScalar(), Compact());
  // The flat path keeps protobuf's escaping byte for byte.
  EXPECT_NE(json.find(R"(\u003c/script\u003e)"), std::string::npos) << json;
  const Json doc = Json::parse(json);
  EXPECT_EQ(doc.at("text"), "\"i64\":\"5\", \\\" \n</script> caf\xc3\xa9");
  EXPECT_EQ(doc.at("names"), Json::parse(R"(["12",""])"));
  EXPECT_EQ(doc.at("kind"), "KIND_ONE");
  EXPECT_EQ(doc.at("blob"), "AP8=");
  EXPECT_EQ(doc.at("i64"), -1'717'000'000'000'000);
  EXPECT_EQ(doc.at("s64"), -kSafe);
  EXPECT_EQ(doc.at("f64"), kSafe);
  EXPECT_EQ(doc.at("sf64"), -3);
  EXPECT_EQ(doc.at("many_i64"), Json::parse(R"([1,-2,"9007199254740993"])"));
  EXPECT_EQ(doc.at("many_u64"), Json::parse(R"([0,"18446744073709551615"])"));
}

TEST(ProtoJsonTest, FlatAndGeneralPathsAgree) {
  const FlatMessage m = EveryScalar();
  // add_whitespace sends a flat message through the parse-and-dump path.
  EXPECT_EQ(Json::parse(Print(m, Compact())),
            Json::parse(Print(m, Indented())));
}

TEST(ProtoJsonTest, UsesJsonNamesUnlessAskedForProtoNames) {
  JsonPrintOptions options;
  const Json doc = Json::parse(Print(EveryScalar(), options));
  EXPECT_EQ(doc.at("camelCaseValue"), 42);
  EXPECT_EQ(doc.at("manyI64")[0], 1);
  options.add_whitespace = true;
  EXPECT_EQ(Json::parse(Print(EveryScalar(), options)).at("camelCaseValue"),
            42);
}

TEST(ProtoJsonTest, PrintsDefaultsAsNumbersWhenAskedToPrintThem) {
  JsonPrintOptions options = Compact();
  options.always_print_primitive_fields = true;
  const Json doc = Json::parse(Print(FlatMessage(), options));
  EXPECT_EQ(doc.at("i64"), 0);
  EXPECT_TRUE(doc.at("i64").is_number());
  EXPECT_EQ(doc.at("many_u64"), Json::array());
}

NestedMessage EveryShape() {
  NestedMessage m;
  *m.mutable_flat() = EveryScalar();
  m.add_leaves()->set_small_signed(-5);
  m.add_leaves()->set_small_unsigned(6);
  (*m.mutable_by_name())["a"] = 7;
  (*m.mutable_by_name())["huge"] = std::numeric_limits<int64_t>::max();
  (*m.mutable_by_id())[8] = 9;
  (*m.mutable_leaf_by_name())["leaf"].set_small_signed(10);
  m.mutable_wrapped_i64()->set_value(-11);
  m.mutable_wrapped_u64()->set_value(12);
  m.mutable_wrapped_i32()->set_value(13);
  pimsim::testing::Leaf leaf;
  leaf.set_small_unsigned(14);
  m.mutable_any()->PackFrom(leaf);
  m.mutable_duration()->set_seconds(15);
  (*m.mutable_free()->mutable_fields())["count"].set_string_value("16");
  m.set_choice_i64(17);
  m.set_outer(18);
  return m;
}

TEST(ProtoJsonTest, RewritesNestedRepeatedAndMapValues) {
  for (const JsonPrintOptions& options : {Compact(), Indented()}) {
    const Json doc = Json::parse(Print(EveryShape(), options));
    EXPECT_EQ(doc.at("flat").at("i64"), -1'717'000'000'000'000);
    EXPECT_EQ(doc.at("leaves")[0].at("small_signed"), -5);
    EXPECT_EQ(doc.at("leaves")[1].at("small_unsigned"), 6);
    EXPECT_EQ(doc.at("by_name").at("a"), 7);
    EXPECT_EQ(doc.at("by_name").at("huge"), "9223372036854775807");
    EXPECT_EQ(doc.at("by_id").at("8"), 9);  // keys stay strings
    EXPECT_EQ(doc.at("leaf_by_name").at("leaf").at("small_signed"), 10);
    EXPECT_EQ(doc.at("choice_i64"), 17);
    EXPECT_EQ(doc.at("outer"), 18);
  }
}

TEST(ProtoJsonTest, RewritesWrappersAndAnyButNotFreeJson) {
  const Json doc = Json::parse(Print(EveryShape(), Compact()));
  EXPECT_EQ(doc.at("wrapped_i64"), -11);
  EXPECT_EQ(doc.at("wrapped_u64"), 12);
  EXPECT_EQ(doc.at("wrapped_i32"), 13);
  EXPECT_EQ(doc.at("any").at("small_unsigned"), 14);
  EXPECT_EQ(doc.at("duration"), "15s");
  EXPECT_EQ(doc.at("free").at("count"), "16");

  NestedMessage wrapped;
  google::protobuf::Int64Value value;
  value.set_value(19);
  wrapped.mutable_any()->PackFrom(value);
  EXPECT_EQ(Json::parse(Print(wrapped, Compact())).at("any").at("value"), 19);
}

TEST(ProtoJsonTest, KeepsFieldOrderAndProtobufsLayout) {
  const std::string json = Print(EveryShape(), Indented());
  EXPECT_EQ(json.substr(0, 12), "{\n \"flat\": {");
  EXPECT_EQ(json.back(), '\n');
  EXPECT_LT(json.find("\"leaves\""), json.find("\"by_name\""));
  EXPECT_LT(json.find("\"by_name\""), json.find("\"outer\""));
}

TEST(ProtoJsonTest, ReadsBackAsTheSameMessage) {
  for (const JsonPrintOptions& options : {Compact(), Indented()}) {
    ExpectReadsBack(EveryScalar(), Print(EveryScalar(), options));
    ExpectReadsBack(EveryShape(), Print(EveryShape(), options));
  }
  ExpectReadsBack(EveryScalar(), Print(EveryScalar(), JsonPrintOptions()));
}

TEST(ProtoJsonPrinterTest, AppendsAndPrintsManyMessages) {
  const ProtoJsonPrinter printer(FlatMessage::descriptor(), Compact());
  std::string out = "prefix ";
  FlatMessage m;
  for (int i = 1; i <= 3; ++i) {
    m.set_u64(i);
    ASSERT_TRUE(printer.Print(m, &out).ok());
    out += '\n';
  }
  EXPECT_EQ(out, "prefix {\"u64\":1}\n{\"u64\":2}\n{\"u64\":3}\n");
}

TEST(ProtoJsonPrinterTest, RefusesAMessageOfAnotherType) {
  const ProtoJsonPrinter printer(FlatMessage::descriptor(), Compact());
  std::string out = "kept";
  const absl::Status status = printer.Print(NestedMessage(), &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("pimsim.testing.FlatMessage"),
            std::string::npos)
      << status;
  EXPECT_EQ(out, "kept");
}

}  // namespace
}  // namespace pimsim
