// Limits configuration: the proto `pimsim.v1.Limits` with its documented
// defaults applied (EffectiveLimits), its validation, and the parsing of the
// Retry-After form used on the command line.
//
// EffectiveLimits is a plain value: resolve it once from the proto, then hand
// it to AdmissionController (at start or at run time through SetLimits).
// Default-constructed, it holds the Akeneo defaults.
//
// Thread-safety: pure functions and a value type; safe from any thread.
//
//   if (absl::Status s = ValidateLimits(proto); !s.ok()) return s;
//   EffectiveLimits limits = ResolveLimits(proto);
//   AdmissionController admission(limits);
#ifndef PIMSIM_LIMITS_LIMITS_CONFIG_H_
#define PIMSIM_LIMITS_LIMITS_CONFIG_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/limits.pb.h"

namespace pimsim {

// Akeneo's documented limits: the defaults of pimsim.v1.Limits, which the
// mock enforces, the checker judges against and the reference client keeps
// under (each written here only).
inline constexpr uint32_t kAkeneoMaxInFlightPerConnection = 4;
inline constexpr uint32_t kAkeneoMaxInFlightPerInstance = 10;
inline constexpr double kAkeneoRequestsPerSecond = 100;
inline constexpr uint32_t kAkeneoBurst = 100;
inline constexpr double kAkeneoAttributeOptionWritesPerSecond = 3;
inline constexpr uint32_t kAkeneoAttributeOptionBurst = 3;

// A GCRA rate: `rate` requests per second sustained, `burst` back to back
// after an idle period.
struct RateConfig {
  double rate = kAkeneoRequestsPerSecond;
  uint32_t burst = kAkeneoBurst;

  friend bool operator==(const RateConfig& a, const RateConfig& b) {
    return a.rate == b.rate && a.burst == b.burst;
  }
  friend bool operator!=(const RateConfig& a, const RateConfig& b) { return !(a == b); }
};

// Every limit with its value decided. The member defaults are the documented
// Akeneo limits, so `EffectiveLimits{}` == `ResolveLimits(Limits())`.
struct EffectiveLimits {
  bool enabled = true;
  // 0 means unlimited.
  uint32_t max_in_flight_per_connection = kAkeneoMaxInFlightPerConnection;
  // 0 means unlimited.
  uint32_t max_in_flight_per_instance = kAkeneoMaxInFlightPerInstance;
  RateConfig instance_rate = {kAkeneoRequestsPerSecond, kAkeneoBurst};
  RateConfig attribute_option_write_rate = {kAkeneoAttributeOptionWritesPerSecond,
                                            kAkeneoAttributeOptionBurst};
  bool protection_enabled = true;
  absl::Duration protection_window = absl::Seconds(10);
  uint32_t protection_max_rejections = 200;
  absl::Duration protection_duration = absl::Seconds(30);
  // Never RETRY_AFTER_FORM_UNSPECIFIED once resolved.
  pimsim::v1::RetryAfterForm retry_after = pimsim::v1::RETRY_AFTER_FORM_SECONDS;
  // The wait suggested by a concurrency 429: an in-flight request has to
  // finish first, which takes about one service time. Not in the proto yet.
  absl::Duration concurrency_retry_after = absl::Seconds(1);

  friend bool operator==(const EffectiveLimits& a, const EffectiveLimits& b);
  friend bool operator!=(const EffectiveLimits& a, const EffectiveLimits& b) {
    return !(a == b);
  }
};

// Applies the defaults documented in limits.proto to every unset field. Does
// not validate: call ValidateLimits first (out-of-range values pass through).
EffectiveLimits ResolveLimits(const pimsim::v1::Limits& limits);

// OK if every set field is in range. The error names the first bad field and
// why, e.g. "instance_rate.requests_per_second must be > 0, got -1".
absl::Status ValidateLimits(const pimsim::v1::Limits& limits);

// The proto form of resolved limits, every field set: ResolveLimits of the
// result gives `limits` back.
pimsim::v1::Limits LimitsToProto(const EffectiveLimits& limits);

// Checks a resolved value with the same rules (for limits built in code).
absl::Status ValidateEffectiveLimits(const EffectiveLimits& limits);

// "seconds", "http-date" or "none" (case-insensitive; "http_date" is accepted
// too), as in `--retry-after=http-date`.
absl::StatusOr<pimsim::v1::RetryAfterForm> ParseRetryAfterForm(std::string_view text);

// The inverse of ParseRetryAfterForm: "seconds", "http-date" or "none".
std::string_view RetryAfterFormName(pimsim::v1::RetryAfterForm form);

// Bounds the GCRA arithmetic (integer nanoseconds) stays exact within.
inline constexpr double kMaxRequestsPerSecond = 1e9;
inline constexpr double kMaxBurstSeconds = 1e6;  // burst / rate
// Each connection that gets a 429 keeps this many timestamps.
inline constexpr uint32_t kMaxProtectionRejections = 1000000;

}  // namespace pimsim

#endif  // PIMSIM_LIMITS_LIMITS_CONFIG_H_
