// The HTML form of a compliance Report: one self-contained file (inline CSS,
// inline SVG charts drawn here; no script, font, stylesheet or image is
// fetched, and a Content-Security-Policy forbids any) that can be attached to
// a CI run or mailed.
//
// It holds: a header with the verdict badge (and a "live snapshot" mark for
// a report on a run still going) and the violated rules counted by the
// severity they were violated at; key figures; charts over the
// run's timeline (request rate against the rate limit, admitted vs rejected;
// peak in flight per connection and per instance against their limits;
// statuses and retries; violations on the timeline, coloured by severity,
// with tooltips); the rule table; the listed violations, each with its
// evidence as a small table (one row per journal event: time, event, method,
// path, status, latency, Retry-After, socket, connection, fault); and the
// errors of an ERROR verdict. A report without a timeline shows
// "no traffic" in place of the charts.
//
// All text from the report is escaped. Laid out for a 1200 px wide window.
//
// Thread-safety: pure function.
//
//   std::ofstream("pimsim-report.html") << pimsim::report::RenderHtml(report);
#ifndef PIMSIM_REPORT_HTML_REPORT_H_
#define PIMSIM_REPORT_HTML_REPORT_H_

#include <cstddef>
#include <string>

#include "proto/report.pb.h"

namespace pimsim::report {

// The in-flight chart draws the connections with the highest peaks, at most
// this many; the legend says how many were left out.
inline constexpr int kHtmlMaxConnectionLines = 6;

// Evidence cells (paths, connection names) longer than this many characters
// lose their middle.
inline constexpr size_t kHtmlEvidenceCellWidth = 160;

// A complete HTML5 document.
std::string RenderHtml(const pimsim::v1::Report& report);

}  // namespace pimsim::report

#endif  // PIMSIM_REPORT_HTML_REPORT_H_
