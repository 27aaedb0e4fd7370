// Escaping for the text formats the reports are written in: XML (JUnit),
// HTML and inline SVG, and the terminal.
//
// Rule messages, connection names and error strings come from the journal and
// ultimately from the client under test, so every renderer passes them through
// one of these before they reach the output.
//
// Thread-safety: pure functions.
//
//   EscapeXml("a < b & \"c\"");         // "a &lt; b &amp; &quot;c&quot;"
//   EscapeXmlAttribute("two\nlines");    // "two&#10;lines"
//   SanitizeForTerminal("\x1b[31mred");  // "[31mred"
#ifndef PIMSIM_REPORT_INTERNAL_ESCAPE_H_
#define PIMSIM_REPORT_INTERNAL_ESCAPE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace pimsim::report::internal {

// Escapes & < > " ' as character references, drops the characters XML 1.0
// forbids (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF) or
// discourages and browsers draw as boxes (DEL and C1 controls), and replaces
// invalid UTF-8 with U+FFFD. The result is safe as XML or HTML text and inside
// a quoted attribute value.
std::string EscapeXml(absl::string_view text);

// As EscapeXml, and also writes tab, LF and CR as character references, so an
// attribute value keeps them instead of being normalised to spaces.
std::string EscapeXmlAttribute(absl::string_view text);

// Drops C0 and C1 control characters and DEL (so a message cannot move the
// cursor or change colours), turns tabs and line breaks into spaces and
// replaces invalid UTF-8 with U+FFFD.
std::string SanitizeForTerminal(absl::string_view text);

}  // namespace pimsim::report::internal

#endif  // PIMSIM_REPORT_INTERNAL_ESCAPE_H_
