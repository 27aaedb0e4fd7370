#include "report/internal/format.h"

#include <cstdint>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace pimsim::report::internal {
namespace {

TEST(FormatTest, LabelsEnums) {
  EXPECT_EQ(SeverityLabel(pimsim::v1::SEVERITY_WARNING), "warning");
  EXPECT_EQ(OutcomeLabel(pimsim::v1::RULE_OUTCOME_UNDECIDED), "undecided");
  EXPECT_EQ(VerdictLabel(pimsim::v1::VERDICT_ERROR), "ERROR");
  EXPECT_EQ(VerdictLabel(pimsim::v1::VERDICT_UNSPECIFIED), "UNSPECIFIED");
}

TEST(FormatTest, RuleFamilyIsThePrefixBeforeTheFirstDot) {
  EXPECT_EQ(RuleFamily("backoff.no_jitter"), "backoff");
  EXPECT_EQ(RuleFamily("a.b.c"), "a");
  EXPECT_EQ(RuleFamily("plain"), "plain");
  EXPECT_EQ(RuleFamily(""), "rule");
  EXPECT_EQ(RuleFamily(".x"), "rule");
}

TEST(FormatTest, GroupsThousands) {
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(999), "999");
  EXPECT_EQ(FormatCount(1000), "1,000");
  EXPECT_EQ(FormatCount(12345678), "12,345,678");
}

TEST(FormatTest, FormatsDurationsForPeople) {
  EXPECT_EQ(FormatMicros(850), "850 us");
  EXPECT_EQ(FormatMicros(1500), "1.5 ms");
  EXPECT_EQ(FormatMicros(12'340), "12.3 ms");
  EXPECT_EQ(FormatMicros(1'234'000), "1.23 s");
  EXPECT_EQ(FormatMicros(125'000'000), "2 min 05 s");
  EXPECT_EQ(FormatMicros(7'260'000'000), "2 h 01 min");
  EXPECT_EQ(FormatMicros(-2'000), "-2 ms");
  EXPECT_FALSE(FormatMicros(std::numeric_limits<int64_t>::min()).empty());
}

TEST(FormatTest, FormatsDecimalsWithoutTrailingZeros) {
  EXPECT_EQ(FormatDecimal(95.5, 1), "95.5");
  EXPECT_EQ(FormatDecimal(100, 1), "100");
  EXPECT_EQ(FormatDecimal(-0.01, 1), "0");
  EXPECT_EQ(FormatDecimal(std::numeric_limits<double>::quiet_NaN(), 1), "-");
  EXPECT_EQ(FormatOffset(12'345'678), "+12.346 s");
}

TEST(FormatTest, ListsEventIdsUpToAMaximum) {
  pimsim::v1::Violation v;
  for (uint64_t id : {101, 102, 103, 104}) v.add_event_ids(id);
  EXPECT_EQ(FormatEventIds(v, 2), "#101, #102 +2 more");
  EXPECT_EQ(FormatEventIds(v, 10), "#101, #102, #103, #104");
}

TEST(FormatTest, CountsViolatedRulesByTheSeverityTheyWereViolatedAt) {
  pimsim::v1::Report report;
  auto* jitter = report.add_rules();  // error rule, weak jitter: a warning
  jitter->set_severity(pimsim::v1::SEVERITY_ERROR);
  jitter->set_violated_severity(pimsim::v1::SEVERITY_WARNING);
  jitter->set_outcome(pimsim::v1::RULE_OUTCOME_VIOLATED);
  auto* passed = report.add_rules();
  passed->set_severity(pimsim::v1::SEVERITY_ERROR);
  passed->set_outcome(pimsim::v1::RULE_OUTCOME_PASSED);
  EXPECT_EQ(ViolatedSeverity(*jitter), pimsim::v1::SEVERITY_WARNING);
  EXPECT_EQ(ViolatedRulesSummary(report),
            "0 error rules violated, 1 warning, 0 advice");

  auto* old_report_rule = report.add_rules();  // no violated_severity
  old_report_rule->set_severity(pimsim::v1::SEVERITY_ERROR);
  old_report_rule->set_outcome(pimsim::v1::RULE_OUTCOME_VIOLATED);
  EXPECT_EQ(ViolatedSeverity(*old_report_rule), pimsim::v1::SEVERITY_ERROR);
  EXPECT_EQ(ViolatedRulesSummary(report),
            "1 error rule violated, 1 warning, 0 advice");
}

TEST(FormatTest, ShortensTheMiddleOnCodePointBoundaries) {
  EXPECT_EQ(ShortenMiddle("/api/rest/v1/products", 30),
            "/api/rest/v1/products");
  EXPECT_EQ(ShortenMiddle("0123456789abcdef", 10), "01234...ef");
  EXPECT_EQ(
      ShortenMiddle("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 5),
      "\xc3\xa9...\xc3\xa9");
  EXPECT_EQ(ShortenMiddle("0123456789", 1), "0...9");
}

TEST(FormatTest, TellsServedRefusedAndFailedStatuses) {
  EXPECT_EQ(ToneOfStatus(200), StatusTone::kOk);
  EXPECT_EQ(ToneOfStatus(304), StatusTone::kOk);
  EXPECT_EQ(ToneOfStatus(429), StatusTone::kClientError);
  EXPECT_EQ(ToneOfStatus(503), StatusTone::kFailed);
  EXPECT_EQ(ToneOfStatus(0), StatusTone::kFailed);
}

std::string Cell(const char* heading, const pimsim::v1::EvidenceLine& line) {
  for (const EvidenceColumn& column : EvidenceColumns()) {
    if (std::string(column.heading) == heading) return column.value(line);
  }
  return "no such column";
}

TEST(FormatTest, FormatsEvidenceCells) {
  pimsim::v1::EvidenceLine line;
  line.set_event_id(4100);
  line.set_since_start_us(12'345'000);
  line.set_method("GET");
  line.set_status(0);
  line.set_retry_after_s(-1);
  line.set_socket_id(7);
  line.set_latency_us(-5);
  line.set_client_aborted(true);
  EXPECT_EQ(Cell("time", line), "+12.345 s");
  EXPECT_EQ(Cell("event", line), "#4100");
  EXPECT_EQ(Cell("status", line), "no response (aborted)");
  EXPECT_EQ(Cell("Retry-After", line), "");
  EXPECT_EQ(Cell("latency", line), "");
  EXPECT_EQ(Cell("socket", line), "7");
  EXPECT_EQ(Cell("fault", line), "");
  line.set_status(429);
  line.set_client_aborted(false);
  line.set_retry_after_s(2);
  line.set_latency_us(1500);
  line.set_fault("slow");
  EXPECT_EQ(Cell("status", line), "429");
  EXPECT_EQ(Cell("Retry-After", line), "2 s");
  EXPECT_EQ(Cell("latency", line), "1.5 ms");
  EXPECT_EQ(Cell("fault", line), "slow");
}

TEST(FormatTest, BucketWidthFallsBackWhenUnset) {
  pimsim::v1::ReportMetrics m;
  EXPECT_EQ(BucketMicros(m), 1'000'000);
  m.add_timeline()->set_start_us(10);
  m.add_timeline()->set_start_us(510);
  EXPECT_EQ(BucketMicros(m), 500);
  EXPECT_EQ(RunMicros(m), 1000);
  m.mutable_bucket()->set_nanos(250'000'000);
  EXPECT_EQ(BucketMicros(m), 250'000);
}

TEST(FormatTest, RunOriginIsTheFirstBucketElseTheFirstViolation) {
  pimsim::v1::Report r;
  EXPECT_EQ(RunOriginMicros(r), 0);
  r.add_violations()->set_time_us(70);
  r.add_violations()->set_time_us(50);
  EXPECT_EQ(RunOriginMicros(r), 50);
  r.mutable_metrics()->add_timeline()->set_start_us(20);
  EXPECT_EQ(RunOriginMicros(r), 20);
}

TEST(FormatTest, OrdersMapsStably) {
  pimsim::v1::ReportMetrics m;
  (*m.mutable_max_in_flight_connection())["b"] = 3;
  (*m.mutable_max_in_flight_connection())["a"] = 3;
  (*m.mutable_max_in_flight_connection())["c"] = 5;
  const auto sorted = ByValueDescending(m.max_in_flight_connection());
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0].first, "c");
  EXPECT_EQ(sorted[1].first, "a");
  EXPECT_EQ(sorted[2].first, "b");
}

}  // namespace
}  // namespace pimsim::report::internal
