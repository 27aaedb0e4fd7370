// The mock's request path with no sockets and no threads: 100,000 requests
// through admission, faults, latency, the resource model and the journal on
// a VirtualScheduler, the workload of request_core_test. The figure is the
// wall time of the whole run (target: under 1 s).
//
//   bazel run -c opt //mock_pim/core:request_core_benchmark
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "common/scheduler.h"
#include "google/protobuf/text_format.h"
#include "mock_pim/config/scenario_config.h"
#include "mock_pim/core/request_core.h"
#include "mock_pim/core/virtual_wire.h"
#include "mock_pim/faults/fault_spec.h"

namespace pimsim::core {
namespace {

constexpr char kScenario[] =
    "instances { name: 'default' seed { products: 50 } limits { max_in_flight_per_connection: 4 } "
    "} latency { get_item { uniform { min { nanos: 1000000 } max { nanos: 20000000 } } } list { "
    "fixed { nanos: 5000000 } } token { fixed {} } }";

struct Run {
  VirtualScheduler scheduler{absl::FromUnixSeconds(1'800'000'000)};
  std::unique_ptr<PimState> state;
  std::unique_ptr<RequestCore> core;
  std::string token;

  Run() {
    pimsim::v1::Scenario s;
    google::protobuf::TextFormat::ParseFromString(kScenario, &s);
    state = *PimState::Create(config::WithDefaults(s), &scheduler.clock());
    core = std::make_unique<RequestCore>(state.get());
    for (const char* spec : {"status=503,p=0.02", "latency=50ms,p=0.05", "disconnect=before,p=0.01",
                             "truncate,route=list,p=0.01", "hang=2s,p=0.001"}) {
      (void)state->faults().AddRule(*ParseFaultSpec(spec));
    }
    auto call = VirtualCall::Make("POST", "/api/oauth/v1/token", scheduler);
    call->authorization = "Basic " + absl::Base64Escape("pimsim:pimsim");
    call->content_type = "application/json";
    call->body = R"({"grant_type":"password","username":"admin","password":"admin"})";
    call->Begin(*core);
    scheduler.RunUntilIdle();
    const std::string body(call->reply()->payload());
    const size_t at = body.find("\"access_token\":\"") + 16;
    token = "Bearer " + body.substr(at, body.find('"', at) - at);
  }
};

void BM_HundredThousandRequests(benchmark::State& state) {
  const int requests = static_cast<int>(state.range(0));
  std::vector<std::string> targets;
  for (int i = 0; i < 50; ++i) {
    targets.push_back(i % 4 == 0 ? "/api/rest/v1/products?limit=10"
                                 : absl::StrFormat("/api/rest/v1/products/product_%06d", i + 1));
  }
  for (auto _ : state) {
    state.PauseTiming();
    auto run = std::make_unique<Run>();
    state.ResumeTiming();
    for (int i = 0; i < requests; ++i) {
      auto call = VirtualCall::Make("GET", targets[i % 50], run->scheduler);
      call->authorization = run->token;
      call->Begin(*run->core);
      if (i % 50 >= 6) run->scheduler.RunUntil(run->scheduler.Now() + absl::Milliseconds(12));
    }
    run->scheduler.RunUntilIdle();
    benchmark::DoNotOptimize(run->state->journal().size());
    state.PauseTiming();
    run.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * requests);
}
// 1,000 for the smoke test.
BENCHMARK(BM_HundredThousandRequests)
    ->Arg(100'000)
    ->Arg(1'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace pimsim::core
