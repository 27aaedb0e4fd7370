#include "report/internal/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace pimsim::report::internal {

std::string SeverityLabel(pimsim::v1::Severity severity) {
  switch (severity) {
    case pimsim::v1::SEVERITY_ERROR:
      return "error";
    case pimsim::v1::SEVERITY_WARNING:
      return "warning";
    case pimsim::v1::SEVERITY_ADVICE:
      return "advice";
    default:
      return "unspecified";
  }
}

std::string OutcomeLabel(pimsim::v1::RuleOutcome outcome) {
  switch (outcome) {
    case pimsim::v1::RULE_OUTCOME_PASSED:
      return "passed";
    case pimsim::v1::RULE_OUTCOME_VIOLATED:
      return "violated";
    case pimsim::v1::RULE_OUTCOME_UNDECIDED:
      return "undecided";
    case pimsim::v1::RULE_OUTCOME_DISABLED:
      return "disabled";
    default:
      return "unspecified";
  }
}

std::string VerdictLabel(pimsim::v1::Verdict verdict) {
  switch (verdict) {
    case pimsim::v1::VERDICT_PASS:
      return "PASS";
    case pimsim::v1::VERDICT_FAIL:
      return "FAIL";
    case pimsim::v1::VERDICT_ERROR:
      return "ERROR";
    default:
      return "UNSPECIFIED";
  }
}

std::string RuleFamily(absl::string_view rule) {
  if (rule.empty()) return "rule";
  const size_t dot = rule.find('.');
  if (dot == 0) return "rule";
  return std::string(rule.substr(0, dot));
}

std::string FormatCount(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string FormatDecimal(double value, int decimals) {
  if (!std::isfinite(value)) return "-";
  std::string s = absl::StrFormat("%.*f", decimals, value);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

std::string FormatMicros(int64_t micros) {
  const char* sign = micros < 0 ? "-" : "";
  // Magnitude in double: -INT64_MIN does not fit an int64.
  const double us = std::fabs(static_cast<double>(micros));
  if (us < 1000) return absl::StrCat(sign, FormatDecimal(us, 0), " us");
  if (us < 1e6) {
    return absl::StrCat(sign, FormatDecimal(us / 1e3, us < 1e4 ? 2 : 1), " ms");
  }
  if (us < 60e6) {
    return absl::StrCat(sign, FormatDecimal(us / 1e6, us < 1e7 ? 2 : 1), " s");
  }
  const int64_t seconds = static_cast<int64_t>(std::llround(us / 1e6));
  if (seconds < 3600) {
    return absl::StrFormat("%s%d min %02d s", sign, seconds / 60, seconds % 60);
  }
  return absl::StrFormat("%s%d h %02d min", sign, seconds / 3600,
                         (seconds / 60) % 60);
}

std::string FormatOffset(int64_t micros) {
  return absl::StrFormat("%s%.3f s", micros < 0 ? "-" : "+",
                         std::fabs(static_cast<double>(micros)) / 1e6);
}

std::string FormatEventIds(const pimsim::v1::Violation& violation, int max) {
  std::string out;
  const int n = violation.event_ids_size();
  for (int i = 0; i < n && i < max; ++i) {
    absl::StrAppend(&out, i ? ", " : "", "#", violation.event_ids(i));
  }
  if (n > max) absl::StrAppend(&out, " +", n - max, " more");
  return out;
}

pimsim::v1::Severity ViolatedSeverity(const pimsim::v1::RuleResult& rule) {
  return rule.violated_severity() != pimsim::v1::SEVERITY_UNSPECIFIED
             ? rule.violated_severity()
             : rule.severity();
}

std::string ViolatedRulesSummary(const pimsim::v1::Report& report) {
  int error = 0, warning = 0, advice = 0;
  for (const auto& rule : report.rules()) {
    if (rule.outcome() != pimsim::v1::RULE_OUTCOME_VIOLATED) continue;
    switch (ViolatedSeverity(rule)) {
      case pimsim::v1::SEVERITY_ERROR:
        ++error;
        break;
      case pimsim::v1::SEVERITY_WARNING:
        ++warning;
        break;
      case pimsim::v1::SEVERITY_ADVICE:
        ++advice;
        break;
      default:
        break;
    }
  }
  return absl::StrCat(
      error, error == 1 ? " error rule violated, " : " error rules violated, ",
      warning, warning == 1 ? " warning, " : " warnings, ", advice, " advice");
}

StatusTone ToneOfStatus(uint32_t status) {
  if (status == 0 || status >= 500) return StatusTone::kFailed;
  return status >= 400 ? StatusTone::kClientError : StatusTone::kOk;
}

std::string ShortenMiddle(absl::string_view text, size_t max) {
  max = std::max<size_t>(max, 5);
  // Byte offset of each code point, so the cut never splits one.
  std::vector<size_t> starts;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      starts.push_back(i);
    }
  }
  if (starts.size() <= max) return std::string(text);
  const size_t keep = max - 3;
  // Two thirds to the head: a path's route says more than its last bytes.
  const size_t head = std::min((2 * keep + 2) / 3, keep - 1);
  const size_t tail = keep - head;
  return absl::StrCat(text.substr(0, starts[head]), "...",
                      text.substr(starts[starts.size() - tail]));
}

namespace {

std::string EvidenceTime(const pimsim::v1::EvidenceLine& line) {
  return FormatOffset(line.since_start_us());
}
std::string EvidenceEvent(const pimsim::v1::EvidenceLine& line) {
  return absl::StrCat("#", line.event_id());
}
std::string EvidenceMethod(const pimsim::v1::EvidenceLine& line) {
  return line.method();
}
std::string EvidencePath(const pimsim::v1::EvidenceLine& line) {
  return line.path();
}
std::string EvidenceStatus(const pimsim::v1::EvidenceLine& line) {
  return absl::StrCat(
      line.status() == 0 ? "no response" : absl::StrCat(line.status()),
      line.client_aborted() ? " (aborted)" : "");
}
std::string EvidenceLatency(const pimsim::v1::EvidenceLine& line) {
  // Negative when the journal has no response time.
  return line.latency_us() >= 0 ? FormatMicros(line.latency_us()) : "";
}
std::string EvidenceRetryAfter(const pimsim::v1::EvidenceLine& line) {
  return line.retry_after_s() >= 0 ? absl::StrCat(line.retry_after_s(), " s")
                                   : "";
}
std::string EvidenceSocket(const pimsim::v1::EvidenceLine& line) {
  return line.socket_id() != 0 ? absl::StrCat(line.socket_id()) : "";
}
std::string EvidenceConnection(const pimsim::v1::EvidenceLine& line) {
  return line.connection();
}
std::string EvidenceFault(const pimsim::v1::EvidenceLine& line) {
  return line.fault();
}

}  // namespace

const std::vector<EvidenceColumn>& EvidenceColumns() {
  static const auto* const kColumns = new std::vector<EvidenceColumn>{
      {"time", "", true, EvidenceTime},
      {"event", "", false, EvidenceEvent},
      {"method", "", false, EvidenceMethod},
      {"path", "", false, EvidencePath},
      {"status", "", false, EvidenceStatus},
      {"latency", "in ", true, EvidenceLatency},
      {"Retry-After", "Retry-After ", false, EvidenceRetryAfter},
      {"socket", "socket ", false, EvidenceSocket},
      {"connection", "", false, EvidenceConnection},
      {"fault", "fault ", false, EvidenceFault},
  };
  return *kColumns;
}

namespace {

int64_t DurationMicros(const google::protobuf::Duration& d) {
  return d.seconds() * 1'000'000 + d.nanos() / 1000;
}

}  // namespace

int64_t RunOriginMicros(const pimsim::v1::Report& report) {
  if (report.metrics().timeline_size() > 0) {
    return report.metrics().timeline(0).start_us();
  }
  if (report.violations_size() == 0) return 0;
  int64_t origin = report.violations(0).time_us();
  for (const auto& v : report.violations())
    origin = std::min(origin, v.time_us());
  return origin;
}

int64_t BucketMicros(const pimsim::v1::ReportMetrics& metrics) {
  const int64_t bucket = DurationMicros(metrics.bucket());
  if (bucket > 0) return bucket;
  if (metrics.timeline_size() >= 2) {
    const int64_t gap =
        metrics.timeline(1).start_us() - metrics.timeline(0).start_us();
    if (gap > 0) return gap;
  }
  return 1'000'000;
}

int64_t RunMicros(const pimsim::v1::ReportMetrics& metrics) {
  const int64_t duration = DurationMicros(metrics.duration());
  if (duration > 0) return duration;
  const int n = metrics.timeline_size();
  if (n == 0) return 0;
  return metrics.timeline(n - 1).start_us() - metrics.timeline(0).start_us() +
         BucketMicros(metrics);
}

std::vector<std::pair<std::string, uint32_t>> ByValueDescending(
    const google::protobuf::Map<std::string, uint32_t>& map) {
  std::vector<std::pair<std::string, uint32_t>> out(map.begin(), map.end());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  return out;
}

std::vector<std::pair<uint32_t, uint64_t>> ByStatusCode(
    const google::protobuf::Map<uint32_t, uint64_t>& map) {
  std::vector<std::pair<uint32_t, uint64_t>> out(map.begin(), map.end());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace pimsim::report::internal
