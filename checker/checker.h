// The compliance checker: turns a journal of request attempts into a
// verdict on whether the client respected the platform's throttling and
// retry rules (DESIGN.md, "Compliance rules"), with per-rule results,
// violations and their evidence, and the metrics for the report's charts.
//
// Check() is a pure function of its input: no I/O, no clock, no shared
// state. Rules, detection methods and thresholds: checker/README.md.
//
// Thread-safety: Check, Catalogue and ValidateExpectations are safe to call
// from any thread.
//
//   CheckInput in;
//   in.table = &file.events;  // or in.events = &events (JournalEvents in id order)
//   in.limit_changes = file.limit_changes;
//   in.expectations = scenario.expectations();
//   pimsim::v1::Report report = Check(in);
//   return report.verdict() == pimsim::v1::VERDICT_PASS ? 0 : 1;
#ifndef PIMSIM_CHECKER_CHECKER_H_
#define PIMSIM_CHECKER_CHECKER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "checker/attempts.h"
#include "checker/catalogue.h"
#include "checker/expectations.h"
#include "checker/thresholds.h"
#include "journal/event_table.h"
#include "proto/expectations.pb.h"
#include "proto/journal.pb.h"
#include "proto/limits.pb.h"
#include "proto/report.pb.h"

namespace pimsim::checker {

struct CheckInput {
  // Journal events in id order (arrival order), in compact form (what a
  // journal file is read into). Times are microseconds on the mock's clock.
  const journal::EventTable* table = nullptr;
  // Or as protobuf messages (converted to a table first); used when `table`
  // is null. Both null is an empty journal.
  const std::vector<pimsim::v1::JournalEvent>* events = nullptr;
  // Journal events that were lost (overflow): non-zero makes the verdict
  // ERROR (fail closed).
  uint64_t journal_overflowed = 0;
  // The journal's limit changes (Journal::LimitChanges, a journal file's
  // limits lines): each instance is judged against the loosest limits it
  // had (judged_limits.h). An instance with none takes `limits`.
  std::vector<pimsim::v1::LimitChange> limit_changes;
  // Limits in force throughout, per instance name (for the rate and
  // concurrency rules, the Retry-After form, and the charts' reference
  // lines); an instance in neither has the Akeneo defaults.
  std::map<std::string, pimsim::v1::Limits> limits;
  pimsim::v1::Expectations expectations;
  std::string scenario_name;
  // Set when the run itself broke (mock died, command crashed): verdict
  // ERROR with these messages.
  std::vector<std::string> run_errors;
  // Events still in flight are excluded by the caller; if true, the journal
  // is a live snapshot and rules needing "the future" (retry.abandoned) do
  // not judge attempts within max(Retry-After, 60 s) of its end.
  bool live = false;
  // Optional: the scenario's fault rules by name (FaultKindsFromRules), so
  // a truncated response (which keeps its status) counts as a failure.
  // Without it an answered request with a fault is read as a success.
  FaultKinds fault_kinds;
};

// The verdict: ERROR if run_errors is non-empty, events were lost or the
// expectations are invalid (errors[] say why); else FAIL if any violation
// has severity ERROR; else PASS. Every catalogue rule is in `rules`, in
// catalogue order, with an outcome.
pimsim::v1::Report Check(const CheckInput& input);

// The rule catalogue (catalogue.h): id, default severity and one-sentence
// description of every rule, in DESIGN.md order.
//   absl::Span<const RuleInfo> Catalogue();

// Unknown or repeated rule ids, unknown severities, thresholds out of
// range: InvalidArgument naming the field (expectations.h).
//   absl::Status ValidateExpectations(const pimsim::v1::Expectations&);

}  // namespace pimsim::checker

#endif  // PIMSIM_CHECKER_CHECKER_H_
