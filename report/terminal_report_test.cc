#include "report/terminal_report.h"

#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "report/sample_report.h"

namespace pimsim::report {
namespace {

TEST(RenderTerminalTest, SummarisesVerdictRulesAndMetrics) {
  const std::string out = RenderTerminal(MakeSampleReport(), /*color=*/false);
  EXPECT_TRUE(absl::StartsWith(
      out, "pimsim compliance report: scenario catalogue_import_burst\n"));
  EXPECT_TRUE(absl::StrContains(
      out, "Verdict: FAIL  (3 error rules violated, 2 warnings, 2 advice)"));
  EXPECT_TRUE(absl::StrContains(out, "RULE"));
  EXPECT_TRUE(absl::StrContains(out, "cache.unused"));
  EXPECT_TRUE(absl::StrContains(out, "undecided"));
  EXPECT_TRUE(absl::StrContains(
      out, "latency     p50 38.4 ms, p90 121 ms, p99 482 ms, max 2.31 s"));
  EXPECT_TRUE(absl::StrContains(
      out, "per connection (limit 4): erp-sync 5 (over), dam-connector 3"));
  EXPECT_TRUE(absl::StrContains(out, "per instance (limit 10): pim-1 9\n"));
  EXPECT_TRUE(absl::StrContains(out, "429 "));
}

TEST(RenderTerminalTest, ListsTheFirstViolationsPerRuleWithEvidence) {
  const std::string out = RenderTerminal(MakeSampleReport(), false);
  EXPECT_TRUE(
      absl::StrContains(out, "concurrency.connection [error] 7 violations"));
  EXPECT_TRUE(absl::StrContains(out,
                                "+41.203 s  erp-sync@pim-1  5 requests in "
                                "flight on connection erp-sync; limit 4"));
  EXPECT_TRUE(absl::StrContains(out, "events #4100, #4107"));
  // 7 counted, 3 shown.
  EXPECT_TRUE(absl::StrContains(out, "... and 4 more"));
  EXPECT_FALSE(absl::StrContains(out, "+50.404 s"));
  EXPECT_TRUE(
      absl::StrContains(out, "2 violations were counted but not listed"));
}

// A report whose only violation is weak jitter: an error rule broken at
// warning severity, which passes the gate.
pimsim::v1::Report WarningOnlyReport() {
  pimsim::v1::Report report;
  report.set_verdict(pimsim::v1::VERDICT_PASS);
  auto* rule = report.add_rules();
  rule->set_rule("backoff.no_jitter");
  rule->set_severity(pimsim::v1::SEVERITY_ERROR);
  rule->set_violated_severity(pimsim::v1::SEVERITY_WARNING);
  rule->set_outcome(pimsim::v1::RULE_OUTCOME_VIOLATED);
  rule->set_violations(1);
  auto* v = report.add_violations();
  v->set_rule("backoff.no_jitter");
  v->set_severity(pimsim::v1::SEVERITY_WARNING);
  v->set_message("weak jitter");
  return report;
}

TEST(RenderTerminalTest, CountsRulesByTheSeverityTheyWereViolatedAt) {
  const std::string out = RenderTerminal(WarningOnlyReport(), false);
  EXPECT_TRUE(absl::StrContains(
      out, "Verdict: PASS  (0 error rules violated, 1 warning, 0 advice)"))
      << out;
  EXPECT_TRUE(absl::StrContains(out, "violated (warning)"));
  EXPECT_TRUE(
      absl::StrContains(out, "backoff.no_jitter [warning] 1 violation"));

  // A report without violated_severity counts by the rule's severity.
  pimsim::v1::Report old = WarningOnlyReport();
  old.mutable_rules(0)->clear_violated_severity();
  old.set_verdict(pimsim::v1::VERDICT_FAIL);
  EXPECT_TRUE(absl::StrContains(
      RenderTerminal(old, false),
      "Verdict: FAIL  (1 error rule violated, 0 warnings, 0 advice)"));
}

TEST(RenderTerminalTest, SaysWhenTheReportIsALiveSnapshot) {
  pimsim::v1::Report report = MakeSampleReport();
  EXPECT_FALSE(
      absl::StrContains(RenderTerminal(report, false), "live snapshot"));
  report.set_live(true);
  EXPECT_TRUE(absl::StartsWith(
      RenderTerminal(report, false),
      "pimsim compliance report: scenario catalogue_import_burst (live "
      "snapshot)\n"));
}

TEST(RenderTerminalTest, PrintsEvidenceLinesUnderEachViolation) {
  const std::string out = RenderTerminal(MakeSampleReport(), false);
  EXPECT_TRUE(absl::StrContains(
      out,
      "\n      +40.753 s  #4100  GET  "
      "/api/rest/v1/products/sku-104200?with_quality_scores=true  200  in 180 "
      "ms  socket 33  erp-sync\n"))
      << out;
  EXPECT_TRUE(absl::StrContains(
      out, "429  in 600 us  Retry-After 2 s  socket 36  erp-sync\n"));
  // Columns line up; a cell empty on one line is blank there.
  EXPECT_TRUE(absl::StrContains(out,
                                "  200  in  38 ms                   "
                                "socket 38  erp-sync\n"));
  EXPECT_TRUE(absl::StrContains(out,
                                "  429  in 400 us  Retry-After 1 s  "
                                "socket 40  erp-sync\n"));
  EXPECT_TRUE(absl::StrContains(
      out,
      "  no response (aborted)  in   30 s  socket 36  dam-connector  "
      "fault outage-503\n"));
  // backoff.no_jitter has 12 evidence lines: 8 shown.
  EXPECT_TRUE(absl::StrContains(out, "#8503"));
  EXPECT_FALSE(absl::StrContains(out, "#8510"));
  EXPECT_TRUE(absl::StrContains(out, "      ... 4 more events\n"));
}

TEST(RenderTerminalTest, ShortensLongEvidencePaths) {
  const std::string out = RenderTerminal(MakeSampleReport(), false);
  EXPECT_TRUE(absl::StrContains(
      out, "/api/rest/v1/products?limit=100&page=3...0%3A00Z%22%7D%5D%7D  200"))
      << out;
  EXPECT_FALSE(absl::StrContains(out, "%22operator%22"));
}

TEST(RenderTerminalTest, ColoursOnlyWhenAsked) {
  const pimsim::v1::Report report = MakeSampleReport();
  EXPECT_FALSE(absl::StrContains(RenderTerminal(report, false), "\x1b"));
  const std::string colored = RenderTerminal(report, true);
  EXPECT_TRUE(absl::StrContains(colored, "\x1b[1;31mFAIL\x1b[0m"));
  EXPECT_TRUE(absl::StrContains(colored, "\x1b[1;31m5 (over)\x1b[0m"));
}

TEST(RenderTerminalTest, StripsControlCharactersFromJournalText) {
  pimsim::v1::Report report;
  report.set_verdict(pimsim::v1::VERDICT_FAIL);
  auto* rule = report.add_rules();
  rule->set_rule("retry_after.ignored");
  rule->set_severity(pimsim::v1::SEVERITY_ERROR);
  rule->set_outcome(pimsim::v1::RULE_OUTCOME_VIOLATED);
  rule->set_violations(1);
  auto* v = report.add_violations();
  v->set_rule("retry_after.ignored");
  v->set_severity(pimsim::v1::SEVERITY_ERROR);
  v->set_message("evil\x1b[2J\nnext line");
  v->set_connection("c\x07");
  auto* line = v->add_evidence();
  line->set_method("GET\x1b[31m");
  line->set_path("/p\r\n\x1b]0;title\x07");
  line->set_connection("conn\x9b");
  line->set_fault("f\x08");
  const std::string out = RenderTerminal(report, false);
  EXPECT_FALSE(absl::StrContains(out, "\x1b"));
  EXPECT_FALSE(absl::StrContains(out, "\x07"));
  EXPECT_FALSE(absl::StrContains(out, "\x08"));
  EXPECT_FALSE(absl::StrContains(out, "\x9b"));
  EXPECT_TRUE(absl::StrContains(out, "evil[2J next line"));
  EXPECT_TRUE(absl::StrContains(out, "GET[31m  /p  ]0;title  no response"))
      << out;
}

TEST(RenderTerminalTest, ListsErrorsOfAnErrorVerdict) {
  pimsim::v1::Report report;
  report.set_verdict(pimsim::v1::VERDICT_ERROR);
  report.add_errors("journal overflowed: 120 events lost");
  report.set_journal_overflowed(120);
  const std::string out = RenderTerminal(report, false);
  EXPECT_TRUE(absl::StrContains(out, "Verdict: ERROR"));
  EXPECT_TRUE(absl::StrContains(
      out, "Errors\n  - journal overflowed: 120 events lost\n"));
  EXPECT_TRUE(absl::StrContains(out, "120 lost to overflow"));
}

TEST(RenderTerminalTest, RendersAnEmptyReport) {
  const std::string out = RenderTerminal(pimsim::v1::Report(), false);
  EXPECT_TRUE(absl::StrContains(out, "Verdict: UNSPECIFIED"));
  EXPECT_TRUE(absl::StrContains(out, "Rules: none evaluated"));
  EXPECT_TRUE(absl::StrContains(out, "requests    0 in 0 us"));
}

TEST(ShouldColorTest, NeedsATerminalAndAUsefulTermAndNoNoColor) {
  EXPECT_TRUE(ShouldColorFor(true, "xterm-256color", nullptr));
  EXPECT_TRUE(ShouldColorFor(true, "xterm", ""));
  EXPECT_FALSE(ShouldColorFor(false, "xterm", nullptr));
  EXPECT_FALSE(ShouldColorFor(true, "dumb", nullptr));
  EXPECT_FALSE(ShouldColorFor(true, nullptr, nullptr));
  EXPECT_FALSE(ShouldColorFor(true, "xterm", "1"));
}

TEST(ShouldColorTest, APipeIsNotATerminal) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  EXPECT_FALSE(ShouldColor(fds[1]));
  close(fds[0]);
  close(fds[1]);
}

TEST(RenderTerminalTest, SaysWhatToChangeForEachViolatedRule) {
  pimsim::v1::Report report = MakeSampleReport();
  ASSERT_GT(report.rules(0).violations(), 0u);
  report.mutable_rules(0)->set_advice("Cap requests in flight at 4.");
  report.mutable_rules(1)->set_advice("never shown: not violated");
  const std::string text = RenderTerminal(report, false);
  EXPECT_TRUE(absl::StrContains(text, "What to change\n"));
  EXPECT_TRUE(absl::StrContains(text, "Cap requests in flight at 4.")) << text;
  EXPECT_FALSE(absl::StrContains(text, "never shown"));
}

}  // namespace
}  // namespace pimsim::report
