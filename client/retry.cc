#include "client/retry.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace pimsim::client {
namespace {


int MonthIndex(absl::string_view m) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (m == kMonths[i]) return i + 1;
  }
  return 0;
}

bool ParseClock(absl::string_view s, int* h, int* m, int* sec) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return false;
  for (int i : {0, 1, 3, 4, 6, 7}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  *h = (s[0] - '0') * 10 + (s[1] - '0');
  *m = (s[3] - '0') * 10 + (s[4] - '0');
  *sec = (s[6] - '0') * 10 + (s[7] - '0');
  return *h < 24 && *m < 60 && *sec <= 60;
}

bool ParseInt(absl::string_view s, int* out) {
  if (s.empty() || s.size() > 4) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(s, out);
}

std::optional<absl::Time> Make(int year, int month, int day, int h, int m, int s) {
  if (month < 1 || day < 1 || day > 31) return std::nullopt;
  const absl::CivilSecond cs(year, month, day, h, m, s);
  if (cs.day() != day) return std::nullopt;  // 31 Feb and the like
  return absl::FromCivil(cs, absl::UTCTimeZone());
}

}  // namespace

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

std::optional<absl::Time> ParseHttpDateAnyForm(const std::string& text) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  std::vector<absl::string_view> f;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) f.push_back(s.substr(i, j - i));
    i = j;
  }
  int day, year, h, m, sec;
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (f.size() == 6 && f[0].size() == 4 && f[0].back() == ',' && f[5] == "GMT") {
    const int month = MonthIndex(f[2]);
    if (!ParseInt(f[1], &day) || f[1].size() != 2 || !month || !ParseInt(f[3], &year) ||
        f[3].size() != 4 || !ParseClock(f[4], &h, &m, &sec)) {
      return std::nullopt;
    }
    return Make(year, month, day, h, m, sec);
  }
  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
  if (f.size() == 4 && f[0].size() > 1 && f[0].back() == ',' && f[3] == "GMT" &&
      f[1].size() == 9 && f[1][2] == '-' && f[1][6] == '-') {
    const int month = MonthIndex(f[1].substr(3, 3));
    if (!ParseInt(f[1].substr(0, 2), &day) || !month || !ParseInt(f[1].substr(7, 2), &year) ||
        !ParseClock(f[2], &h, &m, &sec)) {
      return std::nullopt;
    }
    // Two-digit years: RFC 9110 says one more than 50 years ahead is the past.
    year += year < 70 ? 2000 : 1900;
    return Make(year, month, day, h, m, sec);
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  if (f.size() == 5 && f[0].size() == 3) {
    const int month = MonthIndex(f[1]);
    if (!month || !ParseInt(f[2], &day) || f[2].size() > 2 || !ParseClock(f[3], &h, &m, &sec) ||
        !ParseInt(f[4], &year) || f[4].size() != 4) {
      return std::nullopt;
    }
    return Make(year, month, day, h, m, sec);
  }
  return std::nullopt;
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
  std::optional<absl::Time> at = ParseHttpDateAnyForm(std::string(s));
  if (!at) return std::nullopt;
  absl::Duration wait = *at - now;
  if (date_header) {
    if (std::optional<absl::Time> server_now = ParseHttpDateAnyForm(*date_header)) {
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
