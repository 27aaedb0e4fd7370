// Cost of journaling one request, and the journal's memory per event.
//
//   bazel run -c opt //mock_pim/journal:journal_benchmark
//
// The bytes_per_event counter is the journal's heap (MemoryBytes) divided by
// the events it holds, for a typical product GET path.
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "mock_pim/journal/fingerprint.h"
#include "mock_pim/journal/journal.h"

namespace pimsim {
namespace {

const absl::Time kEpoch = absl::FromUnixSeconds(1700000000);
constexpr size_t kCapacity = 1 << 20;

std::vector<std::string> Paths() {
  std::vector<std::string> paths;
  for (int i = 0; i < 4096; ++i) {
    paths.push_back(NormalizePath("/api/rest/v1/products/sku-" + std::to_string(100000 + i), ""));
  }
  return paths;
}

JournalRecord Typical(const std::string& path, absl::Time at) {
  JournalRecord r;
  r.instance = "main";
  r.connection = "erp-sync";
  r.socket_id = 12;
  r.method = "GET";
  r.route = "/api/rest/v1/products/{code}";
  r.normalized_path = path;
  r.arrival = at;
  r.body_complete = at;
  r.response = at + absl::Milliseconds(15);
  r.status = 200;
  r.in_flight_connection = 2;
  r.in_flight_instance = 5;
  r.instance_bucket_available = 73.5;
  return r;
}

void BM_Append(benchmark::State& state) {
  const std::vector<std::string> paths = Paths();
  Journal journal(kCapacity, kEpoch);
  absl::Time now = kEpoch;
  size_t i = 0;
  size_t bytes_per_event = 0;
  for (auto _ : state) {
    if (journal.size() == kCapacity) {
      state.PauseTiming();
      bytes_per_event = journal.ApproxBytesPerEvent();
      journal.Clear();
      state.ResumeTiming();
    }
    now += absl::Microseconds(100);
    const uint64_t id = journal.NextId();
    benchmark::DoNotOptimize(journal.Append(id, Typical(paths[i++ & 4095], now)));
  }
  if (bytes_per_event == 0) bytes_per_event = journal.ApproxBytesPerEvent();
  state.counters["bytes_per_event"] = static_cast<double>(bytes_per_event);
  if (journal.overflowed() != 0) state.SkipWithError("overflow");
}
BENCHMARK(BM_Append);

// Appends from several threads into one journal (the server's case).
void BM_AppendContended(benchmark::State& state) {
  static std::unique_ptr<Journal> shared;
  static const std::vector<std::string>* paths = new std::vector<std::string>(Paths());
  // Threads wait for each other at the start of the loop, so thread 0 can
  // (re)create the journal here.
  if (state.thread_index() == 0) shared = std::make_unique<Journal>(kCapacity, kEpoch);
  absl::Time now = kEpoch;
  size_t i = 0;
  for (auto _ : state) {
    now += absl::Microseconds(100);
    const uint64_t id = shared->NextId();
    if (shared->Append(id, Typical((*paths)[i++ & 4095], now)) == 0) shared->Clear();
  }
}
BENCHMARK(BM_AppendContended)->Threads(2)->UseRealTime();

void BM_ReadPage(benchmark::State& state) {
  const std::vector<std::string> paths = Paths();
  Journal journal(1 << 16, kEpoch);
  for (int i = 0; i < (1 << 16); ++i) {
    journal.Append(Typical(paths[i & 4095], kEpoch + absl::Microseconds(i)));
  }
  uint64_t cursor = 0;
  for (auto _ : state) {
    auto page = journal.Read(cursor, 1000);
    cursor = page.empty() ? 0 : page.back().id();
    benchmark::DoNotOptimize(page);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_ReadPage);

void BM_NormalizePath(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        NormalizePath("/api/rest/v1/products", "search=%7B%7D&limit=100&page=3&with_count=true"));
  }
}
BENCHMARK(BM_NormalizePath);

}  // namespace
}  // namespace pimsim
