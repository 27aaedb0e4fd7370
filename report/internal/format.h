// Labels, number formats and small derived figures shared by the report
// renderers, so the terminal, JUnit and HTML forms say the same thing the
// same way.
//
// Thread-safety: pure functions.
//
//   SeverityLabel(pimsim::v1::SEVERITY_ERROR);  // "error"
//   FormatMicros(1'234'000);                    // "1.23 s"
//   FormatCount(12345);                         // "12,345"
#ifndef PIMSIM_REPORT_INTERNAL_FORMAT_H_
#define PIMSIM_REPORT_INTERNAL_FORMAT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/map.h"
#include "proto/report.pb.h"

namespace pimsim::report::internal {

// "error", "warning", "advice"; "unspecified" for anything else.
std::string SeverityLabel(pimsim::v1::Severity severity);
// "passed", "violated", "undecided", "disabled"; "unspecified" otherwise.
std::string OutcomeLabel(pimsim::v1::RuleOutcome outcome);
// "PASS", "FAIL", "ERROR"; "UNSPECIFIED" otherwise.
std::string VerdictLabel(pimsim::v1::Verdict verdict);

// The part of a rule id before its first dot ("backoff" for
// "backoff.immediate"); the whole id if it has no dot; "rule" if empty.
std::string RuleFamily(absl::string_view rule);

// 12345 -> "12,345".
std::string FormatCount(uint64_t n);
// A duration for people: "850 us", "12.3 ms", "1.23 s", "2 min 05 s".
std::string FormatMicros(int64_t micros);
// A time since the start of the run, to the millisecond: "+12.345 s".
std::string FormatOffset(int64_t micros);
// A rate or figure with at most `decimals` decimals and no trailing zeros:
// (95.5, 1) -> "95.5", (100, 1) -> "100". Non-finite values print as "-".
std::string FormatDecimal(double value, int decimals);
// Event ids as "#101, #102, #103", at most `max` of them, then "+N more".
std::string FormatEventIds(const pimsim::v1::Violation& violation, int max);

// The severity a rule was violated at: violated_severity, or the rule's own
// severity when that is unset (a report from before the field existed). A
// rule of error severity may be violated only at warning severity (weak
// jitter), which does not fail the gate.
pimsim::v1::Severity ViolatedSeverity(const pimsim::v1::RuleResult& rule);

// The violated rules counted by the severity they were violated at:
// "3 error rules violated, 2 warnings, 2 advice".
std::string ViolatedRulesSummary(const pimsim::v1::Report& report);

// `text` cut to at most `max` code points (5 if less): its middle, a third
// of the way from the end, replaced by "..." so that both ends show (a path's
// route and the end of its query).
std::string ShortenMiddle(absl::string_view text, size_t max);

// How a status code reads: served, refused by the client's fault (4xx), or
// failed (5xx, or 0: no response).
enum class StatusTone { kOk, kClientError, kFailed };
StatusTone ToneOfStatus(uint32_t status);

// One column of a violation's evidence (EvidenceLine), as every renderer
// shows it. Text is raw: renderers escape it.
struct EvidenceColumn {
  // Table heading: "time", "status", "Retry-After"...
  const char* heading;
  // Written before the value where there is no heading ("socket ", "fault ").
  const char* prefix;
  // Right-aligned (times and durations).
  bool numeric;
  // The cell; "" when the line has none (no fault, no Retry-After).
  std::string (*value)(const pimsim::v1::EvidenceLine& line);
};

// The columns in display order: time since the start ("+12.345 s"), event
// ("#4100"), method, path, status ("503"; "no response" for 0; "(aborted)"
// appended when the client went away), latency, Retry-After ("2 s"), socket,
// connection, fault.
const std::vector<EvidenceColumn>& EvidenceColumns();

// The origin of the run's time axis, in journal microseconds: the start of the
// first timeline bucket, else the earliest violation, else 0.
int64_t RunOriginMicros(const pimsim::v1::Report& report);
// The width of a timeline bucket: metrics.bucket when positive, else the gap
// between the first two buckets, else one second. Always > 0.
int64_t BucketMicros(const pimsim::v1::ReportMetrics& metrics);
// The run's duration: metrics.duration when positive, else the span of the
// timeline, else 0.
int64_t RunMicros(const pimsim::v1::ReportMetrics& metrics);

// Proto maps iterate in no fixed order; these give a stable one. Entries by
// value, largest first, ties by key.
std::vector<std::pair<std::string, uint32_t>> ByValueDescending(
    const google::protobuf::Map<std::string, uint32_t>& map);
// Status counts by status code, ascending.
std::vector<std::pair<uint32_t, uint64_t>> ByStatusCode(
    const google::protobuf::Map<uint32_t, uint64_t>& map);

}  // namespace pimsim::report::internal

#endif  // PIMSIM_REPORT_INTERNAL_FORMAT_H_
