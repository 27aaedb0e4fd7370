#include "checker/rules/rules.h"

namespace pimsim::checker {
namespace {

struct Entry {
  absl::string_view id;
  RuleFn fn;
};

constexpr Entry kFunctions[] = {
    {"concurrency.connection", CheckConcurrencyConnection},
    {"concurrency.instance", CheckConcurrencyInstance},
    {"rate.instance", CheckRateInstance},
    {"rate.attribute_options", CheckRateAttributeOptions},
    {"retry_after.ignored", CheckRetryAfterIgnored},
    {"backoff.immediate", CheckBackoffImmediate},
    {"backoff.not_growing", CheckBackoffNotGrowing},
    {"backoff.no_jitter", CheckBackoffNoJitter},
    {"retry.too_many", CheckRetryTooMany},
    {"retry.non_retryable", CheckRetryNonRetryable},
    {"retry.non_idempotent", CheckRetryNonIdempotent},
    {"request.duplicate_in_flight", CheckDuplicateInFlight},
    {"throttle.persistent", CheckThrottlePersistent},
    {"throttle.ignored", CheckThrottleIgnored},
    {"retry.abandoned", CheckRetryAbandoned},
    {"retry.no_budget", CheckRetryNoBudget},
    {"timeout.none", CheckTimeoutNone},
    {"auth.token_churn", CheckTokenChurn},
    {"batch.unused", CheckBatchUnused},
    {"cache.unused", CheckCacheUnused},
};

}  // namespace

RuleFn RuleFunction(absl::string_view id) {
  for (const Entry& e : kFunctions) {
    if (e.id == id) return e.fn;
  }
  return nullptr;
}

}  // namespace pimsim::checker
