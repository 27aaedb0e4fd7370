#include "report/junit_report.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "report/sample_report.h"

namespace pimsim::report {
namespace {

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

TEST(RenderJunitTest, HasOneTestCasePerRuleAndConsistentCounts) {
  const std::string xml = RenderJunit(MakeSampleReport());
  EXPECT_TRUE(absl::StartsWith(
      xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
  EXPECT_TRUE(absl::StrContains(
      xml,
      "<testsuite name=\"pimsim compliance\" tests=\"20\" failures=\"3\" "
      "errors=\"0\" skipped=\"3\" time=\"119.731\">"));
  EXPECT_EQ(Count(xml, "<testcase "), 20);
  EXPECT_EQ(Count(xml, "<failure "), 3);
  EXPECT_EQ(Count(xml, "<skipped "), 3);
  EXPECT_EQ(Count(xml, "<error "), 0);
  EXPECT_TRUE(absl::StrContains(xml,
                                "<testcase classname=\"pimsim.retry_after\" "
                                "name=\"retry_after.ignored\""));
  EXPECT_TRUE(
      absl::StrContains(xml, "<property name=\"verdict\" value=\"FAIL\"/>"));
}

TEST(RenderJunitTest, FailsViolatedErrorRulesWithEvidence) {
  const std::string xml = RenderJunit(MakeSampleReport());
  EXPECT_TRUE(absl::StrContains(
      xml,
      "<failure message=\"7 violations of concurrency.connection; first: 5 "
      "requests in flight on connection erp-sync; limit 4\" type=\"error\">"));
  EXPECT_TRUE(absl::StrContains(
      xml,
      "+41.203 s connection=erp-sync instance=pim-1: 5 requests in flight on "
      "connection erp-sync; limit 4 [events #4100, #4107"));
  EXPECT_TRUE(absl::StrContains(xml, "2 more not listed in the report"));
}

TEST(RenderJunitTest, ListsEachViolationsEvidenceLines) {
  const std::string xml = RenderJunit(MakeSampleReport());
  EXPECT_TRUE(absl::StrContains(
      xml,
      "[events #4100, #4107, #4114, #4121]\n    +40.753 s #4100 GET "
      "/api/rest/v1/products/sku-104200?with_quality_scores=true 200 in 180 "
      "ms socket 33 erp-sync\n"))
      << xml;
  EXPECT_TRUE(absl::StrContains(
      xml, "429 in 600 us Retry-After 2 s socket 36 erp-sync\n"));
}

TEST(RenderJunitTest, DoesNotFailAnErrorRuleViolatedOnlyAtWarningSeverity) {
  // The sample's backoff.no_jitter: error rule, weak jitter.
  const std::string sample = RenderJunit(MakeSampleReport());
  const size_t at = sample.find("name=\"backoff.no_jitter\"");
  ASSERT_NE(at, std::string::npos);
  const std::string testcase =
      sample.substr(at, sample.find("</testcase>", at) - at);
  EXPECT_FALSE(absl::StrContains(testcase, "<failure"));
  EXPECT_TRUE(absl::StrContains(
      testcase, "<system-out>warning (does not fail the gate)"));
  EXPECT_TRUE(absl::StrContains(testcase, "no response (aborted)"));

  pimsim::v1::Report report;
  report.set_verdict(pimsim::v1::VERDICT_PASS);
  auto* rule = report.add_rules();
  rule->set_rule("backoff.no_jitter");
  rule->set_severity(pimsim::v1::SEVERITY_ERROR);
  rule->set_violated_severity(pimsim::v1::SEVERITY_WARNING);
  rule->set_outcome(pimsim::v1::RULE_OUTCOME_VIOLATED);
  rule->set_violations(1);
  const std::string xml = RenderJunit(report);
  EXPECT_TRUE(absl::StrContains(xml, "tests=\"1\" failures=\"0\""));
  EXPECT_EQ(Count(xml, "<failure "), 0);
  // Without violated_severity (an older report), the rule's severity.
  report.mutable_rules(0)->clear_violated_severity();
  EXPECT_EQ(Count(RenderJunit(report), "<failure "), 1);
}

TEST(RenderJunitTest, KeepsWarningsAndAdvicePassedWithSystemOut) {
  const std::string xml = RenderJunit(MakeSampleReport());
  const size_t at = xml.find("name=\"throttle.ignored\"");
  ASSERT_NE(at, std::string::npos);
  const std::string testcase = xml.substr(at, xml.find("</testcase>", at) - at);
  EXPECT_TRUE(absl::StrContains(
      testcase, "<system-out>warning (does not fail the gate)"));
  EXPECT_FALSE(absl::StrContains(testcase, "<failure"));
  EXPECT_TRUE(
      absl::StrContains(xml, "<system-out>advice (does not fail the gate)"));
}

TEST(RenderJunitTest, SkipsUndecidedAndDisabledRules) {
  const std::string xml = RenderJunit(MakeSampleReport());
  EXPECT_TRUE(absl::StrContains(
      xml,
      "<skipped message=\"undecided: no ambiguous failure of a non-idempotent "
      "write in this run\"/>"));
  EXPECT_TRUE(absl::StrContains(
      xml, "<skipped message=\"disabled: no hang fault in this scenario\"/>"));
}

TEST(RenderJunitTest, AddsARunErrorForAnErrorVerdict) {
  pimsim::v1::Report report = MakeSampleReport();
  report.set_verdict(pimsim::v1::VERDICT_ERROR);
  report.add_errors("mock died");
  report.set_journal_overflowed(12);
  const std::string xml = RenderJunit(report);
  EXPECT_TRUE(
      absl::StrContains(xml, "tests=\"21\" failures=\"3\" errors=\"1\""));
  EXPECT_TRUE(absl::StrContains(
      xml,
      "<testcase classname=\"pimsim\" name=\"run\" time=\"0\">\n      <error "
      "message=\"mock died\" type=\"VERDICT_ERROR\">mock died\njournal "
      "overflowed: 12 events lost\n</error>"));
}

TEST(RenderJunitTest, EscapesMarkupAndDropsControlCharacters) {
  pimsim::v1::Report report;
  report.set_verdict(pimsim::v1::VERDICT_FAIL);
  report.set_scenario("a\"b");
  auto* rule = report.add_rules();
  rule->set_rule("x.<y>");
  rule->set_severity(pimsim::v1::SEVERITY_ERROR);
  rule->set_outcome(pimsim::v1::RULE_OUTCOME_VIOLATED);
  rule->set_violations(1);
  auto* v = report.add_violations();
  v->set_rule("x.<y>");
  v->set_message("a<b & 'c' \"d\" ]]>\x01\x1b end\nsecond");
  const std::string xml = RenderJunit(report);
  EXPECT_TRUE(absl::StrContains(xml, "name=\"x.&lt;y&gt;\""));
  EXPECT_TRUE(absl::StrContains(xml, "value=\"a&quot;b\""));
  EXPECT_TRUE(absl::StrContains(
      xml,
      "first: a&lt;b &amp; &#39;c&#39; &quot;d&quot; ]]&gt; end&#10;second\""));
  EXPECT_TRUE(absl::StrContains(
      xml, ": a&lt;b &amp; &#39;c&#39; &quot;d&quot; ]]&gt; end\nsecond"));
  EXPECT_FALSE(absl::StrContains(xml, "\x01"));
  EXPECT_FALSE(absl::StrContains(xml, "\x1b"));
}

TEST(RenderJunitTest, RendersAReportWithoutRules) {
  const std::string xml = RenderJunit(pimsim::v1::Report());
  EXPECT_TRUE(absl::StrContains(
      xml,
      "tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0.000\""));
  EXPECT_TRUE(absl::EndsWith(xml, "</testsuites>\n"));
}

TEST(RenderJunitTest, AFailureSaysWhatToChange) {
  pimsim::v1::Report report = MakeSampleReport();
  report.mutable_rules(0)->set_advice("Cap requests in flight at 4.");
  EXPECT_TRUE(absl::StrContains(RenderJunit(report), "What to change: Cap requests in flight at 4."));
}

}  // namespace
}  // namespace pimsim::report
