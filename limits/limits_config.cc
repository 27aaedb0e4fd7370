#include "limits/limits_config.h"

#include <cmath>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace pimsim {
namespace {

using pimsim::v1::Limits;
using pimsim::v1::RateLimit;
using pimsim::v1::RetryAfterForm;

// Range of google.protobuf.Duration, from duration.proto.
constexpr int64_t kMaxDurationSeconds = 315576000000;

absl::Status InvalidField(std::string_view field, std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(absl::string_view(field.data(), field.size()),
                                                 " ",
                                                 absl::string_view(reason.data(), reason.size())));
}

absl::Status CheckDurationProto(std::string_view field, const google::protobuf::Duration& d) {
  const int64_t s = d.seconds();
  const int32_t n = d.nanos();
  if (s < -kMaxDurationSeconds || s > kMaxDurationSeconds || n <= -1000000000 ||
      n >= 1000000000 || (s > 0 && n < 0) || (s < 0 && n > 0)) {
    return InvalidField(field, absl::StrCat("is not a valid duration (seconds ", s, ", nanos ",
                                            n, ")"));
  }
  return absl::OkStatus();
}

absl::Duration ToDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

RateConfig ResolveRate(const RateLimit& proto, bool present, RateConfig defaults) {
  if (!present) return defaults;
  RateConfig out;
  out.rate = proto.has_requests_per_second() ? proto.requests_per_second() : defaults.rate;
  if (proto.has_burst()) {
    out.burst = proto.burst();
  } else if (std::isfinite(out.rate) && out.rate > 0) {
    out.burst = static_cast<uint32_t>(std::ceil(std::min(out.rate, kMaxRequestsPerSecond)));
  } else {
    out.burst = 1;  // invalid rate; ValidateLimits reports it
  }
  return out;
}

absl::Status CheckRate(std::string_view name, const RateConfig& rate) {
  const std::string field(name);
  if (!std::isfinite(rate.rate)) {
    return InvalidField(field + ".requests_per_second",
                        absl::StrCat("must be finite, got ", rate.rate));
  }
  if (rate.rate <= 0) {
    return InvalidField(field + ".requests_per_second",
                        absl::StrCat("must be > 0, got ", rate.rate));
  }
  if (rate.rate > kMaxRequestsPerSecond) {
    return InvalidField(field + ".requests_per_second",
                        absl::StrCat("must be <= ", kMaxRequestsPerSecond, ", got ", rate.rate));
  }
  if (rate.burst < 1) {
    return InvalidField(field + ".burst", absl::StrCat("must be >= 1, got ", rate.burst));
  }
  if (rate.burst / rate.rate > kMaxBurstSeconds) {
    return InvalidField(field + ".burst",
                        absl::StrCat("must be at most ", kMaxBurstSeconds,
                                     " seconds' worth of requests_per_second (", rate.rate,
                                     "), got ", rate.burst));
  }
  return absl::OkStatus();
}

absl::Status CheckPositive(std::string_view field, absl::Duration d) {
  if (d <= absl::ZeroDuration()) {
    return InvalidField(field, absl::StrCat("must be > 0, got ", absl::FormatDuration(d)));
  }
  return absl::OkStatus();
}

}  // namespace

bool operator==(const EffectiveLimits& a, const EffectiveLimits& b) {
  return a.enabled == b.enabled &&
         a.max_in_flight_per_connection == b.max_in_flight_per_connection &&
         a.max_in_flight_per_instance == b.max_in_flight_per_instance &&
         a.instance_rate == b.instance_rate &&
         a.attribute_option_write_rate == b.attribute_option_write_rate &&
         a.protection_enabled == b.protection_enabled &&
         a.protection_window == b.protection_window &&
         a.protection_max_rejections == b.protection_max_rejections &&
         a.protection_duration == b.protection_duration && a.retry_after == b.retry_after &&
         a.concurrency_retry_after == b.concurrency_retry_after;
}

EffectiveLimits ResolveLimits(const Limits& proto) {
  const EffectiveLimits defaults;
  EffectiveLimits out;
  if (proto.has_enabled()) out.enabled = proto.enabled();
  if (proto.has_max_in_flight_per_connection()) {
    out.max_in_flight_per_connection = proto.max_in_flight_per_connection();
  }
  if (proto.has_max_in_flight_per_instance()) {
    out.max_in_flight_per_instance = proto.max_in_flight_per_instance();
  }
  out.instance_rate =
      ResolveRate(proto.instance_rate(), proto.has_instance_rate(), defaults.instance_rate);
  out.attribute_option_write_rate =
      ResolveRate(proto.attribute_option_write_rate(), proto.has_attribute_option_write_rate(),
                  defaults.attribute_option_write_rate);
  if (proto.has_protection()) {
    const auto& p = proto.protection();
    if (p.has_enabled()) out.protection_enabled = p.enabled();
    if (p.has_window()) out.protection_window = ToDuration(p.window());
    if (p.has_max_rejections()) out.protection_max_rejections = p.max_rejections();
    if (p.has_duration()) out.protection_duration = ToDuration(p.duration());
  }
  out.retry_after = proto.retry_after() == pimsim::v1::RETRY_AFTER_FORM_UNSPECIFIED
                        ? pimsim::v1::RETRY_AFTER_FORM_SECONDS
                        : proto.retry_after();
  return out;
}

Limits LimitsToProto(const EffectiveLimits& limits) {
  auto duration = [](absl::Duration d, google::protobuf::Duration* out) {
    int64_t ns = absl::ToInt64Nanoseconds(d);
    out->set_seconds(ns / 1'000'000'000);
    out->set_nanos(static_cast<int32_t>(ns % 1'000'000'000));
  };
  Limits out;
  out.set_enabled(limits.enabled);
  out.set_max_in_flight_per_connection(limits.max_in_flight_per_connection);
  out.set_max_in_flight_per_instance(limits.max_in_flight_per_instance);
  out.mutable_instance_rate()->set_requests_per_second(limits.instance_rate.rate);
  out.mutable_instance_rate()->set_burst(limits.instance_rate.burst);
  out.mutable_attribute_option_write_rate()->set_requests_per_second(
      limits.attribute_option_write_rate.rate);
  out.mutable_attribute_option_write_rate()->set_burst(limits.attribute_option_write_rate.burst);
  pimsim::v1::Protection* p = out.mutable_protection();
  p->set_enabled(limits.protection_enabled);
  duration(limits.protection_window, p->mutable_window());
  p->set_max_rejections(limits.protection_max_rejections);
  duration(limits.protection_duration, p->mutable_duration());
  out.set_retry_after(limits.retry_after);
  return out;
}

absl::Status ValidateLimits(const Limits& proto) {
  if (proto.has_protection()) {
    const auto& p = proto.protection();
    if (p.has_window()) {
      if (absl::Status s = CheckDurationProto("protection.window", p.window()); !s.ok()) return s;
    }
    if (p.has_duration()) {
      if (absl::Status s = CheckDurationProto("protection.duration", p.duration()); !s.ok()) {
        return s;
      }
    }
  }
  if (!pimsim::v1::RetryAfterForm_IsValid(proto.retry_after())) {
    return InvalidField("retry_after", absl::StrCat("is not a known RetryAfterForm, got ",
                                                    static_cast<int>(proto.retry_after())));
  }
  return ValidateEffectiveLimits(ResolveLimits(proto));
}

absl::Status ValidateEffectiveLimits(const EffectiveLimits& limits) {
  if (absl::Status s = CheckRate("instance_rate", limits.instance_rate); !s.ok()) return s;
  if (absl::Status s = CheckRate("attribute_option_write_rate", limits.attribute_option_write_rate);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckPositive("protection.window", limits.protection_window); !s.ok()) {
    return s;
  }
  if (limits.protection_max_rejections < 1) {
    return InvalidField("protection.max_rejections",
                        absl::StrCat("must be >= 1, got ", limits.protection_max_rejections));
  }
  if (limits.protection_max_rejections > kMaxProtectionRejections) {
    return InvalidField("protection.max_rejections",
                        absl::StrCat("must be <= ", kMaxProtectionRejections, ", got ",
                                     limits.protection_max_rejections));
  }
  if (absl::Status s = CheckPositive("protection.duration", limits.protection_duration);
      !s.ok()) {
    return s;
  }
  if (limits.concurrency_retry_after < absl::ZeroDuration()) {
    return InvalidField("concurrency_retry_after",
                        absl::StrCat("must be >= 0, got ",
                                     absl::FormatDuration(limits.concurrency_retry_after)));
  }
  if (limits.retry_after == pimsim::v1::RETRY_AFTER_FORM_UNSPECIFIED ||
      !pimsim::v1::RetryAfterForm_IsValid(limits.retry_after)) {
    return InvalidField("retry_after", absl::StrCat("must be SECONDS, HTTP_DATE or NONE, got ",
                                                    static_cast<int>(limits.retry_after)));
  }
  return absl::OkStatus();
}

absl::StatusOr<RetryAfterForm> ParseRetryAfterForm(std::string_view text) {
  const std::string lower = absl::AsciiStrToLower(absl::string_view(text.data(), text.size()));
  if (lower == "seconds") return pimsim::v1::RETRY_AFTER_FORM_SECONDS;
  if (lower == "http-date" || lower == "http_date") return pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE;
  if (lower == "none") return pimsim::v1::RETRY_AFTER_FORM_NONE;
  return absl::InvalidArgumentError(
      absl::StrCat("retry-after form must be one of seconds, http-date, none; got \"",
                   absl::string_view(text.data(), text.size()), "\""));
}

std::string_view RetryAfterFormName(RetryAfterForm form) {
  switch (form) {
    case pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE:
      return "http-date";
    case pimsim::v1::RETRY_AFTER_FORM_NONE:
      return "none";
    default:
      return "seconds";
  }
}

}  // namespace pimsim
