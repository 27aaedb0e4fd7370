// A realistic compliance Report for the renderers' tests and the browser
// check: a two-minute catalogue import that FAILs, with the whole rule
// catalogue in mixed outcomes (backoff.no_jitter, an error rule, violated
// only at warning severity), violations with their evidence lines (one with
// 12, a request without response among them), 120 one-second timeline
// buckets (a rate burst, a 503 outage with retries) and three PIM
// connections, one of which goes over the concurrency limit.
//
// Test-only. Deterministic: every call returns the same report.
//
//   pimsim::v1::Report report = pimsim::report::MakeSampleReport();
//   std::string html = pimsim::report::RenderHtml(report);
#ifndef PIMSIM_REPORT_SAMPLE_REPORT_H_
#define PIMSIM_REPORT_SAMPLE_REPORT_H_

#include "proto/report.pb.h"

namespace pimsim::report {

pimsim::v1::Report MakeSampleReport();

}  // namespace pimsim::report

#endif  // PIMSIM_REPORT_SAMPLE_REPORT_H_
