#include "checker/catalogue.h"

#include <iterator>

namespace pimsim::checker {
namespace {

using pimsim::v1::SEVERITY_ADVICE;
using pimsim::v1::SEVERITY_ERROR;
using pimsim::v1::SEVERITY_WARNING;

constexpr RuleInfo kRules[] = {
    {"concurrency.connection", SEVERITY_ERROR,
     "More requests in flight on one PIM connection than its limit (default 4)."},
    {"concurrency.instance", SEVERITY_ERROR,
     "More requests in flight on one PIM instance than its limit (default 10)."},
    {"rate.instance", SEVERITY_ERROR,
     "Requests above the instance rate (default 100/s) beyond the allowed burst."},
    {"rate.attribute_options", SEVERITY_ERROR,
     "Attribute-option creates and updates above their rate (default 3/s) beyond the burst."},
    {"retry_after.ignored", SEVERITY_ERROR,
     "A retry came back before the Retry-After it was given had elapsed."},
    {"backoff.immediate", SEVERITY_ERROR,
     "Failed requests are retried at once, with no delay."},
    {"backoff.not_growing", SEVERITY_ERROR,
     "Retry delays do not grow from one retry to the next (no exponential backoff)."},
    {"backoff.no_jitter", SEVERITY_ERROR,
     "Retry delays are identical across requests (no jitter; weak jitter is a warning)."},
    {"retry.too_many", SEVERITY_ERROR,
     "A request was attempted more times than the maximum (default 1 + 8) or for too long."},
    {"retry.non_retryable", SEVERITY_ERROR,
     "A request was retried after a non-retryable 4xx (or a 401 without a new token)."},
    {"retry.non_idempotent", SEVERITY_ERROR,
     "A non-idempotent write was re-sent blindly after an ambiguous failure."},
    {"request.duplicate_in_flight", SEVERITY_ERROR,
     "The same request was sent again while the first was still in flight."},
    {"throttle.persistent", SEVERITY_ERROR,
     "The client kept over-using: a high share of 429s for several windows in a row."},
    {"throttle.ignored", SEVERITY_WARNING,
     "The client kept the same request rate right after a 429."},
    {"retry.abandoned", SEVERITY_WARNING,
     "Isolated transient failures were not retried."},
    {"retry.no_budget", SEVERITY_WARNING,
     "During an outage the client retried as much late as early (no retry budget)."},
    {"timeout.none", SEVERITY_WARNING,
     "The client never gave up on a hung response."},
    {"auth.token_churn", SEVERITY_WARNING,
     "The client fetched new tokens instead of reusing or refreshing them."},
    {"batch.unused", SEVERITY_ADVICE,
     "Many single-item writes where a batch endpoint exists."},
    {"cache.unused", SEVERITY_ADVICE,
     "Unchanging reference data (channels, locales, families, attributes...) re-read "
     "without caching."},
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
