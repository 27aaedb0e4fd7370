#include "report/terminal_report.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "report/internal/escape.h"
#include "report/internal/format.h"

namespace pimsim::report {
namespace {

using internal::FormatCount;
using internal::FormatDecimal;
using internal::FormatMicros;
using internal::SanitizeForTerminal;

constexpr char kReset[] = "\x1b[0m";
constexpr char kBold[] = "\x1b[1m";
constexpr char kDim[] = "\x1b[2m";
constexpr char kRed[] = "\x1b[31m";
constexpr char kGreen[] = "\x1b[32m";
constexpr char kYellow[] = "\x1b[33m";
constexpr char kCyan[] = "\x1b[36m";
constexpr char kBoldRed[] = "\x1b[1;31m";
constexpr char kBoldGreen[] = "\x1b[1;32m";
constexpr char kBoldMagenta[] = "\x1b[1;35m";

class Painter {
 public:
  explicit Painter(bool color) : color_(color) {}
  std::string operator()(const char* sgr, const std::string& text) const {
    if (!color_ || text.empty()) return text;
    return absl::StrCat(sgr, text, kReset);
  }

 private:
  bool color_;
};

// Display width of UTF-8 text, one column per code point (the labels and ids
// padded here are ASCII; this keeps a stray accent from skewing a column).
size_t Width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

std::string PadRight(const std::string& s, size_t width) {
  const size_t w = Width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

std::string PadLeft(const std::string& s, size_t width) {
  const size_t w = Width(s);
  return w >= width ? s : std::string(width - w, ' ') + s;
}

const char* SeverityColor(pimsim::v1::Severity severity) {
  switch (severity) {
    case pimsim::v1::SEVERITY_ERROR:
      return kRed;
    case pimsim::v1::SEVERITY_WARNING:
      return kYellow;
    default:
      return kCyan;
  }
}

const char* OutcomeColor(const pimsim::v1::RuleResult& rule) {
  switch (rule.outcome()) {
    case pimsim::v1::RULE_OUTCOME_PASSED:
      return kGreen;
    case pimsim::v1::RULE_OUTCOME_VIOLATED:
      return SeverityColor(internal::ViolatedSeverity(rule));
    default:
      return kDim;
  }
}

std::string VerdictLine(const pimsim::v1::Report& report,
                        const Painter& paint) {
  const char* color = kBoldMagenta;
  if (report.verdict() == pimsim::v1::VERDICT_PASS) color = kBoldGreen;
  if (report.verdict() == pimsim::v1::VERDICT_FAIL) color = kBoldRed;
  return absl::StrCat(paint(kBold, "Verdict: "),
                      paint(color, internal::VerdictLabel(report.verdict())),
                      "  (", internal::ViolatedRulesSummary(report), ")\n");
}

// "violated", or "violated (warning)" for a rule violated at a lower
// severity than its own.
std::string OutcomeText(const pimsim::v1::RuleResult& rule) {
  std::string text = internal::OutcomeLabel(rule.outcome());
  const pimsim::v1::Severity at = internal::ViolatedSeverity(rule);
  if (rule.outcome() == pimsim::v1::RULE_OUTCOME_VIOLATED &&
      at != rule.severity()) {
    absl::StrAppend(&text, " (", internal::SeverityLabel(at), ")");
  }
  return text;
}

void AppendRuleTable(const pimsim::v1::Report& report, const Painter& paint,
                     std::string* out) {
  if (report.rules_size() == 0) {
    absl::StrAppend(out, "\nRules: none evaluated\n");
    return;
  }
  size_t id_width = 4;
  size_t outcome_width = 9;
  for (const auto& rule : report.rules()) {
    id_width = std::max(id_width, Width(SanitizeForTerminal(rule.rule())));
    outcome_width = std::max(outcome_width, Width(OutcomeText(rule)));
  }
  absl::StrAppend(out, "\n", paint(kBold, "Rules"), "\n");
  absl::StrAppend(
      out, "  ", PadRight("RULE", id_width), "  ", PadRight("SEVERITY", 8),
      "  ", PadRight("OUTCOME", outcome_width), "  ", PadLeft("VIOLATIONS", 10),
      "  ", PadLeft("SAMPLES", 9), "  DETAIL\n");
  for (const auto& rule : report.rules()) {
    const std::string detail = SanitizeForTerminal(rule.detail());
    absl::StrAppend(
        out, "  ", PadRight(SanitizeForTerminal(rule.rule()), id_width), "  ",
        paint(SeverityColor(rule.severity()),
              PadRight(internal::SeverityLabel(rule.severity()), 8)),
        "  ",
        paint(OutcomeColor(rule), PadRight(OutcomeText(rule), outcome_width)),
        "  ", PadLeft(FormatCount(rule.violations()), 10), "  ",
        PadLeft(FormatCount(rule.samples()), 9), detail.empty() ? "" : "  ",
        detail, "\n");
  }
  // What to change, for each violated rule.
  bool first = true;
  for (const auto& rule : report.rules()) {
    if (rule.violations() == 0 || rule.advice().empty()) continue;
    if (first) absl::StrAppend(out, "\n", paint(kBold, "What to change"), "\n");
    first = false;
    absl::StrAppend(out, "  ", PadRight(SanitizeForTerminal(rule.rule()), id_width), "  ",
                    SanitizeForTerminal(rule.advice()), "\n");
  }
}

const char* StatusColor(uint32_t code) {
  switch (internal::ToneOfStatus(code)) {
    case internal::StatusTone::kFailed:
      return kRed;
    case internal::StatusTone::kClientError:
      return kYellow;
    default:
      return kGreen;
  }
}

// A violation's evidence, one line per journal event under it, in columns
// aligned across its lines; columns empty on every line are left out.
void AppendEvidence(const pimsim::v1::Violation& v, const Painter& paint,
                    std::string* out) {
  const auto& columns = internal::EvidenceColumns();
  const size_t shown =
      std::min<size_t>(v.evidence_size(), kTerminalEvidencePerViolation);
  if (shown == 0) return;
  std::vector<std::vector<std::string>> cells(shown);
  std::vector<size_t> widths(columns.size(), 0);
  for (size_t i = 0; i < shown; ++i) {
    for (size_t c = 0; c < columns.size(); ++c) {
      cells[i].push_back(internal::ShortenMiddle(
          SanitizeForTerminal(columns[c].value(v.evidence(i))),
          kTerminalEvidenceCellWidth));
      widths[c] = std::max(widths[c], Width(cells[i][c]));
    }
  }
  for (size_t i = 0; i < shown; ++i) {
    std::string line = "      ";
    bool first = true;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (widths[c] == 0) continue;
      const std::string prefix = columns[c].prefix;
      std::string cell =
          cells[i][c].empty()
              ? std::string(Width(prefix) + widths[c], ' ')
              : prefix + (columns[c].numeric
                              ? PadLeft(cells[i][c], widths[c])
                              : PadRight(cells[i][c], widths[c]));
      if (absl::string_view(columns[c].heading) == "status") {
        cell = paint(StatusColor(v.evidence(i).status()), cell);
      }
      absl::StrAppend(&line, first ? "" : "  ", cell);
      first = false;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    absl::StrAppend(out, line, "\n");
  }
  if (v.evidence_size() > static_cast<int>(shown)) {
    absl::StrAppend(out, "      ",
                    paint(kDim, absl::StrCat("... ", v.evidence_size() - shown,
                                             " more events")),
                    "\n");
  }
}

void AppendViolations(const pimsim::v1::Report& report, const Painter& paint,
                      std::string* out) {
  if (report.violations_size() == 0) return;
  // Group by rule, rules in catalogue order, then any rule the catalogue
  // does not list, in order of first appearance.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const pimsim::v1::Violation*>> by_rule;
  std::map<std::string, const pimsim::v1::RuleResult*> results;
  for (const auto& rule : report.rules()) {
    if (results.emplace(rule.rule(), &rule).second)
      order.push_back(rule.rule());
  }
  for (const auto& v : report.violations()) {
    if (!results.count(v.rule()) && !by_rule.count(v.rule()))
      order.push_back(v.rule());
    by_rule[v.rule()].push_back(&v);
  }
  const int64_t origin = internal::RunOriginMicros(report);
  absl::StrAppend(out, "\n", paint(kBold, "Violations"), " (first ",
                  kTerminalViolationsPerRule,
                  " per rule; times since the start)\n");
  for (const std::string& id : order) {
    auto it = by_rule.find(id);
    if (it == by_rule.end()) continue;
    const auto& listed = it->second;
    const auto result = results.find(id);
    const uint64_t counted =
        result != results.end()
            ? std::max<uint64_t>(result->second->violations(), listed.size())
            : listed.size();
    const pimsim::v1::Severity severity = listed.front()->severity();
    absl::StrAppend(
        out, "  ", paint(kBold, SanitizeForTerminal(id)), " [",
        paint(SeverityColor(severity), internal::SeverityLabel(severity)), "] ",
        FormatCount(counted), counted == 1 ? " violation\n" : " violations\n");
    for (size_t i = 0; i < listed.size() && i < kTerminalViolationsPerRule;
         ++i) {
      const pimsim::v1::Violation& v = *listed[i];
      std::string where = SanitizeForTerminal(v.connection());
      if (!v.instance().empty()) {
        absl::StrAppend(&where, where.empty() ? "" : "@",
                        SanitizeForTerminal(v.instance()));
      }
      absl::StrAppend(out, "    ", internal::FormatOffset(v.time_us() - origin),
                      "  ", where.empty() ? "" : where + "  ",
                      SanitizeForTerminal(v.message()));
      if (v.event_ids_size() > 0) {
        absl::StrAppend(
            out, "  ", paint(kDim, "events " + internal::FormatEventIds(v, 5)));
      }
      absl::StrAppend(out, "\n");
      AppendEvidence(v, paint, out);
    }
    if (counted > kTerminalViolationsPerRule) {
      absl::StrAppend(
          out, "    ",
          paint(kDim,
                absl::StrCat("... and ",
                             FormatCount(counted - kTerminalViolationsPerRule),
                             " more")),
          "\n");
    }
  }
  if (report.violations_dropped() > 0) {
    absl::StrAppend(out, "  ", FormatCount(report.violations_dropped()),
                    " violations were counted but not listed in the report\n");
  }
}

std::string InFlightLine(
    const google::protobuf::Map<std::string, uint32_t>& map, uint32_t limit,
    const Painter& paint) {
  std::vector<std::string> parts;
  const auto sorted = internal::ByValueDescending(map);
  constexpr size_t kMax = 6;
  for (size_t i = 0; i < sorted.size() && i < kMax; ++i) {
    const bool over = limit > 0 && sorted[i].second > limit;
    parts.push_back(absl::StrCat(
        SanitizeForTerminal(sorted[i].first), " ",
        over ? paint(kBoldRed, absl::StrCat(sorted[i].second, " (over)"))
             : absl::StrCat(sorted[i].second)));
  }
  if (sorted.size() > kMax)
    parts.push_back(absl::StrCat("+", sorted.size() - kMax, " more"));
  if (parts.empty()) parts.push_back("-");
  return absl::StrJoin(parts, ", ");
}

void AppendMetrics(const pimsim::v1::Report& report, const Painter& paint,
                   std::string* out) {
  const pimsim::v1::ReportMetrics& m = report.metrics();
  absl::StrAppend(out, "\n", paint(kBold, "Metrics"), "\n");
  absl::StrAppend(out, "  requests    ", FormatCount(m.requests()), " in ",
                  FormatMicros(internal::RunMicros(m)), " (admitted ",
                  FormatDecimal(m.admitted_per_second(), 1), "/s, rejected ",
                  FormatDecimal(m.rejected_per_second(), 1), "/s)\n");
  std::vector<std::string> statuses;
  // "no response" (status 0) reads best last.
  auto by_code = internal::ByStatusCode(m.requests_by_status());
  std::stable_partition(by_code.begin(), by_code.end(),
                        [](const auto& entry) { return entry.first != 0; });
  for (const auto& [code, count] : by_code) {
    const std::string label = code == 0 ? "no response" : absl::StrCat(code);
    const char* color = StatusColor(code);
    statuses.push_back(
        absl::StrCat(paint(color, label), " ", FormatCount(count)));
  }
  absl::StrAppend(out, "  by status   ",
                  statuses.empty() ? "-" : absl::StrJoin(statuses, ", "), "\n");
  absl::StrAppend(out, "  retries     ", FormatCount(m.retries()),
                  "   rejected (429) ", FormatCount(m.rejected()), "\n");
  absl::StrAppend(out, "  latency     p50 ", FormatMicros(m.latency_p50_us()),
                  ", p90 ", FormatMicros(m.latency_p90_us()), ", p99 ",
                  FormatMicros(m.latency_p99_us()), ", max ",
                  FormatMicros(m.latency_max_us()), "\n");
  absl::StrAppend(out, "  in flight   per connection (limit ",
                  m.limit_in_flight_connection(), "): ",
                  InFlightLine(m.max_in_flight_connection(),
                               m.limit_in_flight_connection(), paint),
                  "\n");
  absl::StrAppend(out, "              per instance (limit ",
                  m.limit_in_flight_instance(), "): ",
                  InFlightLine(m.max_in_flight_instance(),
                               m.limit_in_flight_instance(), paint),
                  "\n");
  absl::StrAppend(out, "  journal     ", FormatCount(report.events()),
                  " events");
  if (report.journal_overflowed() > 0) {
    absl::StrAppend(
        out, ", ",
        paint(kBoldRed, absl::StrCat(FormatCount(report.journal_overflowed()),
                                     " lost to overflow")));
  }
  absl::StrAppend(out, "\n");
}

}  // namespace

std::string RenderTerminal(const pimsim::v1::Report& report, bool color) {
  const Painter paint(color);
  std::string out = absl::StrCat(paint(kBold, "pimsim compliance report"));
  if (!report.scenario().empty()) {
    absl::StrAppend(&out, ": scenario ",
                    SanitizeForTerminal(report.scenario()));
  }
  if (report.live())
    absl::StrAppend(&out, " ", paint(kYellow, "(live snapshot)"));
  absl::StrAppend(&out, "\n", VerdictLine(report, paint));
  AppendRuleTable(report, paint, &out);
  AppendViolations(report, paint, &out);
  AppendMetrics(report, paint, &out);
  if (report.errors_size() > 0) {
    absl::StrAppend(&out, "\n", paint(kBoldRed, "Errors"), "\n");
    for (const std::string& error : report.errors()) {
      absl::StrAppend(&out, "  - ", SanitizeForTerminal(error), "\n");
    }
  }
  return out;
}

bool ShouldColorFor(bool is_terminal, const char* term, const char* no_color) {
  if (!is_terminal) return false;
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return term != nullptr && term[0] != '\0' && std::strcmp(term, "dumb") != 0;
}

bool ShouldColor(int fd) {
  return ShouldColorFor(isatty(fd) == 1, std::getenv("TERM"),
                        std::getenv("NO_COLOR"));
}

}  // namespace pimsim::report
