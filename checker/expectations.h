// Validation of a scenario's pimsim.v1.Expectations: its rule overrides
// against the rule catalogue (catalogue.h) and its thresholds
// (thresholds.h).
//
// Thread-safety: a pure function.
//
//   if (absl::Status s = ValidateExpectations(scenario.expectations()); !s.ok()) return s;
#ifndef PIMSIM_CHECKER_EXPECTATIONS_H_
#define PIMSIM_CHECKER_EXPECTATIONS_H_

#include "absl/status/status.h"
#include "proto/expectations.pb.h"

namespace pimsim::checker {

// InvalidArgument naming the offending field ("rules[2].rule: unknown rule id
// \"x\"", "thresholds.epsilon: must be in [0, 10s], got -1s") for unknown or
// repeated rule ids, unknown severities and thresholds out of range.
absl::Status ValidateExpectations(const pimsim::v1::Expectations& expectations);

}  // namespace pimsim::checker

#endif  // PIMSIM_CHECKER_EXPECTATIONS_H_
