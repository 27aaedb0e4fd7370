#include "checker/thresholds.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace pimsim::checker {
namespace {

using google::protobuf::Duration;

constexpr int64_t kMaxDurationSeconds = 315'576'000'000;  // proto Duration range

int64_t Micros(const Duration& d) { return d.seconds() * 1'000'000 + d.nanos() / 1'000; }

std::string ShowDuration(const Duration& d) {
  return absl::StrCat(static_cast<double>(d.seconds()) + d.nanos() / 1e9, "s");
}

absl::Status Bad(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("thresholds.", field, ": ", what));
}

// A set Duration field must be well formed and within [min_us, max_us].
absl::Status CheckDuration(absl::string_view field, bool has, const Duration& d, int64_t min_us,
                           int64_t max_us, absl::string_view range) {
  if (!has) return absl::OkStatus();
  const bool well_formed = d.seconds() >= -kMaxDurationSeconds &&
                           d.seconds() <= kMaxDurationSeconds && d.nanos() > -1'000'000'000 &&
                           d.nanos() < 1'000'000'000 &&
                           !(d.seconds() > 0 && d.nanos() < 0) &&
                           !(d.seconds() < 0 && d.nanos() > 0);
  if (!well_formed) return Bad(field, "malformed duration");
  const int64_t us = Micros(d);
  if (us < min_us || us > max_us) {
    return Bad(field, absl::StrCat("must be in ", range, ", got ", ShowDuration(d)));
  }
  return absl::OkStatus();
}

absl::Status CheckDouble(absl::string_view field, bool has, double v, double min, double max,
                         absl::string_view range) {
  if (!has) return absl::OkStatus();
  if (!(v >= min && v <= max)) {  // also rejects NaN
    return Bad(field, absl::StrCat("must be in ", range, ", got ", v));
  }
  return absl::OkStatus();
}

absl::Status CheckUint(absl::string_view field, bool has, uint32_t v, uint32_t min, uint32_t max,
                       absl::string_view range) {
  if (!has) return absl::OkStatus();
  if (v < min || v > max) return Bad(field, absl::StrCat("must be in ", range, ", got ", v));
  return absl::OkStatus();
}

}  // namespace

Thresholds ResolveThresholds(const pimsim::v1::Thresholds& p) {
  Thresholds t;
  if (p.has_epsilon()) t.epsilon_us = Micros(p.epsilon());
  if (p.has_max_attempts()) t.max_attempts = p.max_attempts();
  if (p.has_max_retry_span()) t.max_retry_span_us = Micros(p.max_retry_span());
  if (p.has_min_chains()) t.min_chains = p.min_chains();
  if (p.has_immediate_retry_share()) t.immediate_retry_share = p.immediate_retry_share();
  if (p.has_backoff_growth_ratio()) t.backoff_growth_ratio = p.backoff_growth_ratio();
  if (p.has_jitter_cv_violation()) t.jitter_cv_violation = p.jitter_cv_violation();
  if (p.has_jitter_cv_weak()) t.jitter_cv_weak = p.jitter_cv_weak();
  if (p.has_persistent_429_share()) t.persistent_429_share = p.persistent_429_share();
  if (p.has_persistent_windows()) t.persistent_windows = p.persistent_windows();
  if (p.has_window()) t.window_us = Micros(p.window());
  if (p.has_rate_slack()) t.rate_slack = p.rate_slack();
  if (p.has_burst_slack()) t.burst_slack = p.burst_slack();
  if (p.has_cache_repeats()) t.cache_repeats = p.cache_repeats();
  if (p.has_batch_single_writes()) t.batch_single_writes = p.batch_single_writes();
  if (p.has_token_grants_per_hour()) t.token_grants_per_hour = p.token_grants_per_hour();
  if (p.has_hang_tolerance()) t.hang_tolerance_us = Micros(p.hang_tolerance());
  if (p.has_abandoned_share()) t.abandoned_share = p.abandoned_share();
  if (p.has_throttle_ignored_ratio()) t.throttle_ignored_ratio = p.throttle_ignored_ratio();
  if (p.has_duplicate_get_share()) t.duplicate_get_share = p.duplicate_get_share();
  if (p.has_retry_budget_share()) t.retry_budget_share = p.retry_budget_share();
  if (p.has_outage_min_duration()) t.outage_min_us = Micros(p.outage_min_duration());
  return t;
}

absl::Status ValidateThresholds(const pimsim::v1::Thresholds& p) {
  constexpr int64_t kHour = 3'600'000'000;
  constexpr double kInf = 1e300;
  constexpr uint32_t kU = 0xffffffffu;
  const absl::Status checks[] = {
      CheckDuration("epsilon", p.has_epsilon(), p.epsilon(), 0, 10'000'000, "[0, 10s]"),
      CheckUint("max_attempts", p.has_max_attempts(), p.max_attempts(), 1, kU, "[1, inf)"),
      CheckDuration("max_retry_span", p.has_max_retry_span(), p.max_retry_span(), 1, 24 * kHour,
                    "(0, 24h]"),
      CheckUint("min_chains", p.has_min_chains(), p.min_chains(), 2, 1'000'000,
                "[2, 1000000]"),
      CheckDouble("immediate_retry_share", p.has_immediate_retry_share(),
                  p.immediate_retry_share(), 0, 1, "[0, 1]"),
      CheckDouble("backoff_growth_ratio", p.has_backoff_growth_ratio(), p.backoff_growth_ratio(),
                  0, 100, "[0, 100]"),
      CheckDouble("jitter_cv_violation", p.has_jitter_cv_violation(), p.jitter_cv_violation(), 0,
                  10, "[0, 10]"),
      CheckDouble("jitter_cv_weak", p.has_jitter_cv_weak(), p.jitter_cv_weak(), 0, 10,
                  "[0, 10]"),
      CheckDouble("persistent_429_share", p.has_persistent_429_share(), p.persistent_429_share(),
                  0, 1, "[0, 1]"),
      CheckUint("persistent_windows", p.has_persistent_windows(), p.persistent_windows(), 1,
                100'000, "[1, 100000]"),
      CheckDuration("window", p.has_window(), p.window(), 1'000, kHour, "[1ms, 1h]"),
      CheckDouble("rate_slack", p.has_rate_slack(), p.rate_slack(), 1, 10, "[1, 10]"),
      CheckUint("burst_slack", p.has_burst_slack(), p.burst_slack(), 0, 1'000'000,
                "[0, 1000000]"),
      CheckUint("batch_single_writes", p.has_batch_single_writes(), p.batch_single_writes(), 1,
                kU, "[1, inf)"),
      CheckDuration("hang_tolerance", p.has_hang_tolerance(), p.hang_tolerance(), 1, 24 * kHour,
                    "(0, 24h]"),
      CheckDouble("abandoned_share", p.has_abandoned_share(), p.abandoned_share(), 0, 1,
                  "[0, 1]"),
      CheckDouble("throttle_ignored_ratio", p.has_throttle_ignored_ratio(),
                  p.throttle_ignored_ratio(), 0, kInf, "[0, inf)"),
      CheckDouble("duplicate_get_share", p.has_duplicate_get_share(), p.duplicate_get_share(), 0,
                  1, "[0, 1]"),
      CheckDouble("retry_budget_share", p.has_retry_budget_share(), p.retry_budget_share(), 0,
                  kInf, "[0, inf)"),
      CheckDuration("outage_min_duration", p.has_outage_min_duration(), p.outage_min_duration(),
                    1'000'000, 24 * kHour, "[1s, 24h]"),
  };
  for (const absl::Status& s : checks) {
    if (!s.ok()) return s;
  }
  const Thresholds t = ResolveThresholds(p);
  if (t.jitter_cv_weak < t.jitter_cv_violation) {
    return Bad("jitter_cv_weak", absl::StrCat("must be >= jitter_cv_violation (",
                                              t.jitter_cv_violation, "), got ",
                                              t.jitter_cv_weak));
  }
  return absl::OkStatus();
}

}  // namespace pimsim::checker
