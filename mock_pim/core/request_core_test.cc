// The whole request path (instances, tokens, admission, faults, latency,
// the resource model, the journal) on a VirtualScheduler with a virtual
// wire: no sockets, no threads, no real time.
#include "mock_pim/core/request_core.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/scheduler.h"
#include "google/protobuf/text_format.h"
#include "mock_pim/config/scenario_config.h"
#include "mock_pim/core/virtual_wire.h"
#include "mock_pim/faults/fault_spec.h"

namespace pimsim::core {
namespace {

pimsim::v1::Scenario Scenario(const std::string& text) {
  pimsim::v1::Scenario s;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &s)) << text;
  EXPECT_TRUE(config::ValidateScenario(s).ok()) << config::ValidateScenario(s);
  return config::WithDefaults(s);
}

class RequestCoreTest : public ::testing::Test {
 protected:
  void Start(const std::string& scenario_text) {
    absl::StatusOr<std::unique_ptr<PimState>> state =
        PimState::Create(Scenario(scenario_text), &scheduler_.clock());
    ASSERT_TRUE(state.ok()) << state.status();
    state_ = *std::move(state);
    core_ = std::make_unique<RequestCore>(state_.get());
  }

  void AddFault(const std::string& spec) {
    absl::StatusOr<pimsim::v1::FaultRule> rule = ParseFaultSpec(spec);
    ASSERT_TRUE(rule.ok()) << rule.status();
    ASSERT_TRUE(state_->faults().AddRule(*rule).ok());
  }

  std::shared_ptr<VirtualCall> Call(const std::string& method, const std::string& target,
                                    const std::string& authorization = "") {
    auto call = VirtualCall::Make(method, target, scheduler_);
    call->authorization = authorization;
    call->socket_id = ++sockets_;
    call->Begin(*core_);
    return call;
  }

  std::string Token() {
    auto call = VirtualCall::Make("POST", "/api/oauth/v1/token", scheduler_);
    call->authorization = "Basic " + absl::Base64Escape("pimsim:pimsim");
    call->content_type = "application/json";
    call->body = R"({"grant_type":"password","username":"admin","password":"admin"})";
    call->Begin(*core_);
    scheduler_.RunUntilIdle();
    EXPECT_TRUE(call->reply().has_value());
    const std::string body(call->reply()->payload());
    const size_t at = body.find("\"access_token\":\"") + 16;
    return "Bearer " + body.substr(at, body.find('"', at) - at);
  }

  VirtualScheduler scheduler_{absl::FromUnixSeconds(1'800'000'000)};
  std::unique_ptr<PimState> state_;
  std::unique_ptr<RequestCore> core_;
  uint64_t sockets_ = 0;
};

constexpr char kNoLatency[] =
    "latency { token { fixed {} } get_item { fixed {} } list { fixed {} } write_item { fixed {} } "
    "batch { fixed {} } other { fixed {} } }";

TEST_F(RequestCoreTest, AHangCostsTheSameEventsWhateverItsLength) {
  std::map<int, uint64_t> events_by_seconds;
  for (int seconds : {1, 300, 3600}) {
    Start(kNoLatency);
    const std::string token = Token();
    AddFault(absl::StrCat("hang=", seconds, "s,route=list"));
    const absl::Time start = scheduler_.Now();
    auto hung = Call("GET", "/api/rest/v1/locales", token);
    EXPECT_FALSE(hung->answered());
    events_by_seconds[seconds] = scheduler_.RunUntilIdle();
    ASSERT_TRUE(hung->cut().has_value());
    EXPECT_EQ(*hung->cut(), pimsim::v1::CLOSE_KIND_ORDERLY);
    EXPECT_EQ(hung->answered_at() - start, absl::Seconds(seconds));
    EXPECT_EQ(state_->instances()[0]->admission->in_flight_instance(), 0);
  }
  // One task: the hang's end. No polling.
  EXPECT_EQ(events_by_seconds[1], 1u);
  EXPECT_EQ(events_by_seconds[300], 1u);
  EXPECT_EQ(events_by_seconds[3600], 1u);
}

TEST_F(RequestCoreTest, AClientLeavingEndsTheHangAtOnceAndCancelsItsEnd) {
  Start("instances { name: 'default' limits { max_in_flight_per_connection: 1 } } " +
        std::string(kNoLatency));
  const std::string token = Token();
  AddFault("hang=300s,route=list,first=1");
  auto hung = Call("GET", "/api/rest/v1/locales", token);
  scheduler_.RunUntil(scheduler_.Now() + absl::Seconds(5));
  EXPECT_FALSE(hung->answered());
  // The slot is held meanwhile.
  auto second = Call("GET", "/api/rest/v1/locales", token);
  ASSERT_TRUE(second->reply().has_value());
  EXPECT_EQ(second->reply()->status, 429);
  const absl::Time left = scheduler_.Now();
  hung->GoAway();
  ASSERT_TRUE(hung->cut().has_value());
  EXPECT_EQ(hung->answered_at(), left);
  EXPECT_TRUE(scheduler_.idle());  // the hang's end was cancelled
  auto third = Call("GET", "/api/rest/v1/locales", token);
  ASSERT_TRUE(third->reply().has_value());
  EXPECT_EQ(third->reply()->status, 200);

  const std::vector<pimsim::v1::JournalEvent> events = state_->journal().Read(0, 10);
  ASSERT_EQ(events.size(), 4u);  // token, hung, 429, 200
  EXPECT_EQ(events[1].status(), 0u);
  EXPECT_TRUE(events[1].client_aborted());
  EXPECT_EQ(events[1].response_us() - events[1].arrival_us(), 5'000'000);
}

TEST_F(RequestCoreTest, ServiceTimeIsOneTaskAndTheSlotIsFreeWhenTheAnswerLeaves) {
  Start("instances { name: 'default' limits { max_in_flight_per_connection: 1 } } "
        "latency { get_item { fixed { nanos: 250000000 } } token { fixed {} } }");
  const std::string token = Token();
  const absl::Time start = scheduler_.Now();
  auto first = Call("GET", "/api/rest/v1/locales/en_US", token);
  EXPECT_FALSE(first->answered());
  EXPECT_EQ(scheduler_.RunUntilIdle(), 1u);
  ASSERT_TRUE(first->reply().has_value());
  EXPECT_EQ(first->reply()->status, 200);
  EXPECT_EQ(first->answered_at() - start, absl::Milliseconds(250));
  EXPECT_EQ(state_->instances()[0]->admission->in_flight("pimsim"), 0);
}

TEST_F(RequestCoreTest, RejectionsAndAuthFailuresAreAnsweredAtOnceWithoutATask) {
  Start(std::string("instances { name: 'default' limits { max_in_flight_per_connection: 1 } } ") +
        "latency { list { fixed { seconds: 1 } } token { fixed {} } }");
  const std::string token = Token();
  auto held = Call("GET", "/api/rest/v1/channels", token);
  auto rejected = Call("GET", "/api/rest/v1/channels", token);
  auto no_token = Call("GET", "/api/rest/v1/channels");
  ASSERT_TRUE(rejected->reply().has_value());
  EXPECT_EQ(rejected->reply()->status, 429);
  EXPECT_EQ(rejected->reply()->payload(),
            R"({"code":429,"message":"You have exceeded the limit of API requests per second."})");
  ASSERT_TRUE(no_token->reply().has_value());
  EXPECT_EQ(no_token->reply()->status, 401);
  EXPECT_EQ(scheduler_.RunUntilIdle(), 1u);  // only the held request's service time
  EXPECT_EQ(held->reply()->status, 200);
}

TEST_F(RequestCoreTest, AHundredThousandRequestsThroughEveryStage) {
  // Admission (bursts over the concurrency limit), faults of every answer kind,
  // service times, the resource model and the journal, on virtual time.
  Start("instances { name: 'default' seed { products: 50 } limits { "
        "max_in_flight_per_connection: 4 } } latency { get_item { uniform { min { nanos: 1000000 } "
        "max { nanos: 20000000 } } } list { fixed { nanos: 5000000 } } token { fixed {} } }");
  const std::string token = Token();
  AddFault("status=503,p=0.02");
  AddFault("latency=50ms,p=0.05");
  AddFault("disconnect=before,p=0.01");
  AddFault("truncate,route=list,p=0.01");
  AddFault("hang=2s,p=0.001");
  constexpr int kRequests = 100'000;
  std::vector<std::shared_ptr<VirtualCall>> calls;
  calls.reserve(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    const std::string target = i % 4 == 0 ? "/api/rest/v1/products?limit=10"
                                          : absl::StrFormat("/api/rest/v1/products/product_%06d", i % 50 + 1);
    calls.push_back(Call("GET", target, token));
    // About 83 requests/s, under the instance's rate, in bursts of 7 at once
    // against 4 in flight per connection.
    if (i % 50 >= 6) scheduler_.RunUntil(scheduler_.Now() + absl::Milliseconds(12));
  }
  scheduler_.RunUntilIdle();
  std::map<int, int> by_status;
  int cut = 0;
  for (const auto& c : calls) {
    ASSERT_TRUE(c->finished());
    if (c->cut().has_value()) ++cut;
    if (c->reply().has_value()) ++by_status[c->reply()->status];
  }
  EXPECT_GT(by_status[200], kRequests * 8 / 10);
  EXPECT_EQ(by_status[404], 0);
  EXPECT_GT(by_status[429], 1000);
  EXPECT_GT(by_status[503], 1000);
  EXPECT_GT(cut, 500);
  EXPECT_EQ(state_->journal().size(), static_cast<size_t>(kRequests + 1));
  EXPECT_EQ(state_->journal().overflowed(), 0u);
  EXPECT_EQ(state_->instances()[0]->admission->in_flight_instance(), 0);
}

TEST_F(RequestCoreTest, ADrainingTransportGets503WithoutTakingASlot) {
  Start(kNoLatency);
  // Begin with draining set, as the HTTP adapter does during a SIGTERM.
  Request r;
  r.method = "GET";
  r.path = "/api/rest/v1/channels";
  r.arrival = r.body_complete = scheduler_.Now();
  r.draining = true;
  struct Wire final : core::Wire {
    std::optional<Reply>* out;
    void Send(const Handle&, Reply&& reply, Done&& done) override {
      *out = std::move(reply);
      done(absl::UnixEpoch(), false);
    }
    void Cut(const Handle&, pimsim::v1::CloseKind, std::optional<Reply>, size_t,
             Done done) override {
      done(absl::UnixEpoch(), false);
    }
    void OnClientGone(const Handle&, std::function<void()>) override {}
  };
  std::optional<Reply> reply;
  Wire wire;
  wire.out = &reply;
  core_->Begin(r, scheduler_, wire, nullptr);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 503);
  EXPECT_TRUE(reply->close);
  EXPECT_EQ(state_->instances()[0]->admission->in_flight_instance(), 0);
  EXPECT_EQ(state_->journal().size(), 1u);
}

}  // namespace
}  // namespace pimsim::core
