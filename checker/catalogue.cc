#include "checker/catalogue.h"

#include <iterator>

#include "checker/rules/rules.h"

namespace pimsim::checker {
namespace {

using pimsim::v1::SEVERITY_ADVICE;
using pimsim::v1::SEVERITY_ERROR;
using pimsim::v1::SEVERITY_WARNING;

constexpr RuleInfo kRules[] = {
    {"concurrency.connection", SEVERITY_ERROR,
     "More requests in flight on one PIM connection than its limit (default 4).",
     "Cap requests in flight per PIM connection at 4 (a semaphore or pool around every call, "
     "token requests included).",
     CheckConcurrencyConnection},
    {"concurrency.instance", SEVERITY_ERROR,
     "More requests in flight on one PIM instance than its limit (default 10).",
     "Cap requests in flight across all connections to one PIM at 10; share the limiter between "
     "the connections of one instance.",
     CheckConcurrencyInstance},
    {"rate.instance", SEVERITY_ERROR,
     "Requests above the instance rate (default 100/s) beyond the allowed burst.",
     "Pace requests under 100 per second per instance (a token bucket shared by every worker), "
     "leaving a margin.",
     CheckRateInstance},
    {"rate.attribute_options", SEVERITY_ERROR,
     "Attribute-option creates and updates above their rate (default 3/s) beyond the burst.",
     "Pace attribute-option creates and updates under 3 per second, separately from the other "
     "requests.",
     CheckRateAttributeOptions},
    {"retry_after.ignored", SEVERITY_ERROR,
     "A retry came back before the Retry-After it was given had elapsed.",
     "Wait at least the Retry-After a 429 or 503 gives (in seconds or as an HTTP date) before "
     "sending that request again.",
     CheckRetryAfterIgnored},
    {"backoff.immediate", SEVERITY_ERROR,
     "Failed requests are retried at once, with no delay.",
     "Wait before retrying a failure: exponential backoff from a base of about 0.5 s.",
     CheckBackoffImmediate},
    {"backoff.not_growing", SEVERITY_ERROR,
     "Retry delays do not grow from one retry to the next (no exponential backoff).",
     "Double the retry delay after each failed attempt, up to a cap (e.g. 0.5 s, 1 s, 2 s ... 30 "
     "s).",
     CheckBackoffNotGrowing},
    {"backoff.no_jitter", SEVERITY_ERROR,
     "Retry delays are identical across requests (no jitter; weak jitter is a warning).",
     "Randomise retry delays (full jitter: a uniform draw between 0 and the backoff cap) so "
     "clients do not retry in step.",
     CheckBackoffNoJitter},
    {"retry.too_many", SEVERITY_ERROR,
     "A request was attempted more times than the maximum (default 1 + 8) or for too long.",
     "Bound retries (at most 1 + 8 attempts or a time budget) and report the failure once it is "
     "spent.",
     CheckRetryTooMany},
    {"retry.non_retryable", SEVERITY_ERROR,
     "A request was retried after a non-retryable 4xx (or a 401 without a new token).",
     "Retry only 408, 429, 5xx, timeouts and disconnects; a 4xx other than 408 and 429 needs a "
     "changed request (a 401 a new token).",
     CheckRetryNonRetryable},
    {"retry.non_idempotent", SEVERITY_ERROR,
     "A non-idempotent write was re-sent blindly after an ambiguous failure.",
     "After an ambiguous failure of a create (POST), read the resource back before sending it "
     "again, or use an idempotent PATCH upsert.",
     CheckRetryNonIdempotent},
    {"request.duplicate_in_flight", SEVERITY_ERROR,
     "The same request was sent again while the first was still in flight.",
     "Do not send a request again while it is still in flight; wait for its outcome (or its "
     "timeout) first.",
     CheckDuplicateInFlight},
    {"throttle.persistent", SEVERITY_ERROR,
     "The client kept over-using: a high share of 429s for several windows in a row.",
     "Slow down when 429s persist: lower the rate and concurrency instead of retrying at the "
     "same pace.",
     CheckThrottlePersistent},
    {"throttle.ignored", SEVERITY_WARNING,
     "The client kept the same request rate right after a 429.",
     "After a 429, pause the whole connection (not only the request that got it) until "
     "Retry-After.",
     CheckThrottleIgnored},
    {"retry.abandoned", SEVERITY_WARNING,
     "Isolated transient failures were not retried.",
     "Retry transient failures (408, 429, 5xx, disconnects) a few times with backoff instead of "
     "giving up at once.",
     CheckRetryAbandoned},
    {"retry.no_budget", SEVERITY_WARNING,
     "During an outage the client retried as much late as early (no retry budget).",
     "Add a retry budget (e.g. retries at most 10% of requests) so an outage does not become a "
     "retry storm.",
     CheckRetryNoBudget},
    {"timeout.none", SEVERITY_WARNING,
     "The client never gave up on a hung response.",
     "Set a total timeout on every request (e.g. 30 to 60 s) and treat its expiry as a retryable "
     "failure.",
     CheckTimeoutNone},
    {"auth.token_churn", SEVERITY_WARNING,
     "The client fetched new tokens instead of reusing or refreshing them.",
     "Get one token per connection, reuse it for every request, and refresh it with the refresh "
     "token before it expires or on a 401.",
     CheckTokenChurn},
    {"batch.unused", SEVERITY_ADVICE,
     "Many single-item writes where a batch endpoint exists.",
     "Send upserts through the batch PATCH endpoint (up to 100 items per request) instead of one "
     "request per item.",
     CheckBatchUnused},
    {"cache.unused", SEVERITY_ADVICE,
     "Unchanging reference data (channels, locales, families, attributes...) re-read "
     "without caching.",
     "Cache reference data (channels, locales, families, attributes, options) for the run "
     "instead of reading it again.",
     CheckCacheUnused},
};

}  // namespace

absl::Span<const RuleInfo> Catalogue() { return absl::MakeConstSpan(kRules); }

int FindRule(absl::string_view id) {
  for (size_t i = 0; i < std::size(kRules); ++i) {
    if (id == kRules[i].id) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace pimsim::checker
