#include "report/junit_report.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "report/internal/escape.h"
#include "report/internal/format.h"

namespace pimsim::report {
namespace {

using internal::EscapeXml;
using internal::EscapeXmlAttribute;

// Evidence lines of one rule: what it checks, the measured figure, then one
// line per listed violation.
std::string Evidence(const pimsim::v1::RuleResult& rule,
                     const std::vector<const pimsim::v1::Violation*>& listed,
                     int64_t origin) {
  std::string text;
  if (!rule.description().empty())
    absl::StrAppend(&text, rule.description(), "\n");
  if (!rule.detail().empty()) absl::StrAppend(&text, rule.detail(), "\n");
  if (rule.violations() > 0 && !rule.advice().empty()) {
    absl::StrAppend(&text, "What to change: ", rule.advice(), "\n");
  }
  absl::StrAppend(&text, internal::FormatCount(rule.violations()), " violation",
                  rule.violations() == 1 ? "" : "s", " in ",
                  internal::FormatCount(rule.samples()), " samples\n");
  for (const pimsim::v1::Violation* v : listed) {
    absl::StrAppend(&text, internal::FormatOffset(v->time_us() - origin));
    if (!v->connection().empty())
      absl::StrAppend(&text, " connection=", v->connection());
    if (!v->instance().empty())
      absl::StrAppend(&text, " instance=", v->instance());
    absl::StrAppend(&text, ": ", v->message());
    if (v->event_ids_size() > 0) {
      absl::StrAppend(&text, " [events ", internal::FormatEventIds(*v, 20),
                      "]");
    }
    absl::StrAppend(&text, "\n");
    for (const pimsim::v1::EvidenceLine& line : v->evidence()) {
      absl::StrAppend(&text, "   ");
      for (const internal::EvidenceColumn& column :
           internal::EvidenceColumns()) {
        const std::string value = column.value(line);
        if (!value.empty()) absl::StrAppend(&text, " ", column.prefix, value);
      }
      absl::StrAppend(&text, "\n");
    }
  }
  if (rule.violations() > listed.size()) {
    absl::StrAppend(&text,
                    internal::FormatCount(rule.violations() - listed.size()),
                    " more not listed in the report\n");
  }
  return text;
}

}  // namespace

std::string RenderJunit(const pimsim::v1::Report& report) {
  std::map<std::string, std::vector<const pimsim::v1::Violation*>> by_rule;
  for (const auto& v : report.violations()) by_rule[v.rule()].push_back(&v);
  const int64_t origin = internal::RunOriginMicros(report);

  int tests = 0, failures = 0, errors = 0, skipped = 0;
  std::string cases;
  for (const pimsim::v1::RuleResult& rule : report.rules()) {
    ++tests;
    absl::StrAppend(&cases, "    <testcase classname=\"pimsim.",
                    EscapeXmlAttribute(internal::RuleFamily(rule.rule())),
                    "\" name=\"", EscapeXmlAttribute(rule.rule()),
                    "\" time=\"0\"");
    const auto found = by_rule.find(rule.rule());
    const std::vector<const pimsim::v1::Violation*> listed =
        found == by_rule.end() ? std::vector<const pimsim::v1::Violation*>{}
                               : found->second;
    switch (rule.outcome()) {
      case pimsim::v1::RULE_OUTCOME_PASSED:
        absl::StrAppend(&cases, "/>\n");
        break;
      case pimsim::v1::RULE_OUTCOME_VIOLATED: {
        const std::string evidence = Evidence(rule, listed, origin);
        const pimsim::v1::Severity severity = internal::ViolatedSeverity(rule);
        if (severity == pimsim::v1::SEVERITY_ERROR) {
          ++failures;
          std::string message = absl::StrCat(
              internal::FormatCount(rule.violations()), " violation",
              rule.violations() == 1 ? "" : "s", " of ", rule.rule());
          if (!listed.empty())
            absl::StrAppend(&message, "; first: ", listed.front()->message());
          absl::StrAppend(&cases, ">\n      <failure message=\"",
                          EscapeXmlAttribute(message), "\" type=\"",
                          internal::SeverityLabel(severity), "\">",
                          EscapeXml(evidence), "</failure>\n    </testcase>\n");
        } else {
          absl::StrAppend(
              &cases, ">\n      <system-out>",
              EscapeXml(absl::StrCat(internal::SeverityLabel(severity),
                                     " (does not fail the gate): ", evidence)),
              "</system-out>\n    </testcase>\n");
        }
        break;
      }
      default: {
        ++skipped;
        std::string message = internal::OutcomeLabel(rule.outcome());
        if (!rule.detail().empty())
          absl::StrAppend(&message, ": ", rule.detail());
        absl::StrAppend(&cases, ">\n      <skipped message=\"",
                        EscapeXmlAttribute(message), "\"/>\n    </testcase>\n");
      }
    }
  }
  if (report.verdict() == pimsim::v1::VERDICT_ERROR) {
    ++tests;
    ++errors;
    std::string text;
    for (const std::string& e : report.errors())
      absl::StrAppend(&text, e, "\n");
    if (report.journal_overflowed() > 0) {
      absl::StrAppend(&text, "journal overflowed: ",
                      internal::FormatCount(report.journal_overflowed()),
                      " events lost\n");
    }
    if (text.empty()) text = "the run did not complete\n";
    const std::string message = report.errors_size() > 0
                                    ? report.errors(0)
                                    : "the run did not complete";
    absl::StrAppend(
        &cases,
        "    <testcase classname=\"pimsim\" name=\"run\" time=\"0\">\n"
        "      <error message=\"",
        EscapeXmlAttribute(message), "\" type=\"VERDICT_ERROR\">",
        EscapeXml(text), "</error>\n    </testcase>\n");
  }

  const double seconds = internal::RunMicros(report.metrics()) / 1e6;
  const std::string counts = absl::StrFormat(
      "tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\"",
      tests, failures, errors, skipped, seconds);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  absl::StrAppend(
      &out, "<testsuites name=\"pimsim\" ", counts, ">\n",
      "  <testsuite name=\"pimsim compliance\" ", counts, ">\n",
      "    <properties>\n", "      <property name=\"verdict\" value=\"",
      internal::VerdictLabel(report.verdict()), "\"/>\n",
      "      <property name=\"scenario\" value=\"",
      EscapeXmlAttribute(report.scenario()), "\"/>\n",
      "      <property name=\"events\" value=\"", report.events(), "\"/>\n",
      "      <property name=\"violations_dropped\" value=\"",
      report.violations_dropped(), "\"/>\n", "    </properties>\n", cases,
      "  </testsuite>\n</testsuites>\n");
  return out;
}

}  // namespace pimsim::report
