// Cost of a compliance check over a large journal: time per run and the
// checker's peak heap, on a synthetic mix of traffic (8 connections, token
// requests, reference reads, batch writes, 503s retried with jittered
// backoff, 429s with Retry-After, a few hangs).
//
//   bazel run -c opt //checker:checker_benchmark [-- --events=1000000]
//
// The journal is handed over as a journal::EventTable, as the live report
// and `pimsim report --journal` hand it.
//
// Counters: events/s; peak_heap_MB is the highest heap in use during
// Check() above what was in use before it (a counting allocator), so the
// input journal itself is not counted; maxrss_delta_MB is the growth of the
// process's peak RSS across the runs.
#include <malloc.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "checker/checker.h"

namespace {

std::atomic<int64_t> g_heap{0};
std::atomic<int64_t> g_peak{0};

void Count(void* p) {
  if (p == nullptr) return;
  const int64_t now =
      g_heap.fetch_add(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed) +
      static_cast<int64_t>(malloc_usable_size(p));
  int64_t peak = g_peak.load(std::memory_order_relaxed);
  while (now > peak && !g_peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
}

}  // namespace

void* operator new(size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  Count(p);
  return p;
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  void* p = std::malloc(n == 0 ? 1 : n);
  Count(p);
  return p;
}
void* operator new[](size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  g_heap.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  std::free(p);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, size_t) noexcept { operator delete(p); }
void operator delete[](void* p, size_t) noexcept { operator delete(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { operator delete(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { operator delete(p); }

namespace pimsim::checker {
namespace {

size_t g_events = 1'000'000;

class Lcg {
 public:
  double Uniform() {
    s_ = s_ * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s_ >> 11) / 9007199254740992.0;
  }

 private:
  uint64_t s_ = 7;
};

// About 90 requests a second over 8 connections of 1 to 4 workers.
std::vector<pimsim::v1::JournalEvent> Journal(size_t n) {
  std::vector<pimsim::v1::JournalEvent> events;
  events.reserve(n);
  Lcg rng;
  int64_t t = 0;
  auto add = [&](const std::string& conn, const char* method, const std::string& route,
                 const std::string& path, const std::string& body, int64_t latency,
                 uint32_t status) -> pimsim::v1::JournalEvent& {
    pimsim::v1::JournalEvent& e = events.emplace_back();
    e.set_id(events.size());
    e.set_instance("main");
    e.set_connection(conn);
    e.set_socket_id(events.size() % 64);
    e.set_method(method);
    e.set_route(route);
    e.set_normalized_path(path);
    e.set_body_hash(body);
    e.set_arrival_us(t);
    e.set_body_complete_us(t);
    e.set_response_us(t + latency);
    e.set_status(status);
    e.set_retry_after_s(-1);
    return e;
  };
  // Pending retries: (due time, index of the failed attempt, attempt number).
  struct Retry {
    int64_t due;
    size_t of;
    int attempt;
  };
  std::vector<Retry> retries;
  size_t next_retry = 0;
  uint64_t k = 0;
  while (events.size() < n) {
    t += static_cast<int64_t>(11'000 * (0.2 + 1.6 * rng.Uniform()));
    if (next_retry < retries.size() && retries[next_retry].due <= t) {
      const Retry r = retries[next_retry++];
      const pimsim::v1::JournalEvent prev = events[r.of];
      pimsim::v1::JournalEvent& e =
          add(prev.connection(), prev.method().c_str(), prev.route(), prev.normalized_path(),
              prev.body_hash(), 20'000 + static_cast<int64_t>(30'000 * rng.Uniform()), 200);
      if (r.attempt < 3 && rng.Uniform() < 0.3) {
        e.set_status(503);
        retries.push_back({t + static_cast<int64_t>(500'000 * (1 << r.attempt) * rng.Uniform()),
                           events.size() - 1, r.attempt + 1});
      }
      continue;
    }
    ++k;
    const std::string conn = "conn-" + std::to_string(k % 8);
    const int64_t latency = 15'000 + static_cast<int64_t>(40'000 * rng.Uniform());
    if (k % 5000 == 0) {
      add(conn, "POST", "/api/oauth/v1/token", "/api/oauth/v1/token", "c0ffee", 40'000, 200);
    } else if (k % 997 == 0) {
      add(conn, "GET", "/api/rest/v1/channels", "/api/rest/v1/channels", "", latency, 200);
    } else if (k % 10 == 0) {
      add(conn, "PATCH", "/api/rest/v1/products", "/api/rest/v1/products",
          std::to_string(k * 2654435761u), latency * 4, 200);
    } else {
      const std::string path = "/api/rest/v1/products/sku-" + std::to_string(k % 200'000);
      pimsim::v1::JournalEvent& e =
          add(conn, "GET", "/api/rest/v1/products/{code}", path, "", latency, 200);
      const double u = rng.Uniform();
      if (u < 0.03) {
        e.set_status(503);
        e.set_fault("flaky");
        retries.push_back({t + static_cast<int64_t>(500'000 * rng.Uniform()), events.size() - 1, 1});
      } else if (u < 0.04) {
        e.set_status(429);
        e.set_rejection(pimsim::v1::REJECTION_RATE_INSTANCE);
        e.set_response_us(t + 200);
        e.set_retry_after_s(1);
        retries.push_back({t + 1'000'000 + static_cast<int64_t>(100'000 * rng.Uniform()),
                           events.size() - 1, 1});
      } else if (u < 0.0401) {
        e.set_status(0);
        e.set_client_aborted(true);
        e.set_response_us(t + 30'000'000);
        retries.push_back({t + 30'100'000, events.size() - 1, 1});
      }
    }
    // Retries are due in roughly increasing order; keep them sorted.
    for (size_t i = retries.size(); i > next_retry + 1 && retries[i - 1].due < retries[i - 2].due;
         --i) {
      std::swap(retries[i - 1], retries[i - 2]);
    }
  }
  return events;
}

int64_t MaxRssKb() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

void BM_Check(benchmark::State& state) {
  const journal::EventTable events = journal::EventTable::FromEvents(Journal(g_events));
  CheckInput in;
  in.table = &events;
  in.scenario_name = "benchmark";
  const int64_t rss_before = MaxRssKb();
  int64_t peak_above = 0;
  uint64_t violations = 0;
  for (auto _ : state) {
    const int64_t base = g_heap.load();
    g_peak.store(base);
    pimsim::v1::Report report = Check(in);
    peak_above = std::max(peak_above, g_peak.load() - base);
    violations = report.violations_size();
    benchmark::DoNotOptimize(report);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events.size()));
  state.counters["events"] = static_cast<double>(events.size());
  state.counters["peak_heap_MB"] = static_cast<double>(peak_above) / (1 << 20);
  state.counters["maxrss_delta_MB"] = static_cast<double>(MaxRssKb() - rss_before) / 1024;
  state.counters["listed_violations"] = static_cast<double>(violations);
}
BENCHMARK(BM_Check)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace
}  // namespace pimsim::checker

int main(int argc, char** argv) {
  // --events=N (default 1,000,000), removed before Benchmark sees the flags.
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--events=", 9) == 0) {
      pimsim::checker::g_events = std::strtoull(argv[i] + 9, nullptr, 10);
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
