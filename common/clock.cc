#include "common/clock.h"

#include <thread>

#include "absl/time/clock.h"

namespace pimsim {

RealClock::RealClock()
    : wall_anchor_(absl::Now()), steady_anchor_(std::chrono::steady_clock::now()) {}

absl::Time RealClock::Now() {
  return wall_anchor_ +
         absl::FromChrono(std::chrono::steady_clock::now() - steady_anchor_);
}

void RealClock::Sleep(absl::Duration d) {
  if (d > absl::ZeroDuration()) std::this_thread::sleep_for(absl::ToChronoNanoseconds(d));
}

RealClock& RealClock::Get() {
  static RealClock* clock = new RealClock();
  return *clock;
}

SimulatedClock::SimulatedClock(absl::Time start) : now_(start) {}

absl::Time SimulatedClock::Now() {
  MutexLock lock(&mu_);
  return now_;
}

void SimulatedClock::Sleep(absl::Duration d) { Advance(d); }

void SimulatedClock::Advance(absl::Duration d) {
  MutexLock lock(&mu_);
  if (d > absl::ZeroDuration()) now_ += d;
}

void SimulatedClock::SetTime(absl::Time t) {
  MutexLock lock(&mu_);
  if (t > now_) now_ = t;
}

}  // namespace pimsim
