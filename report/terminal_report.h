// The terminal summary of a compliance Report: the verdict, a table of every
// rule, the first violations of each rule with their evidence, the key
// metrics against the limits, and the errors that made a run ERROR.
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

#include <string>

#include "proto/report.pb.h"

namespace pimsim::report {

// How many violations of each rule the summary lists; the rest are counted.
inline constexpr int kTerminalViolationsPerRule = 3;

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
