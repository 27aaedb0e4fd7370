// The JUnit XML form of a compliance Report, so CI systems (Jenkins, GitLab,
// GitHub test reporters) show one test case per rule.
//
//   <testsuites> / one <testsuite name="pimsim compliance"> / per rule
//   <testcase classname="pimsim.<family>" name="<rule id>">, where the family
//   is the id up to its first dot ("pimsim.backoff" for "backoff.immediate").
//
// Outcomes map as follows, by the severity the rule was violated at
// (RuleResult.violated_severity, else the rule's severity):
//   - violated at error severity: <failure type="error">, the message naming
//     the count and first violation, the text listing the evidence (time,
//     connection, message, journal event ids, then one line per journal
//     event: time, method, path, status, Retry-After, socket, fault...);
//   - violated at warning or advice severity (an error rule broken only at
//     warning severity included): a passed test case with the same evidence
//     in <system-out>. Such a report's verdict can still be PASS, and the
//     JUnit view mirrors the gate rather than turning the build red on
//     advice; the evidence stays one click away in the CI's test details;
//   - undecided, disabled (or no outcome): <skipped message="...">;
//   - passed: an empty test case.
// A report whose verdict is ERROR gets one more test case, "run", holding an
// <error> that lists report.errors, so a broken run never reads as green.
//
// All text is escaped; characters XML 1.0 forbids are dropped.
//
// Thread-safety: pure function.
//
//   std::ofstream("pimsim-junit.xml") << pimsim::report::RenderJunit(report);
#ifndef PIMSIM_REPORT_JUNIT_REPORT_H_
#define PIMSIM_REPORT_JUNIT_REPORT_H_

#include <string>

#include "proto/report.pb.h"

namespace pimsim::report {

// The document, UTF-8 with an XML declaration, ending in a newline.
std::string RenderJunit(const pimsim::v1::Report& report);

}  // namespace pimsim::report

#endif  // PIMSIM_REPORT_JUNIT_REPORT_H_
