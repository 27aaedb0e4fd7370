#include "report/html_report.h"

#include <string>

#include "absl/strings/match.h"
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

bool HasBadNumber(const std::string& html) {
  return absl::StrContains(html, "nan") || absl::StrContains(html, "inf\"") ||
         absl::StrContains(html, "inf ") || absl::StrContains(html, "inf,");
}

TEST(RenderHtmlTest, IsOneSelfContainedDocument) {
  const std::string html = RenderHtml(MakeSampleReport());
  EXPECT_TRUE(absl::StartsWith(html, "<!DOCTYPE html>\n"));
  EXPECT_TRUE(absl::EndsWith(html, "</html>\n"));
  EXPECT_TRUE(absl::StrContains(html, "Content-Security-Policy"));
  EXPECT_FALSE(absl::StrContains(html, "<script"));
  EXPECT_FALSE(absl::StrContains(html, "<link"));
  EXPECT_FALSE(absl::StrContains(html, "src="));
  EXPECT_FALSE(absl::StrContains(html, "url("));
  EXPECT_FALSE(absl::StrContains(html, "http://") &&
               Count(html, "http://") !=
                   Count(html, "http://www.w3.org/2000/svg"));
  EXPECT_FALSE(absl::StrContains(html, "https://"));
}

TEST(RenderHtmlTest, ShowsVerdictRulesAndViolations) {
  const std::string html = RenderHtml(MakeSampleReport());
  EXPECT_TRUE(absl::StrContains(html, "class=\"badge verdict-FAIL\""));
  EXPECT_TRUE(absl::StrContains(html, "<b>catalogue_import_burst</b>"));
  EXPECT_EQ(Count(html, "<td class=\"id\">"), 20);
  EXPECT_EQ(Count(html, "<tr class=\"violated\">"), 7);
  // One table row per listed violation.
  EXPECT_EQ(Count(html, "<tr><td class=\"num\">+"), 17);
  EXPECT_TRUE(absl::StrContains(html, "#4100, #4107"));
  EXPECT_TRUE(absl::StrContains(html, "7 violations (5 listed)"));
}

TEST(RenderHtmlTest, CountsRulesByTheSeverityTheyWereViolatedAt) {
  const std::string html = RenderHtml(MakeSampleReport());
  EXPECT_TRUE(absl::StrContains(
      html, "20 rules: 3 error rules violated, 2 warnings, 2 advice &middot;"));
  // backoff.no_jitter: an error rule violated at warning severity.
  EXPECT_EQ(Count(html, "<span class=\"pill sev-warning\">as warning</span>"),
            1);

  pimsim::v1::Report report;
  report.set_verdict(pimsim::v1::VERDICT_PASS);
  auto* rule = report.add_rules();
  rule->set_rule("backoff.no_jitter");
  rule->set_severity(pimsim::v1::SEVERITY_ERROR);
  rule->set_violated_severity(pimsim::v1::SEVERITY_WARNING);
  rule->set_outcome(pimsim::v1::RULE_OUTCOME_VIOLATED);
  EXPECT_TRUE(absl::StrContains(RenderHtml(report),
                                "0 error rules violated, 1 warning, 0 advice"));
}

TEST(RenderHtmlTest, ShowsEachViolationsEvidenceAsATable) {
  const pimsim::v1::Report report = MakeSampleReport();
  int lines = 0;
  for (const auto& v : report.violations()) lines += v.evidence_size();
  const std::string html = RenderHtml(report);
  EXPECT_EQ(Count(html, "<table class=\"evidence\">"),
            report.violations_size());
  EXPECT_EQ(Count(html, "<tr class=\"ev\">"), lines);
  EXPECT_TRUE(absl::StrContains(
      html,
      "<tr class=\"ev\"><td class=\"num\">+40.753 s</td><td>#4100</td>"
      "<td>GET</td><td class=\"path\">"
      "/api/rest/v1/products/sku-104200?with_quality_scores=true</td><td>200"
      "</td><td class=\"num\">180 ms</td><td>33</td><td>erp-sync</td></tr>"))
      << html;
  EXPECT_TRUE(absl::StrContains(html, "<th>Retry-After</th>"));
  EXPECT_TRUE(absl::StrContains(
      html, "<td class=\"st-bad\">no response (aborted)</td>"));
  EXPECT_TRUE(absl::StrContains(html, "<td>outage-503</td>"));
}

TEST(RenderHtmlTest, MarksALiveSnapshot) {
  pimsim::v1::Report report = MakeSampleReport();
  EXPECT_FALSE(absl::StrContains(RenderHtml(report), "id=\"live\""));
  report.set_live(true);
  const std::string html = RenderHtml(report);
  EXPECT_TRUE(absl::StrContains(html, "id=\"live\""));
  EXPECT_TRUE(absl::StrContains(html, ">live snapshot</span>"));
  EXPECT_TRUE(absl::StrContains(html, "<title>pimsim FAIL (live): "));
}

TEST(RenderHtmlTest, DrawsFourChartsWithLimitsAndMarkers) {
  const std::string html = RenderHtml(MakeSampleReport());
  EXPECT_EQ(Count(html, "<svg "), 4);
  EXPECT_TRUE(absl::StrContains(html, ">limit 100/s</text>"));
  EXPECT_TRUE(absl::StrContains(html, ">connection limit 4</text>"));
  EXPECT_TRUE(absl::StrContains(html, ">instance limit 10</text>"));
  EXPECT_TRUE(absl::StrContains(html, ">erp-sync</text>"));
  EXPECT_TRUE(absl::StrContains(html, ">retries</text>"));
  // Violation markers carry tooltips: 17 listed violations.
  EXPECT_EQ(Count(html, "</title></circle>") + Count(html, "</title></path>") +
                Count(html, "</title></rect>") - 3 * 120,
            17);
  EXPECT_FALSE(absl::StrContains(html, "no traffic"));
  EXPECT_FALSE(HasBadNumber(html));
}

TEST(RenderHtmlTest, SaysNoTrafficWithoutATimeline) {
  pimsim::v1::Report report;
  report.set_verdict(pimsim::v1::VERDICT_PASS);
  const std::string html = RenderHtml(report);
  EXPECT_TRUE(absl::StrContains(html, "no traffic"));
  EXPECT_TRUE(absl::StrContains(html, "no violations"));
  EXPECT_TRUE(absl::StrContains(html, "no rules evaluated"));
  EXPECT_FALSE(HasBadNumber(html));
}

TEST(RenderHtmlTest, SurvivesDegenerateMetrics) {
  pimsim::v1::Report report;
  auto* m = report.mutable_metrics();
  m->mutable_bucket()->set_seconds(-5);
  auto* b = m->add_timeline();
  b->set_start_us(-1);
  b->set_requests(1);
  b->set_rejected(5);  // more rejected than requests
  auto* v = report.add_violations();
  v->set_rule("unknown.rule");
  v->set_time_us(-1'000'000'000);
  const std::string html = RenderHtml(report);
  EXPECT_FALSE(HasBadNumber(html));
  EXPECT_TRUE(absl::StrContains(html, "unknown.rule"));
}

TEST(RenderHtmlTest, EscapesEveryTextFromTheReport) {
  pimsim::v1::Report report = MakeSampleReport();
  const std::string evil = "<img src=x onerror=alert(1)>&\"'";
  report.set_scenario(evil);
  report.add_errors(evil);
  report.mutable_rules(0)->set_detail(evil);
  report.mutable_violations(0)->set_message(evil);
  report.mutable_violations(0)->set_connection(evil);
  report.mutable_violations(0)->mutable_evidence(0)->set_path(evil);
  report.mutable_violations(0)->mutable_evidence(0)->set_fault(evil);
  (*report.mutable_metrics()
        ->mutable_timeline(0)
        ->mutable_max_in_flight_connection())[evil] = 1;
  const std::string html = RenderHtml(report);
  EXPECT_FALSE(absl::StrContains(html, "<img"));
  EXPECT_TRUE(absl::StrContains(
      html, "&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;"));
}

TEST(RenderHtmlTest, ListsRunErrors) {
  pimsim::v1::Report report = MakeSampleReport();
  report.set_verdict(pimsim::v1::VERDICT_ERROR);
  report.add_errors("mock died");
  const std::string html = RenderHtml(report);
  EXPECT_TRUE(absl::StrContains(html, "class=\"badge verdict-ERROR\""));
  EXPECT_TRUE(absl::StrContains(html, "<li>mock died</li>"));
}

TEST(RenderHtmlTest, IsDeterministic) {
  EXPECT_EQ(RenderHtml(MakeSampleReport()), RenderHtml(MakeSampleReport()));
}

TEST(RenderHtmlTest, ShowsThePhasesAndWhatToChange) {
  pimsim::v1::Report report = MakeSampleReport();
  ASSERT_GT(report.rules(0).violations(), 0u);
  report.mutable_rules(0)->set_advice("Cap requests in flight at 4.");
  report.mutable_rules(1)->set_advice("never shown: not violated");
  const int64_t origin = report.metrics().timeline(0).start_us();
  pimsim::v1::PhaseSpan* storm = report.add_phases();
  storm->set_name("5xx-storm");
  storm->set_start_us(origin + 1'000'000);
  storm->set_end_us(origin + 5'000'000);
  const std::string html = RenderHtml(report);
  EXPECT_TRUE(absl::StrContains(html, "aria-label=\"Phases of the run\""));
  EXPECT_TRUE(absl::StrContains(html, ">5xx-storm</text>"));
  EXPECT_TRUE(absl::StrContains(html, "<b>What to change:</b> Cap requests in flight at 4."));
  EXPECT_FALSE(absl::StrContains(html, "never shown"));
  EXPECT_FALSE(absl::StrContains(RenderHtml(MakeSampleReport()), "Phases of the run"));
}

}  // namespace
}  // namespace pimsim::report
