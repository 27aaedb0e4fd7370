// Clock: the one source of time for limiter, fault, retry and harness code.
//
// Production code takes a `Clock&`; only RealClock reads the system clock or
// sleeps. Tests use SimulatedClock and advance it by hand, so no unit test
// sleeps and a run in virtual time executes the same decisions as a real one.
//
// Thread-safety: both implementations are safe to call from any thread.
//
//   pimsim::SimulatedClock clock(absl::FromUnixSeconds(1000));
//   limiter.Admit(clock.Now());
//   clock.Advance(absl::Milliseconds(10));
#ifndef PIMSIM_COMMON_CLOCK_H_
#define PIMSIM_COMMON_CLOCK_H_

#include <chrono>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "common/mutex.h"

namespace pimsim {

class Clock {
 public:
  virtual ~Clock() = default;
  // The current time. Never goes backwards.
  virtual absl::Time Now() = 0;
  // Blocks the caller for `d` of this clock's time.
  virtual void Sleep(absl::Duration d) = 0;
};

// Wall-clock time that never goes backwards: the system time read once at
// construction, advanced by the monotonic clock.
class RealClock final : public Clock {
 public:
  RealClock();
  absl::Time Now() override;
  void Sleep(absl::Duration d) override;

  // A process-wide instance.
  static RealClock& Get();

 private:
  const absl::Time wall_anchor_;
  const std::chrono::steady_clock::time_point steady_anchor_;
};

// Time that moves only when told to. Sleep(d) advances the clock by d, which
// is what a single-threaded simulation wants.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(absl::Time start = absl::UnixEpoch());
  absl::Time Now() override;
  void Sleep(absl::Duration d) override;
  void Advance(absl::Duration d);
  // Moves the clock to `t`; a `t` in the past is ignored.
  void SetTime(absl::Time t);

 private:
  Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pimsim

#endif  // PIMSIM_COMMON_CLOCK_H_
