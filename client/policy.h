// Policy: every behaviour of the reference client, as data, with presets.
//
// The defaults are the compliant client: Akeneo's documented limits with a
// 2% safety margin, full-jitter exponential backoff, Retry-After honoured,
// a retry budget, read-back before re-sending an ambiguous create. The other
// presets switch one safety off each (or all, "naive") so the same client
// can play a misbehaving integration in the checker's end-to-end tests.
//
//   absl::StatusOr<Policy> p = PolicyPreset("no-jitter");
#ifndef PIMSIM_CLIENT_POLICY_H_
#define PIMSIM_CLIENT_POLICY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "limits/limits_config.h"

namespace pimsim::client {

struct Policy {
  // --- Throttle (0 = unlimited) ---
  int max_in_flight_per_connection = kAkeneoMaxInFlightPerConnection;
  int max_in_flight_per_instance = kAkeneoMaxInFlightPerInstance;
  // Requests per second per instance, every route (0 = unpaced) ...
  double instance_rate = kAkeneoRequestsPerSecond;
  // ... and attribute-option creates/updates per second per instance.
  double attribute_option_rate = kAkeneoAttributeOptionWritesPerSecond;
  // Pacing runs this fraction under the rates above.
  double safety_margin = 0.02;
  // A 429 holds every request of its connection until its Retry-After.
  bool pause_connection_on_429 = true;

  // --- Retry ---
  // Attempts of one request, the first included (1 = never retry).
  int max_attempts = 9;
  // Full jitter: retry k waits a uniform draw in [0, min(cap, base * 2^(k-1))).
  absl::Duration backoff_base = absl::Milliseconds(500);
  absl::Duration backoff_cap = absl::Seconds(30);
  bool jitter = true;         // false: wait the whole cap (lockstep retries)
  bool backoff = true;        // false: retry at once
  bool honour_retry_after = true;
  // A 429 without Retry-After waits this long more than the backoff.
  absl::Duration min_429_wait = absl::Seconds(1);
  // Retry 400/403/404/405/406/410/415/422 too (a broken client; never on).
  bool retry_4xx = false;
  // A request stops being retried this long after its first attempt.
  absl::Duration max_retry_duration = absl::Minutes(5);
  // Retry budget per instance (gRPC's retry throttling): a token bucket of
  // `retry_budget_tokens`; a retry spends one, a success earns
  // `retry_budget_success_ratio`, and time earns `retry_budget_refill_per_s`.
  // A retry with no token left waits for one (counted as budget_exhausted),
  // so an outage slows retries down instead of multiplying them. 0 = off.
  double retry_budget_tokens = 20;
  double retry_budget_success_ratio = 0.2;
  double retry_budget_refill_per_s = 1;
  // After an ambiguous failure of a POST create (no answer once the request
  // was sent, or 500/502/504), read the resource back and re-send only if
  // it is absent. false: re-send blindly.
  bool verify_ambiguous_creates = true;

  // --- Token ---
  // Refresh this long before the token's expiry.
  absl::Duration token_refresh_margin = absl::Seconds(60);
  // false: a new token for every request (token churn).
  bool reuse_token = true;

  // --- Timeouts ---
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration request_timeout = absl::Seconds(60);

  // --- Reading ---
  // Reference data (channels, locales, currencies, families, attributes,
  // attribute options, ...) answered from a cache this long. 0 = no cache.
  absl::Duration reference_cache_ttl = absl::Minutes(5);
};

// Names of the presets, in the order `--help` lists them.
const std::vector<std::string>& PresetNames();
// One line per preset: what it turns off.
std::string PresetHelp();
// compliant, naive, no-backoff, ignore-retry-after, no-jitter,
// unlimited-concurrency, blind-post-retry, retry-4xx. InvalidArgument
// naming the presets for any other name.
absl::StatusOr<Policy> PolicyPreset(const std::string& name);

}  // namespace pimsim::client

#endif  // PIMSIM_CLIENT_POLICY_H_
