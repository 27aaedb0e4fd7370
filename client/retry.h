// The retry decisions of the client core, as pure functions: which failures
// are transient, how long a Retry-After asks to wait, the full-jitter
// backoff, and the retry budget.
//
//   std::optional<absl::Duration> w = ParseRetryAfter("120", now);   // 120 s
//   w = ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now);       // 0 (past)
//   absl::Duration d = FullJitterBackoff(policy, /*retry=*/3, rng);
#ifndef PIMSIM_CLIENT_RETRY_H_
#define PIMSIM_CLIENT_RETRY_H_

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "client/policy.h"
#include "client/transport.h"
#include "common/random.h"

namespace pimsim::client {

// 408, 429 and every 5xx.
bool IsTransientStatus(int status);
// Transient, or (with policy.retry_4xx) one of the client errors a broken
// client would retry. Never 401 (handled by a token refresh) nor 2xx/3xx.
bool ShouldRetryStatus(int status, const Policy& policy);

// The wait a Retry-After value asks for: delta-seconds ("120"), or an
// HTTP-date in any of RFC 9110's three forms (common/http_date.h), measured
// from `now`; a date in the past waits 0. When the response's Date header
// is given, a date is measured from it too and the longer wait is kept (a
// server clock ahead of ours, or a Date truncated to the second, never makes
// the client early). nullopt for a missing, empty
// or unparsable value (garbage, negative or fractional numbers); a number
// too large to hold is InfiniteDuration (wait forever: give up).
std::optional<absl::Duration> ParseRetryAfter(const std::string& value, absl::Time now,
                                              const std::string* date_header = nullptr);

// The wait before retry number `retry` (1 = the first retry): with jitter a
// uniform draw in [0, min(cap, base * 2^(retry-1))), without it that cap;
// zero when policy.backoff is off.
absl::Duration FullJitterBackoff(const Policy& policy, int retry, SplitMix64& rng);

// gRPC-style retry throttling as a token bucket that also refills with time
// (see Policy::retry_budget_*). Time comes from the caller.
class RetryBudget {
 public:
  RetryBudget(const Policy& policy, absl::Time now);
  bool enabled() const { return capacity_ > 0; }
  // Spends a token if one is there; false otherwise.
  bool TrySpend(absl::Time now);
  // When the next token will be there (now if one is).
  absl::Time NextToken(absl::Time now);
  void OnSuccess();
  double tokens(absl::Time now);

 private:
  void Refill(absl::Time now);
  double capacity_;
  double success_ratio_;
  double refill_per_s_;
  double tokens_;
  absl::Time updated_;
};

}  // namespace pimsim::client

#endif  // PIMSIM_CLIENT_RETRY_H_
