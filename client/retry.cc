#include "client/retry.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "common/http_date.h"

namespace pimsim::client {

bool IsTransientStatus(int status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

bool ShouldRetryStatus(int status, const Policy& policy) {
  if (IsTransientStatus(status)) return true;
  if (!policy.retry_4xx) return false;
  switch (status) {
    case 400: case 403: case 404: case 405: case 406: case 410: case 415: case 422:
      return true;
    default:
      return false;
  }
}

std::optional<absl::Duration> ParseRetryAfter(const std::string& value, absl::Time now,
                                              const std::string* date_header) {
  absl::string_view s = absl::StripAsciiWhitespace(value);
  if (s.empty()) return std::nullopt;
  if (std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); })) {
    // However long: the caller decides whether to wait or give up (a huge
    // value must not read as "no header" and bring the client back early).
    int64_t seconds;
    if (s.size() > 15 || !absl::SimpleAtoi(s, &seconds)) return absl::InfiniteDuration();
    return absl::Seconds(seconds);
  }
  std::optional<absl::Time> at = ParseHttpDate(s);
  if (!at) return std::nullopt;
  absl::Duration wait = *at - now;
  if (date_header) {
    if (std::optional<absl::Time> server_now = ParseHttpDate(*date_header)) {
      wait = std::max(wait, *at - *server_now);
    }
  }
  return std::max(wait, absl::ZeroDuration());
}

absl::Duration FullJitterBackoff(const Policy& policy, int retry, SplitMix64& rng) {
  if (!policy.backoff || retry < 1) return absl::ZeroDuration();
  // base * 2^(retry-1), capped; the exponent is bounded before it overflows.
  const double factor = std::ldexp(1.0, std::min(retry - 1, 40));
  const absl::Duration cap = std::min(policy.backoff_cap, policy.backoff_base * factor);
  if (!policy.jitter) return cap;
  // 53 random bits as a double in [0, 1).
  const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
  return cap * u;
}

RetryBudget::RetryBudget(const Policy& policy, absl::Time now)
    : capacity_(policy.retry_budget_tokens),
      success_ratio_(policy.retry_budget_success_ratio),
      refill_per_s_(policy.retry_budget_refill_per_s),
      tokens_(policy.retry_budget_tokens),
      updated_(now) {}

void RetryBudget::Refill(absl::Time now) {
  if (now > updated_) {
    tokens_ = std::min(capacity_, tokens_ + absl::ToDoubleSeconds(now - updated_) * refill_per_s_);
    updated_ = now;
  }
}

bool RetryBudget::TrySpend(absl::Time now) {
  if (!enabled()) return true;
  Refill(now);
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

absl::Time RetryBudget::NextToken(absl::Time now) {
  if (!enabled()) return now;
  Refill(now);
  if (tokens_ >= 1) return now;
  if (refill_per_s_ <= 0) return absl::InfiniteFuture();
  return now + absl::Seconds((1 - tokens_) / refill_per_s_);
}

void RetryBudget::OnSuccess() {
  if (enabled()) tokens_ = std::min(capacity_, tokens_ + success_ratio_);
}

double RetryBudget::tokens(absl::Time now) {
  Refill(now);
  return tokens_;
}

}  // namespace pimsim::client
