// AdmissionController: decides, for one PIM instance, whether a request is
// served or answered 429, and why.
//
// It holds the instance's limiter state: in-flight counts per PIM connection
// (credential) and per instance, the instance rate bucket, the stricter
// attribute-option write bucket (both GCRA), and per connection a sliding
// window of its recent 429s that can put it in protection ("continuous
// over-usage will trigger the protection sooner"). Decisions are a function
// of this state, the request and the `now` passed in: no clock is read, so
// the same code runs in real and in virtual time.
//
// Checks, in order: limits disabled -> admit (in-flight still counted);
// connection in protection -> kProtection; connection concurrency; instance
// concurrency; instance rate; attribute-option rate (option writes only). A
// rejection consumes nothing: no in-flight slot, no token from either bucket
// (an option write is checked against both buckets before either is charged).
// Every admitted request must be matched by one Release.
//
// Connection state is kept per distinct `connection` string for the life of
// the controller, so pass authenticated credentials (a bounded set), never
// raw client input. An empty `connection` (no valid credential) is subject to
// the instance limits only.
//
// Thread-safety: thread-safe; one mutex, held for a few hash lookups and
// integer operations per call.
//
//   AdmissionController admission(ResolveLimits(scenario.limits()));
//   AdmissionDecision d = admission.Admit(clock.Now(), "erp-sync", false);
//   if (d.admitted) { Serve(); admission.Release("erp-sync"); } else { Send429(d.retry_after); }
#ifndef PIMSIM_MOCK_PIM_LIMITS_ADMISSION_H_
#define PIMSIM_MOCK_PIM_LIMITS_ADMISSION_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "common/mutex.h"
#include "limits/gcra.h"
#include "limits/limits_config.h"
#include "proto/journal.pb.h"

namespace pimsim {

// Why a request was answered 429. Mirrors pimsim.v1.Rejection value for value.
enum class Rejection : uint8_t {
  kNone = 0,
  kConcurrencyConnection = 1,
  kConcurrencyInstance = 2,
  kRateInstance = 3,
  kRateAttributeOptions = 4,
  kProtection = 5,
};
inline constexpr int kNumRejectionKinds = 6;

pimsim::v1::Rejection ToProto(Rejection r);
// Stable snake_case names for metric labels and logs: "none",
// "concurrency_connection", "concurrency_instance", "rate_instance",
// "rate_attribute_options", "protection".
std::string_view RejectionName(Rejection r);

struct AdmissionDecision {
  bool admitted = false;
  Rejection rejection = Rejection::kNone;
  // When to come back: the GCRA time to conform for a rate 429, the protection
  // time left for a protection 429, limits.concurrency_retry_after for a
  // concurrency 429. Zero when admitted. An option write refused by both
  // buckets gets the longer wait. The 429 that puts the connection in
  // protection gets at least the protection duration.
  absl::Duration retry_after = absl::ZeroDuration();
  // How the limits in force at the decision want Retry-After written.
  pimsim::v1::RetryAfterForm retry_after_form = pimsim::v1::RETRY_AFTER_FORM_UNSPECIFIED;
  // State when the request arrived, before it was counted.
  uint32_t in_flight_connection = 0;
  uint32_t in_flight_instance = 0;
  double instance_bucket_available = 0;
  // This rejection put the connection in protection.
  bool entered_protection = false;
};

// Every decision, counted since construction (Reset does not clear them:
// they are monotonic, like the Prometheus counters fed from them).
struct AdmissionCounters {
  uint64_t admitted = 0;
  // Indexed by Rejection; [kNone] stays 0.
  std::array<uint64_t, kNumRejectionKinds> rejected = {};
  uint64_t protection_entered = 0;
  uint64_t released = 0;
  // Release calls with nothing in flight (a bug in the caller); ignored.
  uint64_t release_unmatched = 0;

  uint64_t rejected_by(Rejection r) const { return rejected[static_cast<int>(r)]; }
  uint64_t rejected_total() const;
};

class AdmissionController {
 public:
  // `limits` should have passed ValidateEffectiveLimits (rates are clamped
  // otherwise).
  explicit AdmissionController(EffectiveLimits limits);

  AdmissionController(const AdmissionController&) = delete;
  AdmissionController& operator=(const AdmissionController&) = delete;

  // Decides for one request arriving at `now`. `connection` may be empty.
  // `attribute_option_write` marks a POST or PATCH of an attribute option.
  // Calls should come with non-decreasing `now`; an earlier `now` is handled
  // (a bucket never refills backwards) but is judged at its own time.
  AdmissionDecision Admit(absl::Time now, std::string_view connection,
                          bool attribute_option_write);

  // An admitted request finished (response written or socket gone).
  void Release(std::string_view connection);

  // Replaces the limits at run time. In-flight requests stay counted (a lower
  // cap rejects new requests until enough finish); bucket debt is kept in time
  // (see Gcra::Reconfigure); protections in force keep their end time; each
  // connection's recent 429s are kept, up to the new max_rejections.
  void SetLimits(EffectiveLimits limits);
  EffectiveLimits limits() const;

  // Forgets limiter history: buckets full, no protection, no recent 429s.
  // In-flight counts are kept so that the matching Release calls stay
  // consistent. Counters are not reset.
  void Reset();

  AdmissionCounters counters() const;
  uint32_t in_flight_instance() const;
  // 0 for an unknown or empty connection.
  uint32_t in_flight(std::string_view connection) const;
  // Instance bucket level at `now`.
  double instance_bucket_available(absl::Time now) const;
  // Whether `connection` is in protection at `now`.
  bool in_protection(absl::Time now, std::string_view connection) const;

 private:
  struct ConnectionState {
    uint32_t in_flight = 0;
    int64_t protected_until_ns;
    // Times (unix ns) of the most recent rejections, a ring of capacity
    // limits_.protection_max_rejections allocated at the first rejection.
    std::vector<int64_t> recent;
    uint32_t recent_head = 0;  // index of the oldest
    uint32_t recent_count = 0;
  };

  ConnectionState* Find(std::string_view connection) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const ConnectionState* Find(std::string_view connection) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  ConnectionState& FindOrInsert(std::string_view connection) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records a limit 429 for protection; returns true if it starts protection.
  bool RecordRejection(ConnectionState& state, int64_t now_ns) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ResizeRecent(ConnectionState& state, uint32_t capacity) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable Mutex mu_;
  EffectiveLimits limits_ ABSL_GUARDED_BY(mu_);
  Gcra instance_rate_ ABSL_GUARDED_BY(mu_);
  Gcra option_rate_ ABSL_GUARDED_BY(mu_);
  uint32_t in_flight_instance_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, ConnectionState> connections_ ABSL_GUARDED_BY(mu_);
  AdmissionCounters counters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pimsim

#endif  // PIMSIM_MOCK_PIM_LIMITS_ADMISSION_H_
