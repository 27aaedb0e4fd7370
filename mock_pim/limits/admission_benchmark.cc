// Cost of one admission decision, uncontended and contended.
//
//   bazel run -c opt //mock_pim/limits:admission_benchmark
//
// Debian 12's Abseil is built with absl::Mutex deadlock detection on, which
// costs ~50 ns per lock/unlock pair; a server binary built for speed turns it
// off with absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore).
// The benchmarks that lock run both ways: /deadlock_detection:1 is the
// library default, /deadlock_detection:0 the tuned server.
#include <string>

#include "absl/synchronization/mutex.h"
#include "benchmark/benchmark.h"
#include "mock_pim/limits/admission.h"
#include "mock_pim/limits/gcra.h"

namespace pimsim {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

void SetDeadlockDetection(const benchmark::State& state) {
  absl::SetMutexDeadlockDetectionMode(state.range(0) != 0 ? absl::OnDeadlockCycle::kAbort
                                                          : absl::OnDeadlockCycle::kIgnore);
}

void BothMutexModes(benchmark::internal::Benchmark* b) {
  b->ArgName("deadlock_detection")->Arg(1)->Arg(0);
}

// An admitted request and its release, with time moving so that the rate
// bucket never empties: the common path of a compliant client.
void BM_AdmitRelease(benchmark::State& state) {
  SetDeadlockDetection(state);
  AdmissionController a{EffectiveLimits{}};
  // A few known connections, as on a real instance.
  const std::string connections[] = {"erp-sync", "shop-export", "dam", "translations"};
  absl::Time now = kStart;
  size_t i = 0;
  for (auto _ : state) {
    const std::string& conn = connections[i++ & 3];
    now += absl::Milliseconds(10);
    AdmissionDecision d = a.Admit(now, conn, false);
    benchmark::DoNotOptimize(d);
    a.Release(conn);
  }
  if (a.counters().admitted != state.iterations()) state.SkipWithError("unexpected rejection");
}
BENCHMARK(BM_AdmitRelease)->Apply(BothMutexModes);
BENCHMARK(BM_AdmitRelease)->Apply(BothMutexModes)->Threads(2)->UseRealTime();

// One admitted decision alone (no caps on concurrency, so no Release needed).
void BM_Admit(benchmark::State& state) {
  SetDeadlockDetection(state);
  EffectiveLimits limits;
  limits.max_in_flight_per_connection = 0;
  limits.max_in_flight_per_instance = 0;
  AdmissionController a(limits);
  const std::string connections[] = {"erp-sync", "shop-export", "dam", "translations"};
  absl::Time now = kStart;
  size_t i = 0;
  for (auto _ : state) {
    now += absl::Milliseconds(10);
    AdmissionDecision d = a.Admit(now, connections[i++ & 3], false);
    benchmark::DoNotOptimize(d);
  }
  if (a.counters().admitted != state.iterations()) state.SkipWithError("unexpected rejection");
}
BENCHMARK(BM_Admit)->Apply(BothMutexModes);

// A flood answered 429 by the rate bucket (protection off so that every
// request goes through the full check).
void BM_AdmitRejectedRate(benchmark::State& state) {
  SetDeadlockDetection(state);
  EffectiveLimits limits;
  limits.protection_enabled = false;
  AdmissionController a(limits);
  for (int i = 0; i < 100; ++i) {
    a.Admit(kStart, "flood", false);
    a.Release("flood");
  }
  for (auto _ : state) {
    AdmissionDecision d = a.Admit(kStart, "flood", false);
    benchmark::DoNotOptimize(d);
  }
  if (a.counters().admitted != 100) state.SkipWithError("unexpected admission");
}
BENCHMARK(BM_AdmitRejectedRate)->Apply(BothMutexModes);

// A flood with protection on: rejections feed the sliding window until the
// connection is protected, then protection answers.
void BM_AdmitRejectedProtected(benchmark::State& state) {
  SetDeadlockDetection(state);
  AdmissionController a{EffectiveLimits{}};
  absl::Time now = kStart;
  for (auto _ : state) {
    now += absl::Microseconds(1);
    AdmissionDecision d = a.Admit(now, "flood", false);
    benchmark::DoNotOptimize(d);
    if (d.admitted) a.Release("flood");
  }
}
BENCHMARK(BM_AdmitRejectedProtected)->Apply(BothMutexModes);

void BM_GcraAdmit(benchmark::State& state) {
  Gcra g(100, 100);
  absl::Time now = kStart;
  for (auto _ : state) {
    now += absl::Milliseconds(5);  // half admitted, half rejected
    GcraResult r = g.Admit(now);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_GcraAdmit);

}  // namespace
}  // namespace pimsim
