// Benchmarks of the request core on the hot paths. Run:
//   bazel run -c opt //mock_pim/api:api_benchmark
#include <memory>
#include <string>

#include "benchmark/benchmark.h"
#include "common/url.h"
#include "mock_pim/api/api.h"

namespace pimsim::api {
namespace {

constexpr uint32_t kProducts = 100000;

Api& SharedApi() {
  static Api* api = [] {
    pimsim::v1::SeedData seed;
    seed.set_products(kProducts);
    return Api::Create("", seed, 1)->release();
  }();
  return *api;
}

void BM_ClassifyGetProduct(benchmark::State& state) {
  for (auto _ : state) {
    Route r = Classify("GET", "/api/rest/v1/products/product_054321", "");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ClassifyGetProduct);

void BM_HandleGetProduct(benchmark::State& state) {
  Api& api = SharedApi();
  std::vector<std::string> paths;
  for (int i = 1; i <= 1024; ++i) {
    char buf[64];
    snprintf(buf, sizeof(buf), "/api/rest/v1/products/product_%06d",
             (i * 97) % kProducts + 1);
    paths.push_back(buf);
  }
  const absl::Time now = absl::FromUnixSeconds(1717243200);
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    ApiRequest req;
    req.method = "GET";
    req.path = paths[i++ & 1023];
    req.accept = "application/json";
    ApiResponse r = api.Handle(req, now);
    bytes += r.body.size();
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_HandleGetProduct)->ThreadRange(1, 4)->UseRealTime();

void BM_HandleListProducts100(benchmark::State& state) {
  Api& api = SharedApi();
  const absl::Time now = absl::FromUnixSeconds(1717243200);
  const std::string queries[] = {
      "limit=100&page=3",
      "limit=100&pagination_type=search_after",
      // The value filters and additions of product_view.
      "limit=100&pagination_type=search_after&scope=mobile&locales=en_US&"
      "attributes=name,description,color",
      "limit=100&pagination_type=search_after&with_attribute_options=true&"
      "with_completenesses=true&with_quality_scores=true",
  };
  const std::string& query = queries[state.range(0)];
  size_t bytes = 0;
  for (auto _ : state) {
    ApiRequest req;
    req.method = "GET";
    req.path = "/api/rest/v1/products";
    req.query = query;
    ApiResponse r = api.Handle(req, now);
    bytes += r.body.size();
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(bytes);
  state.SetLabel(query);
}
BENCHMARK(BM_HandleListProducts100)->DenseRange(0, 3);

// Value filters over all 100,000 products: each query matches few enough
// products that the walk reads every one (with_count does anyway).
void BM_HandleListProductsValueFilter(benchmark::State& state) {
  Api& api = SharedApi();
  const absl::Time now = absl::FromUnixSeconds(1717243200);
  const std::string searches[] = {
      R"({"weight":[{"operator":"=","value":500}]})",
      R"({"name":[{"operator":"CONTAINS","value":"product_0999","locale":"en_US"}]})",
      R"({"description":[{"operator":"STARTS WITH","value":"Description of product_0999"}]})",
      R"({"price":[{"operator":">","value":{"amount":999,"currency":"EUR"}}]})",
      R"({"color":[{"operator":"IN","value":["color_3"]}]})",
      // A property filter, for comparison.
      R"({"enabled":[{"operator":"=","value":false}]})",
  };
  const std::string extras[] = {
      "&pagination_type=search_after",
      "&pagination_type=search_after",
      "&pagination_type=search_after&search_locale=fr_FR&search_scope=mobile",
      "&pagination_type=search_after",
      "&with_count=true",
      "&with_count=true",
  };
  const std::string query = "limit=100&search=" +
                            url::PercentEncode(searches[state.range(0)]) +
                            extras[state.range(0)];
  size_t bytes = 0;
  for (auto _ : state) {
    ApiRequest req;
    req.method = "GET";
    req.path = "/api/rest/v1/products";
    req.query = query;
    ApiResponse r = api.Handle(req, now);
    if (r.status != 200) {
      state.SkipWithError(r.body.c_str());
      break;
    }
    bytes += r.body.size();
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(bytes);
  state.SetLabel(searches[state.range(0)] + extras[state.range(0)]);
}
BENCHMARK(BM_HandleListProductsValueFilter)
    ->DenseRange(0, 5)
    ->Unit(benchmark::kMillisecond);

void BM_HandlePatchProduct(benchmark::State& state) {
  Api& api = SharedApi();
  const absl::Time now = absl::FromUnixSeconds(1717243200);
  int n = 0;
  for (auto _ : state) {
    const std::string body =
        "{\"enabled\":" + std::string(++n % 2 ? "false" : "true") + "}";
    ApiRequest req;
    req.method = "PATCH";
    req.path = "/api/rest/v1/products/product_000007";
    req.content_type = "application/json";
    req.body = body;
    ApiResponse r = api.Handle(req, now);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_HandlePatchProduct);

void BM_Seed100kProducts(benchmark::State& state) {
  pimsim::v1::SeedData seed;
  seed.set_products(kProducts);
  for (auto _ : state) {
    auto api = Api::Create("", seed, 1);
    benchmark::DoNotOptimize(api);
  }
}
BENCHMARK(BM_Seed100kProducts)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace pimsim::api
