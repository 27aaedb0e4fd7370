// Cost of parsing request JSON: ParseRequestJson (limits enforced, keys
// appended with a hash index for duplicates) against nlohmann's own DOM
// parser, whose per-key linear search makes one object with n keys cost
// O(n^2).
//
//   bazel run -c opt //mock_pim/api:json_util_benchmark
#include <string>

#include "benchmark/benchmark.h"
#include "mock_pim/api/json_util.h"

namespace pimsim::api {
namespace {

// {"k0":0,"k1":1,...}: one object with `keys` keys.
std::string Object(int keys) {
  std::string s = "{";
  for (int i = 0; i < keys; ++i) s += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
  return s + "}";
}

void BM_ParseRequestJson(benchmark::State& state) {
  const std::string text = Object(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(ParseRequestJson(text));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ParseRequestJson)->Arg(10)->Arg(100)->Arg(1000);

void BM_NlohmannParse(benchmark::State& state) {
  const std::string text = Object(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(Json::parse(text.begin(), text.end(), nullptr, false));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_NlohmannParse)->Arg(10)->Arg(100)->Arg(1000);

}  // namespace
}  // namespace pimsim::api
