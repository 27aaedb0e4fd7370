#include "report/json_report.h"

#include <string>

#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "report/sample_report.h"

namespace pimsim::report {
namespace {

TEST(RenderJsonTest, UsesProtoFieldNamesAndEnumNames) {
  const absl::StatusOr<std::string> json = RenderJson(MakeSampleReport());
  ASSERT_TRUE(json.ok()) << json.status();
  const nlohmann::json doc = nlohmann::json::parse(*json);
  EXPECT_EQ(doc.at("verdict"), "VERDICT_FAIL");
  EXPECT_EQ(doc.at("scenario"), "catalogue_import_burst");
  const nlohmann::json& violations = doc.at("violations");
  ASSERT_TRUE(violations.is_array());
  ASSERT_EQ(violations.size(), 17u);
  for (const nlohmann::json& v : violations) {
    EXPECT_TRUE(v.contains("rule"));
    EXPECT_TRUE(v.contains("severity"));
    EXPECT_TRUE(v.contains("event_ids"));
    EXPECT_TRUE(v.contains("time_us"));
  }
  EXPECT_EQ(violations[0].at("rule"), "concurrency.connection");
  EXPECT_EQ(violations[0].at("severity"), "SEVERITY_ERROR");
  EXPECT_EQ(doc.at("rules")[0].at("outcome"), "RULE_OUTCOME_VIOLATED");
  EXPECT_EQ(doc.at("metrics").at("timeline").size(), 120u);
  EXPECT_EQ(doc.at("metrics").at("limit_in_flight_connection"), 4);
}

TEST(RenderJsonTest, PrintsZeroAndEmptyFields) {
  pimsim::v1::Report report;
  report.set_verdict(pimsim::v1::VERDICT_PASS);
  const absl::StatusOr<std::string> json = RenderJson(report);
  ASSERT_TRUE(json.ok()) << json.status();
  const nlohmann::json doc = nlohmann::json::parse(*json);
  EXPECT_EQ(doc.at("verdict"), "VERDICT_PASS");
  EXPECT_TRUE(doc.at("violations").is_array());
  EXPECT_TRUE(doc.at("violations").empty());
  EXPECT_TRUE(doc.at("errors").empty());
  EXPECT_EQ(doc.at("violations_dropped"), "0");  // uint64 is a JSON string
  EXPECT_EQ(doc.at("scenario"), "");
}

TEST(RenderJsonTest, RoundTripsThroughJsonStringToMessage) {
  const pimsim::v1::Report original = MakeSampleReport();
  const absl::StatusOr<std::string> json = RenderJson(original);
  ASSERT_TRUE(json.ok()) << json.status();
  pimsim::v1::Report parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*json, &parsed).ok());
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(original, parsed));
}

TEST(RenderJsonTest, EscapesStringsForJson) {
  pimsim::v1::Report report;
  report.add_errors("quote \" backslash \\ newline \n tag </script>");
  const absl::StatusOr<std::string> json = RenderJson(report);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(nlohmann::json::parse(*json).at("errors")[0],
            "quote \" backslash \\ newline \n tag </script>");
}

}  // namespace
}  // namespace pimsim::report
