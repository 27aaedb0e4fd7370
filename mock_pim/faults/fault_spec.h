// Fault rules (pimsim.v1.FaultRule, proto/faults.proto): validation, the
// one-line text form used by `pimsim serve --fault=SPEC` and by the control
// API, and small helpers shared by the injector and the mock.
//
// One-line form: comma-separated items, each `key=value` or a bare `key`.
// Exactly one action item:
//
//   status=CODE             500, 502, 503, 504, 408 or 429
//     retry_after=DURATION    (status only) Retry-After to send
//   disconnect=before|after close the socket without a response, before or
//                           after the request is applied; bare `disconnect`
//                           leaves the point unspecified (= before)
//   truncate | truncate=BYTES
//                           apply, then cut the response body after BYTES
//                           (default: half the body)
//     close=reset|orderly     (disconnect and truncate) RST or FIN
//   hang | hang=MAX         hold the response, at most MAX (default 300s,
//                           at most 1h), then close
//   latency=DURATION | latency=uniform:MIN:MAX | latency=lognormal:MEDIAN:SIGMA[:MAX]
//                           add this much service time
//
// Trigger items (all optional; all that are given must hold):
//
//   p=PROBABILITY  in [0, 1]          every=N  matches N, 2N, 3N, ...
//   first=N        the first N matches after=N  only after the first N
//   from=DURATION  until=DURATION     window since the run (or last reset)
//                                     started: [from, until)
//   phase=NAME     only in this phase max=N    fire at most N times
//
// Match items (all optional; a list is '|'-separated and matches any entry):
//
//   method=GET|POST   route=token|get_item|list|write_item|batch|other
//   path=GLOB         ('*' within a segment, '**' across segments)
//   connection=ID|ID  instance=NAME|NAME
//
// And `name=NAME` ([A-Za-z0-9_.-]{1,64}). Durations are in Abseil's form:
// 250ms, 2s, 1.5s, 1m30s. Methods may be given in any case and are stored in
// upper case. Keys may not repeat. Values cannot contain ',' (nor '|' in
// lists).
//
// Examples:
//
//   status=503,retry_after=2s,p=0.3,method=GET,route=list|get_item,name=flaky-reads
//   disconnect=after,close=reset,method=PATCH|POST,every=10
//   truncate=100,path=/api/rest/v1/products/**,first=1
//   hang=30s,phase=spike,max=3
//   latency=lognormal:200ms:0.5:2s,route=batch
//
// Thread-safety: every function here is pure and thread-safe.
#ifndef PIMSIM_MOCK_PIM_FAULTS_FAULT_SPEC_H_
#define PIMSIM_MOCK_PIM_FAULTS_FAULT_SPEC_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/faults.pb.h"

namespace pimsim {

// Checks one rule. An error is InvalidArgument and names the field, relative
// to the rule, e.g. "trigger.probability must be in [0, 1], got 1.5";
// callers prefix where the rule came from ("faults[3].").
//
// Beyond the ranges in faults.proto, it rejects rules that can never fire
// (trigger.first_n <= trigger.after_n when both are set, an empty window),
// an unset action, ROUTE_KIND_UNSPECIFIED and unknown enum values, empty or
// lower-case methods, empty connection and instance entries, and a path glob
// that does not start with '/' or '*'.
absl::Status ValidateFaultRule(const pimsim::v1::FaultRule& rule);

// Parses the one-line form above into a rule and validates it. Errors are
// InvalidArgument and say which item is wrong and why, e.g.
//   item 3 "p=2": probability must be in [0, 1], got 2
// (callers prefix the source: "--fault item 3 ...").
absl::StatusOr<pimsim::v1::FaultRule> ParseFaultSpec(std::string_view spec);

// The one-line form of `rule`: ParseFaultSpec(FormatFaultSpec(r)) equals r
// for every valid r whose strings are expressible (no ',' anywhere, no '|' in
// list entries). Items come in a fixed order: action, action options,
// trigger, match, name.
std::string FormatFaultSpec(const pimsim::v1::FaultRule& rule);

// `value` in double quotes for an error message, cut to 64 bytes (with its
// size): a message quotes what a request held, and a request may hold
// megabytes.
std::string QuoteValue(std::string_view value);

// The hang default and cap (faults.proto: HangFault.max).
inline constexpr absl::Duration kDefaultHangMax = absl::Seconds(300);
inline constexpr absl::Duration kMaxHangMax = absl::Hours(1);
// Longest match.path glob, and most methods, connections or instances one
// match lists (ValidateFaultRule).
inline constexpr size_t kMaxPathGlobBytes = 1024;
inline constexpr int kMaxMatchValues = 64;

// How long a hang holds the response: `max`, or the default when unset.
absl::Duration HangMax(const pimsim::v1::HangFault& hang);

// The counter name of an action: "status_503", "disconnect_before",
// "disconnect_after", "truncate", "hang", "latency"; "none" if unset.
std::string FaultKindName(const pimsim::v1::FaultAction& action);

}  // namespace pimsim

#endif  // PIMSIM_MOCK_PIM_FAULTS_FAULT_SPEC_H_
