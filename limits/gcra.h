// Gcra: the Generic Cell Rate Algorithm, a token bucket that stores only the
// theoretical arrival time (TAT) of the next request.
//
// With emission interval T = 1/rate and tolerance tau = (burst - 1) * T, a
// request at `now` conforms iff TAT - now <= tau; a conforming request moves
// TAT to max(TAT, now) + T, a rejected one leaves it alone. So after an idle
// period exactly `burst` requests at one instant are admitted, and a stream
// at exactly `rate` is never rejected. TAT and T are integer nanoseconds (T is
// rounded down, which favours the client by under 1 ns per request), so there
// is no floating-point drift however long a run lasts.
//
// Used by the mock's admission (mock_pim/limits/admission.h) and by the
// checker's rate rules, which replay a journal's arrivals through it.
//
// Thread-safety: not thread-safe; the owner locks (AdmissionController).
//
//   Gcra bucket(/*rate_per_second=*/100, /*burst=*/100);
//   GcraResult r = bucket.Admit(clock.Now());
//   if (!r.allowed) RespondTooManyRequests(r.retry_after);
#ifndef PIMSIM_LIMITS_GCRA_H_
#define PIMSIM_LIMITS_GCRA_H_

#include <cstdint>

#include "absl/time/time.h"

namespace pimsim {

struct GcraResult {
  bool allowed = false;
  // Time until one request would conform; zero when allowed.
  absl::Duration retry_after = absl::ZeroDuration();
  // Requests the bucket could still absorb at `now` before this one (the
  // token-bucket level, fractional, in [0, burst]).
  double available = 0;
};

class Gcra {
 public:
  // Starts full. Parameters are expected to have passed ValidateLimits; out
  // of range values are clamped (rate to [1e-6, 1e9]/s, burst to >= 1).
  Gcra(double rate_per_second, uint32_t burst);

  // Admits one request at `now` if it conforms and then consumes it.
  GcraResult Admit(absl::Time now);
  // What Admit(now) would answer, without consuming anything.
  GcraResult Check(absl::Time now) const;
  // Consumes one request at `now` without checking (after Check said yes).
  void Consume(absl::Time now);

  // The bucket level at `now`, in [0, burst].
  double Available(absl::Time now) const;

  // Changes rate and burst. The time at which the bucket is full again (TAT)
  // is kept, so a change neither forgives debt nor adds any; the level is then
  // read against the new size (clamped to [0, burst]).
  void Reconfigure(double rate_per_second, uint32_t burst);

  // Forgets all history: the bucket is full.
  void Reset();

  // The same on Unix nanoseconds (absl::ToUnixNanos), for callers that
  // convert `now` once for several buckets.
  GcraResult CheckNanos(int64_t now_ns) const;
  void ConsumeNanos(int64_t now_ns);

  double rate() const { return rate_; }
  uint32_t burst() const { return burst_; }
  // 1/rate rounded down to whole nanoseconds (at least 1).
  int64_t emission_interval_ns() const { return interval_ns_; }

 private:
  double rate_;
  uint32_t burst_;
  int64_t interval_ns_;   // T
  int64_t tolerance_ns_;  // tau = (burst - 1) * T
  double per_interval_;   // 1 / T, to turn nanoseconds into requests
  // Unix nanoseconds; INT64_MIN means "long ago" (full bucket).
  int64_t tat_ns_;
};

}  // namespace pimsim

#endif  // PIMSIM_LIMITS_GCRA_H_
