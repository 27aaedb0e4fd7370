// Thresholds: the detection thresholds of the compliance rules, resolved from
// a scenario's pimsim.v1.Thresholds (unset fields take the rule catalogue's
// defaults), and their validation (expectations.h validates the whole
// Expectations, rule overrides included).
//
// Times are int64 microseconds, the journal's unit, so rules compare them to
// journal timestamps without conversion.
//
// Thread-safety: plain values and pure functions.
//
//   if (absl::Status s = ValidateThresholds(p); !s.ok()) return s;
//   const Thresholds t = ResolveThresholds(p);
//   bool immediate = gap_us < t.epsilon_us;
#ifndef PIMSIM_CHECKER_THRESHOLDS_H_
#define PIMSIM_CHECKER_THRESHOLDS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "proto/expectations.pb.h"

namespace pimsim::checker {

struct Thresholds {
  int64_t epsilon_us = 20'000;
  uint32_t max_attempts = 9;
  int64_t max_retry_span_us = 600'000'000;
  uint32_t min_chains = 5;
  double immediate_retry_share = 0.5;
  double backoff_growth_ratio = 1.2;
  double jitter_cv_violation = 0.02;
  double jitter_cv_weak = 0.15;
  double persistent_429_share = 0.05;
  uint32_t persistent_windows = 3;
  int64_t window_us = 10'000'000;
  double rate_slack = 1.02;
  uint32_t burst_slack = 5;
  uint32_t cache_repeats = 3;
  uint32_t batch_single_writes = 20;
  uint32_t token_grants_per_hour = 5;
  int64_t hang_tolerance_us = 120'000'000;
  double abandoned_share = 0.5;
  double throttle_ignored_ratio = 0.5;
  double duplicate_get_share = 0.01;
  double retry_budget_share = 0.5;
  int64_t outage_min_us = 20'000'000;
};

// Defaults for unset fields. Expects ValidateThresholds to have passed;
// out-of-range values are used as given.
Thresholds ResolveThresholds(const pimsim::v1::Thresholds& proto);

// InvalidArgument naming the offending field ("thresholds.epsilon: must be
// in [0, 10s], got -1s") for a threshold out of range or malformed.
absl::Status ValidateThresholds(const pimsim::v1::Thresholds& thresholds);

}  // namespace pimsim::checker

#endif  // PIMSIM_CHECKER_THRESHOLDS_H_
