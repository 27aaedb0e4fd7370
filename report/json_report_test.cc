#include "report/json_report.h"

#include <string>

#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "report/sample_report.h"

namespace pimsim::report {
namespace {

TEST(RenderJsonTest, UsesProtoFieldNamesAndPlainWordsForEnums) {
  const absl::StatusOr<std::string> json = RenderJson(MakeSampleReport());
  ASSERT_TRUE(json.ok()) << json.status();
  const nlohmann::json doc = nlohmann::json::parse(*json);
  EXPECT_EQ(doc.at("verdict"), "FAIL");
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
  EXPECT_EQ(violations[0].at("severity"), "error");
  EXPECT_EQ(doc.at("rules")[0].at("outcome"), "violated");
  EXPECT_EQ(doc.at("rules")[0].at("severity"), "error");
  EXPECT_EQ(doc.at("metrics").at("timeline").size(), 120u);
  EXPECT_EQ(doc.at("metrics").at("limit_in_flight_connection"), 4);
}

TEST(RenderJsonTest, PrintsZeroAndEmptyFields) {
  pimsim::v1::Report report;
  report.set_verdict(pimsim::v1::VERDICT_PASS);
  const absl::StatusOr<std::string> json = RenderJson(report);
  ASSERT_TRUE(json.ok()) << json.status();
  const nlohmann::json doc = nlohmann::json::parse(*json);
  EXPECT_EQ(doc.at("verdict"), "PASS");
  EXPECT_TRUE(doc.at("violations").is_array());
  EXPECT_TRUE(doc.at("violations").empty());
  EXPECT_TRUE(doc.at("errors").empty());
  EXPECT_EQ(doc.at("violations_dropped"), 0);  // uint64, a JSON number
  EXPECT_EQ(doc.at("live"), false);
  EXPECT_EQ(doc.at("scenario"), "");
}

TEST(RenderJsonTest, Writes64BitIntegersAsNumbers) {
  const absl::StatusOr<std::string> json = RenderJson(MakeSampleReport());
  ASSERT_TRUE(json.ok()) << json.status();
  const nlohmann::json doc = nlohmann::json::parse(*json);
  EXPECT_EQ(doc.at("events"), 10'613);
  EXPECT_EQ(doc.at("violations_dropped"), 2);
  const nlohmann::json& v = doc.at("violations")[0];
  EXPECT_EQ(v.at("time_us"), 1'717'000'041'203'000);
  EXPECT_EQ(v.at("event_ids"), nlohmann::json::parse("[4100,4107,4114,4121]"));
  EXPECT_EQ(doc.at("metrics").at("timeline")[0].at("start_us"),
            1'717'000'000'000'000);
  EXPECT_EQ(doc.at("metrics").at("requests_by_status").at("200"), 6'701);
  EXPECT_EQ(doc.at("rules")[0].at("violations"), 7);
  EXPECT_EQ(doc.at("metrics").at("duration"), "119.731s");
}

TEST(RenderJsonTest, CarriesEvidenceViolatedSeverityAndLive) {
  pimsim::v1::Report report = MakeSampleReport();
  report.set_live(true);
  const absl::StatusOr<std::string> json = RenderJson(report);
  ASSERT_TRUE(json.ok()) << json.status();
  const nlohmann::json doc = nlohmann::json::parse(*json);
  EXPECT_EQ(doc.at("live"), true);
  EXPECT_EQ(doc.at("rules")[7].at("rule"), "backoff.no_jitter");
  EXPECT_EQ(doc.at("rules")[7].at("severity"), "error");
  EXPECT_EQ(doc.at("rules")[7].at("violated_severity"), "warning");
  EXPECT_EQ(doc.at("rules")[1].at("violated_severity"), "unspecified");
  const nlohmann::json& line = doc.at("violations")[0].at("evidence")[0];
  EXPECT_EQ(line.at("event_id"), 4100);
  EXPECT_EQ(line.at("since_start_us"), 40'753'000);
  EXPECT_EQ(line.at("method"), "GET");
  EXPECT_EQ(line.at("status"), 200);
  EXPECT_EQ(line.at("retry_after_s"), -1);
  EXPECT_EQ(line.at("socket_id"), 33);
  EXPECT_EQ(line.at("latency_us"), 180'000);
  EXPECT_EQ(line.at("fault"), "");
  EXPECT_EQ(line.at("client_aborted"), false);
}

TEST(RenderJsonTest, KeepsIntegersBeyondTwoToThe53AsStrings) {
  pimsim::v1::Report report;
  report.set_events(uint64_t{1} << 60);
  report.add_violations()->add_event_ids(uint64_t{1} << 53);
  const absl::StatusOr<std::string> json = RenderJson(report);
  ASSERT_TRUE(json.ok()) << json.status();
  const nlohmann::json doc = nlohmann::json::parse(*json);
  EXPECT_EQ(doc.at("events"), "1152921504606846976");
  EXPECT_EQ(doc.at("violations")[0].at("event_ids")[0], uint64_t{1} << 53);
  const absl::StatusOr<pimsim::v1::Report> parsed = ParseJson(*json);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(report, *parsed));
}

TEST(RenderJsonTest, RoundTripsThroughParseJson) {
  pimsim::v1::Report original = MakeSampleReport();
  // Free text that looks like an enum word stays text.
  original.set_scenario("error");
  original.add_errors("VERDICT_PASS");
  const absl::StatusOr<std::string> json = RenderJson(original);
  ASSERT_TRUE(json.ok()) << json.status();
  const absl::StatusOr<pimsim::v1::Report> parsed = ParseJson(*json);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(original, *parsed));
  EXPECT_EQ(nlohmann::json::parse(*json).at("errors")[0], "VERDICT_PASS");
}

TEST(RenderJsonTest, ParseJsonRefusesWhatIsNotAReport) {
  EXPECT_EQ(ParseJson("not json").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseJson(R"({"verdict": "MAYBE"})").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseJson(R"({"no_such_field": 1})").status().code(),
            absl::StatusCode::kInvalidArgument);
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
