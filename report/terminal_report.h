// The terminal summary of a compliance Report: the verdict (and whether the
// report is a live snapshot of a run still going), a table of every rule, the
// first violations of each rule with their evidence, the key metrics against
// the limits, and the errors that made a run ERROR.
//
// Violated rules are counted by the severity they were violated at
// (RuleResult.violated_severity): an error rule broken only at warning
// severity counts as a warning, so a PASS never reads "1 error rule
// violated". Under each listed violation, its evidence: one aligned line per
// journal event (time since the start, event id, method, path, status,
// latency, Retry-After, socket, connection, fault).
//
// Text from the journal (messages, connection names) is stripped of control
// characters, so a client under test cannot move the cursor or recolour the
// terminal. Colour is ANSI SGR only, and only when asked for.
//
// Thread-safety: pure functions, apart from ShouldColor reading the
// environment.
//
//   const bool color = pimsim::report::ShouldColor(STDOUT_FILENO);
//   std::cout << pimsim::report::RenderTerminal(report, color);
#ifndef PIMSIM_REPORT_TERMINAL_REPORT_H_
#define PIMSIM_REPORT_TERMINAL_REPORT_H_

#include <cstddef>
#include <string>

#include "proto/report.pb.h"

namespace pimsim::report {

// How many violations of each rule the summary lists; the rest are counted.
inline constexpr int kTerminalViolationsPerRule = 3;
// Evidence lines under each listed violation, at most; then "... N more".
inline constexpr int kTerminalEvidencePerViolation = 8;
// Evidence cells (paths, connection names) longer than this many characters
// lose their middle.
inline constexpr size_t kTerminalEvidenceCellWidth = 60;

// The summary, lines ending in '\n'. With `color`, verdict, outcomes and
// figures over a limit are coloured.
std::string RenderTerminal(const pimsim::v1::Report& report, bool color);

// Whether output to `fd` should be coloured: `fd` is a terminal, TERM is set
// and not "dumb", and NO_COLOR is unset or empty (https://no-color.org).
bool ShouldColor(int fd);

// ShouldColor's decision from its inputs; null means the variable is unset.
bool ShouldColorFor(bool is_terminal, const char* term, const char* no_color);

}  // namespace pimsim::report

#endif  // PIMSIM_REPORT_TERMINAL_REPORT_H_
