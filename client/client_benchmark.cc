// The policy core's cost per request: one scheduling decision (Send, the
// dispatch through the throttle and pacing, the answer, the outcome) on a
// VirtualScheduler with an instant transport, so only the core is timed.
//
//   bazel run -c opt //client:client_benchmark
//
// The goal is under 1 us per decision (BM_ScheduleDecision's time per
// iteration); README.md has the measured figures.
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "client/akeneo_client.h"
#include "common/scheduler.h"

namespace pimsim::client {
namespace {

// Answers every request at once: 200 to a token request, 204 otherwise.
class InstantTransport final : public Transport {
 public:
  explicit InstantTransport(Scheduler& s) : s_(s) {}
  void Send(HttpRequest request, std::function<void(HttpResponse)> done) override {
    HttpResponse r;
    if (request.url.find("/oauth/") != std::string::npos) {
      r.status = 200;
      r.body = R"({"access_token":"t","expires_in":3600,"refresh_token":"r"})";
    } else {
      r.status = 204;
    }
    s_.RunAt(s_.Now(), [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
  }

 private:
  Scheduler& s_;
};

void BM_ScheduleDecision(benchmark::State& state) {
  VirtualScheduler scheduler(absl::FromUnixSeconds(1700000000));
  InstantTransport transport(scheduler);
  Policy policy;
  std::vector<Credentials> creds;
  for (int i = 0; i < state.range(0); ++i) {
    creds.push_back({"http://pim", "c" + std::to_string(i), "s", "u", "p"});
  }
  AkeneoClient client(scheduler, transport, policy, creds, 1);
  Call call;
  call.method = "PATCH";
  call.target = "/api/rest/v1/products/sku-1";
  call.body = R"({"identifier":"sku-1"})";
  for (auto _ : state) {
    client.Send(call, [](const Outcome& o) { benchmark::DoNotOptimize(o.status); });
    scheduler.RunUntilIdle();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScheduleDecision)->Arg(1)->Arg(3);

}  // namespace
}  // namespace pimsim::client
