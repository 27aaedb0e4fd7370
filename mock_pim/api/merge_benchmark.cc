// Cost of the PATCH merge with large patches: n new keys merged into an
// object (MergePatch of an object field) and n value entries of one
// attribute, each in its own context, merged into product values. Both
// find each key or context through a hash index, so the cost is linear in n.
//
//   bazel run -c opt //mock_pim/api:merge_benchmark
#include <string>

#include "benchmark/benchmark.h"
#include "mock_pim/api/merge.h"

namespace pimsim::api {
namespace {

constexpr FieldSpec kSchema[] = {{"obj", FieldKind::kObject}, {"labels", FieldKind::kLabels}};

void BM_MergeObjectKeys(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Json patch = Json::object();
  Json doc = Json::object();
  for (int i = 0; i < n; ++i) {
    patch["obj"]["k" + std::to_string(i)] = i;
    patch["labels"]["l" + std::to_string(i)] = "x";
  }
  doc["obj"]["existing"] = 0;  // not empty: merged key by key
  doc["labels"]["existing"] = "x";
  for (auto _ : state) {
    Json target = doc;
    benchmark::DoNotOptimize(MergePatch(kSchema, patch, &target));
  }
  state.SetComplexityN(n);
}
BENCHMARK(BM_MergeObjectKeys)->RangeMultiplier(4)->Range(16, 4096)->Complexity();

void BM_MergeProductValueEntries(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Json patch = Json::object();
  Json& entries = patch["name"];
  entries = Json::array();
  for (int i = 0; i < n; ++i) {
    entries.push_back(Json::object({{"locale", "l" + std::to_string(i)}, {"scope", nullptr}, {"data", "x"}}));
  }
  for (auto _ : state) {
    Json values = Json::object();
    benchmark::DoNotOptimize(MergeProductValues(patch, &values));
  }
  state.SetComplexityN(n);
}
BENCHMARK(BM_MergeProductValueEntries)->RangeMultiplier(4)->Range(16, 4096)->Complexity();

}  // namespace
}  // namespace pimsim::api
