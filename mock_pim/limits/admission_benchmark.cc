// Cost of one admission decision, uncontended and contended.
//
//   bazel run -c opt //mock_pim/limits:admission_benchmark
#include <string>

#include "benchmark/benchmark.h"
#include "mock_pim/limits/admission.h"
#include "limits/gcra.h"

namespace pimsim {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

// An admitted request and its release, with time moving so that the rate
// bucket never empties: the common path of a compliant client.
void BM_AdmitRelease(benchmark::State& state) {
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
BENCHMARK(BM_AdmitRelease);
BENCHMARK(BM_AdmitRelease)->Threads(2)->UseRealTime();

// One admitted decision alone (no caps on concurrency, so no Release needed).
void BM_Admit(benchmark::State& state) {
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
BENCHMARK(BM_Admit);

// A flood answered 429 by the rate bucket (protection off so that every
// request goes through the full check).
void BM_AdmitRejectedRate(benchmark::State& state) {
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
BENCHMARK(BM_AdmitRejectedRate);

// A flood with protection on: rejections feed the sliding window until the
// connection is protected, then protection answers.
void BM_AdmitRejectedProtected(benchmark::State& state) {
  AdmissionController a{EffectiveLimits{}};
  absl::Time now = kStart;
  for (auto _ : state) {
    now += absl::Microseconds(1);
    AdmissionDecision d = a.Admit(now, "flood", false);
    benchmark::DoNotOptimize(d);
    if (d.admitted) a.Release("flood");
  }
}
BENCHMARK(BM_AdmitRejectedProtected);

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
