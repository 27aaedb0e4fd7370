#include "client/workload_spec.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace pimsim::client {
namespace {

absl::Status FieldError(const std::string& field, const std::string& reason) {
  return absl::InvalidArgumentError(absl::StrCat("workload.reference.", field, ": ", reason));
}

absl::Duration ToAbsl(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

}  // namespace

absl::StatusOr<Policy> PolicyFromProto(const pimsim::v1::ClientPolicy& p) {
  absl::StatusOr<Policy> base = PolicyPreset(p.preset().empty() ? "compliant" : p.preset());
  if (!base.ok()) return FieldError("policy.preset", std::string(base.status().message()));
  Policy policy = *base;
  if (p.has_max_in_flight_per_connection()) {
    if (p.max_in_flight_per_connection() > 1000) {
      return FieldError("policy.max_in_flight_per_connection", "at most 1000 (0 = unlimited)");
    }
    policy.max_in_flight_per_connection = static_cast<int>(p.max_in_flight_per_connection());
  }
  if (p.has_max_in_flight_per_instance()) {
    if (p.max_in_flight_per_instance() > 10000) {
      return FieldError("policy.max_in_flight_per_instance", "at most 10000 (0 = unlimited)");
    }
    policy.max_in_flight_per_instance = static_cast<int>(p.max_in_flight_per_instance());
  }
  if (p.has_requests_per_second()) {
    if (!std::isfinite(p.requests_per_second()) || p.requests_per_second() < 0 ||
        p.requests_per_second() > 1e6) {
      return FieldError("policy.requests_per_second", "must be in [0, 1000000] (0 = unpaced)");
    }
    policy.instance_rate = p.requests_per_second();
  }
  if (p.has_safety_margin()) {
    if (!(p.safety_margin() >= 0 && p.safety_margin() <= 0.5)) {
      return FieldError("policy.safety_margin", "must be in [0, 0.5]");
    }
    policy.safety_margin = p.safety_margin();
  }
  if (p.has_max_attempts()) {
    if (p.max_attempts() < 1 || p.max_attempts() > 100) {
      return FieldError("policy.max_attempts", "must be 1 to 100");
    }
    policy.max_attempts = static_cast<int>(p.max_attempts());
  }
  const std::pair<const char*, const google::protobuf::Duration*> durations[] = {
      {"backoff_base", p.has_backoff_base() ? &p.backoff_base() : nullptr},
      {"backoff_cap", p.has_backoff_cap() ? &p.backoff_cap() : nullptr},
      {"request_timeout", p.has_request_timeout() ? &p.request_timeout() : nullptr}};
  for (const auto& [name, d] : durations) {
    if (d == nullptr) continue;
    const absl::Duration v = ToAbsl(*d);
    if (v <= absl::ZeroDuration() || v > absl::Hours(1)) {
      return FieldError(absl::StrCat("policy.", name), "must be > 0 and at most 1h");
    }
  }
  if (p.has_backoff_base()) policy.backoff_base = ToAbsl(p.backoff_base());
  if (p.has_backoff_cap()) policy.backoff_cap = ToAbsl(p.backoff_cap());
  if (p.has_request_timeout()) policy.request_timeout = ToAbsl(p.request_timeout());
  if (policy.backoff_cap < policy.backoff_base) {
    return FieldError("policy.backoff_cap", "must not be under backoff_base");
  }
  if (p.has_retry_budget_tokens()) {
    if (!(p.retry_budget_tokens() >= 0 && p.retry_budget_tokens() <= 1e6)) {
      return FieldError("policy.retry_budget_tokens", "must be in [0, 1000000] (0 = no budget)");
    }
    policy.retry_budget_tokens = p.retry_budget_tokens();
  }
  return policy;
}

absl::Status ValidateReferenceWorkload(const pimsim::v1::ReferenceWorkload& w, int connections) {
  constexpr uint64_t kMaxItems = 100'000'000;
  if (w.has_products() && (w.products() < 1 || w.products() > kMaxItems)) {
    return FieldError("products", "must be 1 to 100000000");
  }
  if (w.has_batch_size() && (w.batch_size() < 1 || w.batch_size() > 100)) {
    return FieldError("batch_size", "must be 1 to 100 (the batch endpoint's limit)");
  }
  if (w.has_options() && (w.options() < 1 || w.options() > 1'000'000)) {
    return FieldError("options", "must be 1 to 1000000");
  }
  if (w.has_reads() && (w.reads() < 1 || w.reads() > 10'000)) {
    return FieldError("reads", "must be 1 to 10000");
  }
  if (w.has_connections() &&
      (w.connections() < 1 || static_cast<int>(w.connections()) > connections)) {
    return FieldError("connections", absl::StrCat("must be 1 to ", connections,
                                                  " (the first instance's connections)"));
  }
  if (w.model_case() == pimsim::v1::ReferenceWorkload::kWorkers &&
      (w.workers() < 1 || w.workers() > 10'000)) {
    return FieldError("workers", "must be 1 to 10000");
  }
  if (w.model_case() == pimsim::v1::ReferenceWorkload::kArrivalRate &&
      !(std::isfinite(w.arrival_rate()) && w.arrival_rate() > 0 && w.arrival_rate() <= 100'000)) {
    return FieldError("arrival_rate", "must be > 0 and at most 100000 per second");
  }
  return PolicyFromProto(w.policy()).status();
}

}  // namespace pimsim::client
