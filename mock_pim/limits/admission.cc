#include "mock_pim/limits/admission.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/string_view.h"

namespace pimsim {
namespace {

constexpr int64_t kLongAgo = std::numeric_limits<int64_t>::min();

absl::string_view Key(std::string_view s) { return absl::string_view(s.data(), s.size()); }

int64_t SaturatingAdd(int64_t a, int64_t b) {
  if (b > 0 && a > std::numeric_limits<int64_t>::max() - b) {
    return std::numeric_limits<int64_t>::max();
  }
  return a + b;
}

}  // namespace

pimsim::v1::Rejection ToProto(Rejection r) {
  return static_cast<pimsim::v1::Rejection>(static_cast<int>(r));
}

std::string_view RejectionName(Rejection r) {
  switch (r) {
    case Rejection::kNone:
      return "none";
    case Rejection::kConcurrencyConnection:
      return "concurrency_connection";
    case Rejection::kConcurrencyInstance:
      return "concurrency_instance";
    case Rejection::kRateInstance:
      return "rate_instance";
    case Rejection::kRateAttributeOptions:
      return "rate_attribute_options";
    case Rejection::kProtection:
      return "protection";
  }
  return "unknown";
}

uint64_t AdmissionCounters::rejected_total() const {
  uint64_t total = 0;
  for (uint64_t n : rejected) total += n;
  return total;
}

AdmissionController::AdmissionController(EffectiveLimits limits)
    : limits_(limits),
      instance_rate_(limits.instance_rate.rate, limits.instance_rate.burst),
      option_rate_(limits.attribute_option_write_rate.rate,
                   limits.attribute_option_write_rate.burst) {}

AdmissionController::ConnectionState* AdmissionController::Find(std::string_view connection) {
  auto it = connections_.find(Key(connection));
  return it == connections_.end() ? nullptr : &it->second;
}

const AdmissionController::ConnectionState* AdmissionController::Find(
    std::string_view connection) const {
  auto it = connections_.find(Key(connection));
  return it == connections_.end() ? nullptr : &it->second;
}

AdmissionController::ConnectionState& AdmissionController::FindOrInsert(
    std::string_view connection) {
  auto it = connections_.find(Key(connection));
  if (it != connections_.end()) return it->second;
  ConnectionState state;
  state.protected_until_ns = kLongAgo;
  return connections_.emplace(std::string(connection), std::move(state)).first->second;
}

bool AdmissionController::RecordRejection(ConnectionState& state, int64_t now_ns) {
  if (!limits_.protection_enabled) return false;
  const uint32_t capacity = std::max<uint32_t>(1, limits_.protection_max_rejections);
  if (state.recent.size() != capacity) ResizeRecent(state, capacity);
  if (state.recent_count < capacity) {
    state.recent[(state.recent_head + state.recent_count) % capacity] = now_ns;
    ++state.recent_count;
  } else {
    state.recent[state.recent_head] = now_ns;  // overwrite the oldest
    state.recent_head = (state.recent_head + 1) % capacity;
  }
  if (state.recent_count < capacity) return false;
  const int64_t oldest = state.recent[state.recent_head];
  const int64_t window_ns = absl::ToInt64Nanoseconds(limits_.protection_window);
  if (now_ns - oldest >= window_ns) return false;
  state.protected_until_ns =
      SaturatingAdd(now_ns, absl::ToInt64Nanoseconds(limits_.protection_duration));
  state.recent_head = 0;
  state.recent_count = 0;
  ++counters_.protection_entered;
  return true;
}

void AdmissionController::ResizeRecent(ConnectionState& state, uint32_t capacity) {
  const uint32_t old_capacity = static_cast<uint32_t>(state.recent.size());
  std::vector<int64_t> kept;
  const uint32_t keep = std::min(state.recent_count, capacity);
  kept.reserve(capacity);
  for (uint32_t i = state.recent_count - keep; i < state.recent_count; ++i) {
    kept.push_back(state.recent[(state.recent_head + i) % old_capacity]);
  }
  kept.resize(capacity);
  state.recent = std::move(kept);
  state.recent_head = 0;
  state.recent_count = keep;
}

AdmissionDecision AdmissionController::Admit(absl::Time now, std::string_view connection,
                                             bool attribute_option_write) {
  const int64_t now_ns = absl::ToUnixNanos(now);
  MutexLock lock(&mu_);
  AdmissionDecision d;
  d.retry_after_form = limits_.retry_after;
  ConnectionState* conn = connection.empty() ? nullptr : &FindOrInsert(connection);
  d.in_flight_connection = conn == nullptr ? 0 : conn->in_flight;
  d.in_flight_instance = in_flight_instance_;
  const GcraResult instance = instance_rate_.CheckNanos(now_ns);
  d.instance_bucket_available = instance.available;

  if (!limits_.enabled) {
    d.admitted = true;
  } else if (conn != nullptr && limits_.protection_enabled && now_ns < conn->protected_until_ns) {
    d.rejection = Rejection::kProtection;
    d.retry_after = absl::Nanoseconds(conn->protected_until_ns - now_ns);
  } else if (conn != nullptr && limits_.max_in_flight_per_connection != 0 &&
             conn->in_flight >= limits_.max_in_flight_per_connection) {
    d.rejection = Rejection::kConcurrencyConnection;
    d.retry_after = limits_.concurrency_retry_after;
  } else if (limits_.max_in_flight_per_instance != 0 &&
             in_flight_instance_ >= limits_.max_in_flight_per_instance) {
    d.rejection = Rejection::kConcurrencyInstance;
    d.retry_after = limits_.concurrency_retry_after;
  } else {
    GcraResult option;
    option.allowed = true;
    if (attribute_option_write) option = option_rate_.CheckNanos(now_ns);
    if (!instance.allowed) {
      d.rejection = Rejection::kRateInstance;
      d.retry_after = std::max(instance.retry_after, option.retry_after);
    } else if (!option.allowed) {
      d.rejection = Rejection::kRateAttributeOptions;
      d.retry_after = option.retry_after;
    } else {
      d.admitted = true;
      instance_rate_.ConsumeNanos(now_ns);
      if (attribute_option_write) option_rate_.ConsumeNanos(now_ns);
    }
  }

  if (d.admitted) {
    ++counters_.admitted;
    ++in_flight_instance_;
    if (conn != nullptr) ++conn->in_flight;
    return d;
  }
  ++counters_.rejected[static_cast<int>(d.rejection)];
  if (conn != nullptr && d.rejection != Rejection::kProtection &&
      RecordRejection(*conn, now_ns)) {
    d.entered_protection = true;
    d.retry_after = std::max(d.retry_after, limits_.protection_duration);
  }
  return d;
}

void AdmissionController::Release(std::string_view connection) {
  MutexLock lock(&mu_);
  ConnectionState* conn = connection.empty() ? nullptr : Find(connection);
  if (in_flight_instance_ == 0 || (!connection.empty() && (conn == nullptr || conn->in_flight == 0))) {
    ++counters_.release_unmatched;
    return;
  }
  --in_flight_instance_;
  if (conn != nullptr) --conn->in_flight;
  ++counters_.released;
}

void AdmissionController::SetLimits(EffectiveLimits limits) {
  MutexLock lock(&mu_);
  limits_ = limits;
  instance_rate_.Reconfigure(limits.instance_rate.rate, limits.instance_rate.burst);
  option_rate_.Reconfigure(limits.attribute_option_write_rate.rate,
                           limits.attribute_option_write_rate.burst);
  const uint32_t capacity = std::max<uint32_t>(1, limits.protection_max_rejections);
  for (auto& [name, state] : connections_) {
    if (!state.recent.empty() && state.recent.size() != capacity) ResizeRecent(state, capacity);
  }
}

EffectiveLimits AdmissionController::limits() const {
  MutexLock lock(&mu_);
  return limits_;
}

void AdmissionController::Reset() {
  MutexLock lock(&mu_);
  instance_rate_.Reset();
  option_rate_.Reset();
  for (auto& [name, state] : connections_) {
    state.protected_until_ns = kLongAgo;
    state.recent_head = 0;
    state.recent_count = 0;
  }
}

AdmissionCounters AdmissionController::counters() const {
  MutexLock lock(&mu_);
  return counters_;
}

uint32_t AdmissionController::in_flight_instance() const {
  MutexLock lock(&mu_);
  return in_flight_instance_;
}

uint32_t AdmissionController::in_flight(std::string_view connection) const {
  MutexLock lock(&mu_);
  const ConnectionState* conn = connection.empty() ? nullptr : Find(connection);
  return conn == nullptr ? 0 : conn->in_flight;
}

double AdmissionController::instance_bucket_available(absl::Time now) const {
  MutexLock lock(&mu_);
  return instance_rate_.Available(now);
}

bool AdmissionController::in_protection(absl::Time now, std::string_view connection) const {
  MutexLock lock(&mu_);
  const ConnectionState* conn = connection.empty() ? nullptr : Find(connection);
  return conn != nullptr && limits_.protection_enabled &&
         absl::ToUnixNanos(now) < conn->protected_until_ns;
}

}  // namespace pimsim
