// The compliance rules, one function per catalogue entry (catalogue.cc names
// each rule's function beside its id), grouped by family in concurrency.cc,
// rate.cc, retry_after.cc, backoff.cc, retries.cc, throttle.cc and
// requests.cc. Each reads an Analysis and
// writes its verdict into a RuleRecorder; the detection methods and
// tolerances are documented at each function (and in README.md).
//
// Thread-safety: pure functions of the Analysis.
//
//   Catalogue()[FindRule("backoff.no_jitter")].check(analysis, recorder);
#ifndef PIMSIM_CHECKER_RULES_RULES_H_
#define PIMSIM_CHECKER_RULES_RULES_H_

#include "checker/rules/analysis.h"

namespace pimsim::checker {

// concurrency.cc: in-flight count at an arrival (in_flight.h) above the
// limit. One violation per episode: consecutive over-limit arrivals of one
// connection (instance), listed at its peak.
void CheckConcurrencyConnection(const Analysis& a, RuleRecorder& rec);
void CheckConcurrencyInstance(const Analysis& a, RuleRecorder& rec);

// rate.cc: arrivals replayed through GCRA(rate * rate_slack, burst +
// burst_slack). One violation per episode of non-conformant arrivals less
// than 1 s apart.
void CheckRateInstance(const Analysis& a, RuleRecorder& rec);
void CheckRateAttributeOptions(const Analysis& a, RuleRecorder& rec);

// retry_after.cc.
void CheckRetryAfterIgnored(const Analysis& a, RuleRecorder& rec);

// backoff.cc: statistical, over retry chains; undecided under min_chains.
void CheckBackoffImmediate(const Analysis& a, RuleRecorder& rec);
void CheckBackoffNotGrowing(const Analysis& a, RuleRecorder& rec);
void CheckBackoffNoJitter(const Analysis& a, RuleRecorder& rec);

// retries.cc.
void CheckRetryTooMany(const Analysis& a, RuleRecorder& rec);
void CheckRetryNonRetryable(const Analysis& a, RuleRecorder& rec);
void CheckRetryNonIdempotent(const Analysis& a, RuleRecorder& rec);
void CheckRetryAbandoned(const Analysis& a, RuleRecorder& rec);
void CheckRetryNoBudget(const Analysis& a, RuleRecorder& rec);

// throttle.cc.
void CheckThrottlePersistent(const Analysis& a, RuleRecorder& rec);
void CheckThrottleIgnored(const Analysis& a, RuleRecorder& rec);

// requests.cc.
void CheckDuplicateInFlight(const Analysis& a, RuleRecorder& rec);
void CheckTimeoutNone(const Analysis& a, RuleRecorder& rec);
void CheckTokenChurn(const Analysis& a, RuleRecorder& rec);
void CheckBatchUnused(const Analysis& a, RuleRecorder& rec);
void CheckCacheUnused(const Analysis& a, RuleRecorder& rec);

}  // namespace pimsim::checker

#endif  // PIMSIM_CHECKER_RULES_RULES_H_
