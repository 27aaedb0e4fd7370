// ControlService through a real ControlServer on 127.0.0.1, port 0: every
// method, its errors, the token check and server reflection.
#include "mock_pim/control/control_service.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/sync_stream.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/unknown_field_set.h"
#include "mock_pim/config/scenario_config.h"
#include "mock_pim/control/control_server.h"
#include "mock_pim/faults/fault_injector.h"
#include "mock_pim/mock_pim.h"
#include "proto/control.grpc.pb.h"

namespace pimsim::control {
namespace {

using pimsim::v1::PimControl;

constexpr char kScenario[] = R"pb(
  instances {
    name: "eu"
    seed { products: 1 }
  }
  instances {
    name: "us"
    seed { products: 1 }
    limits { instance_rate { requests_per_second: 50 } }
  }
)pb";

std::unique_ptr<MockPim> NewPim() {
  absl::StatusOr<pimsim::v1::Scenario> scenario = config::ParseScenarioText(kScenario, "test");
  EXPECT_TRUE(scenario.ok()) << scenario.status();
  auto pim = MockPim::Create(config::WithDefaults(*scenario), &RealClock::Get());
  EXPECT_TRUE(pim.ok()) << pim.status();
  return *std::move(pim);
}

// Appends a finished request to the journal, as the HTTP shell would.
uint64_t AppendEvent(Journal& journal, uint64_t id, uint32_t status = 200) {
  JournalRecord record;
  record.instance = "eu";
  record.connection = "pimsim";
  record.method = "GET";
  record.route = "/api/rest/v1/products/{code}";
  record.status = status;
  record.arrival = absl::Now();
  record.response = absl::Now();
  return journal.Append(id, record);
}

class ControlServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(""); }

  void StartServer(const std::string& token) {
    if (server_ != nullptr) server_->Shutdown();
    server_.reset();
    if (pim_ == nullptr) pim_ = NewPim();
    ControlServerOptions options;
    options.token = token;
    absl::StatusOr<std::unique_ptr<ControlServer>> server =
        ControlServer::Start(options, pim_.get());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    stub_ = PimControl::NewStub(channel_);
  }

  std::unique_ptr<grpc::ClientContext> Context(absl::Duration deadline = absl::Seconds(10)) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::milliseconds(absl::ToInt64Milliseconds(deadline)));
    return context;
  }

  std::unique_ptr<MockPim> pim_;
  std::unique_ptr<ControlServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<PimControl::Stub> stub_;
};

// --- limits -------------------------------------------------------------------

TEST_F(ControlServiceTest, GetLimitsDefaultsToTheFirstInstanceWithEveryDefault) {
  pimsim::v1::GetLimitsResponse response;
  grpc::Status s = stub_->GetLimits(Context().get(), {}, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.instance(), "eu");
  EXPECT_EQ(response.limits().max_in_flight_per_connection(), 4);
  EXPECT_EQ(response.limits().max_in_flight_per_instance(), 10);
  EXPECT_EQ(response.limits().instance_rate().requests_per_second(), 100);
  EXPECT_EQ(response.limits().instance_rate().burst(), 100);
}

TEST_F(ControlServiceTest, GetLimitsOfANamedInstance) {
  pimsim::v1::GetLimitsRequest request;
  request.set_instance("us");
  pimsim::v1::GetLimitsResponse response;
  ASSERT_TRUE(stub_->GetLimits(Context().get(), request, &response).ok());
  EXPECT_EQ(response.instance(), "us");
  EXPECT_EQ(response.limits().instance_rate().requests_per_second(), 50);
}

TEST_F(ControlServiceTest, GetLimitsOfAnUnknownInstanceIsInvalid) {
  pimsim::v1::GetLimitsRequest request;
  request.set_instance("x");
  pimsim::v1::GetLimitsResponse response;
  grpc::Status s = stub_->GetLimits(Context().get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "instance \"x\" does not exist"))
      << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "eu, us")) << s.error_message();
}

TEST_F(ControlServiceTest, SetLimitsAppliesAndReturnsTheEffectiveLimits) {
  pimsim::v1::SetLimitsRequest request;
  request.set_instance("us");
  request.mutable_limits()->set_max_in_flight_per_connection(1);
  pimsim::v1::SetLimitsResponse response;
  grpc::Status s = stub_->SetLimits(Context().get(), request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.limits().max_in_flight_per_connection(), 1);
  // Unset fields take the defaults, not the previous values.
  EXPECT_EQ(response.limits().instance_rate().requests_per_second(), 100);

  pimsim::v1::GetLimitsRequest get;
  get.set_instance("us");
  pimsim::v1::GetLimitsResponse got;
  ASSERT_TRUE(stub_->GetLimits(Context().get(), get, &got).ok());
  EXPECT_EQ(got.limits().max_in_flight_per_connection(), 1);
  // The other instance is untouched.
  ASSERT_TRUE(stub_->GetLimits(Context().get(), {}, &got).ok());
  EXPECT_EQ(got.limits().max_in_flight_per_connection(), 4);
}

TEST_F(ControlServiceTest, SetLimitsRejectsABadFieldNamingIt) {
  pimsim::v1::SetLimitsRequest request;
  request.mutable_limits()->mutable_instance_rate()->set_requests_per_second(0);
  pimsim::v1::SetLimitsResponse response;
  grpc::Status s = stub_->SetLimits(Context().get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "limits.instance_rate.requests_per_second must be > 0, got 0");
  // Nothing changed.
  pimsim::v1::GetLimitsResponse got;
  ASSERT_TRUE(stub_->GetLimits(Context().get(), {}, &got).ok());
  EXPECT_EQ(got.limits().instance_rate().requests_per_second(), 100);
}

TEST_F(ControlServiceTest, SetLimitsOfAnUnknownInstanceIsInvalid) {
  pimsim::v1::SetLimitsRequest request;
  request.set_instance("nope");
  pimsim::v1::SetLimitsResponse response;
  grpc::Status s = stub_->SetLimits(Context().get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "instance \"nope\" does not exist"));
}

// --- faults ---------------------------------------------------------------

pimsim::v1::FaultRule Rule(const std::string& text) {
  pimsim::v1::FaultRule rule;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &rule)) << text;
  return rule;
}

TEST_F(ControlServiceTest, AddFaultFromASpecOrARuleThenListAndClear) {
  pimsim::v1::ListFaultsResponse list;
  ASSERT_TRUE(stub_->ListFaults(Context().get(), {}, &list).ok());
  EXPECT_EQ(list.rules_size(), 0);

  pimsim::v1::AddFaultRequest by_spec;
  by_spec.set_spec("status=503,first=1,name=boom");
  pimsim::v1::AddFaultResponse added;
  grpc::Status s = stub_->AddFault(Context().get(), by_spec, &added);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(added.rule().name(), "boom");
  EXPECT_EQ(added.rule().action().status().code(), 503);

  pimsim::v1::AddFaultRequest by_rule;
  *by_rule.mutable_rule() =
      Rule("name: 'slow' action { latency { extra { fixed { nanos: 1000000 } } } }");
  ASSERT_TRUE(stub_->AddFault(Context().get(), by_rule, &added).ok());
  EXPECT_EQ(added.rule().name(), "slow");

  ASSERT_TRUE(stub_->ListFaults(Context().get(), {}, &list).ok());
  ASSERT_EQ(list.rules_size(), 2);
  EXPECT_EQ(list.rules(0).name(), "boom");
  EXPECT_EQ(list.rules(1).name(), "slow");

  pimsim::v1::ClearFaultsRequest clear;
  clear.add_names("boom");
  pimsim::v1::ClearFaultsResponse cleared;
  ASSERT_TRUE(stub_->ClearFaults(Context().get(), clear, &cleared).ok());
  EXPECT_EQ(cleared.removed(), 1);
  ASSERT_TRUE(stub_->ListFaults(Context().get(), {}, &list).ok());
  ASSERT_EQ(list.rules_size(), 1);
  EXPECT_EQ(list.rules(0).name(), "slow");

  ASSERT_TRUE(stub_->ClearFaults(Context().get(), {}, &cleared).ok());
  EXPECT_EQ(cleared.removed(), 1);
  ASSERT_TRUE(stub_->ListFaults(Context().get(), {}, &list).ok());
  EXPECT_EQ(list.rules_size(), 0);
}

TEST_F(ControlServiceTest, AddFaultNeedsExactlyOneOfRuleAndSpec) {
  pimsim::v1::AddFaultResponse added;
  grpc::Status s = stub_->AddFault(Context().get(), {}, &added);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "rule or spec is required");

  pimsim::v1::AddFaultRequest both;
  both.set_spec("status=503");
  *both.mutable_rule() = Rule("action { status { code: 503 } }");
  s = stub_->AddFault(Context().get(), both, &added);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "give either rule or spec, not both");
}

TEST_F(ControlServiceTest, AddFaultRejectsABadSpecOrRule) {
  pimsim::v1::AddFaultRequest request;
  request.set_spec("status=503,p=2");
  pimsim::v1::AddFaultResponse added;
  grpc::Status s = stub_->AddFault(Context().get(), request, &added);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(s.error_message(), "spec: ")) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "probability")) << s.error_message();

  pimsim::v1::AddFaultRequest no_action;
  *no_action.mutable_rule() = Rule("name: 'x'");
  s = stub_->AddFault(Context().get(), no_action, &added);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
}

TEST_F(ControlServiceTest, SetFaultsReplacesEveryRule) {
  pimsim::v1::AddFaultRequest add;
  add.set_spec("status=500,name=old");
  pimsim::v1::AddFaultResponse added;
  ASSERT_TRUE(stub_->AddFault(Context().get(), add, &added).ok());

  pimsim::v1::SetFaultsRequest request;
  *request.add_rules() = Rule("name: 'a' action { status { code: 502 } }");
  *request.add_rules() = Rule("name: 'b' action { status { code: 504 } }");
  pimsim::v1::SetFaultsResponse response;
  grpc::Status s = stub_->SetFaults(Context().get(), request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(response.rules_size(), 2);
  EXPECT_EQ(response.rules(0).name(), "a");
  EXPECT_EQ(response.rules(1).name(), "b");

  pimsim::v1::SetFaultsRequest bad;
  *bad.add_rules() = Rule("name: 'c' action { status { code: 200 } }");
  s = stub_->SetFaults(Context().get(), bad, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  pimsim::v1::ListFaultsResponse list;
  ASSERT_TRUE(stub_->ListFaults(Context().get(), {}, &list).ok());
  EXPECT_EQ(list.rules_size(), 2) << "a rejected SetFaults must change nothing";
}

TEST_F(ControlServiceTest, StartPhaseReturnsThePreviousPhase) {
  pimsim::v1::StartPhaseRequest request;
  request.set_name("warmup");
  pimsim::v1::StartPhaseResponse response;
  ASSERT_TRUE(stub_->StartPhase(Context().get(), request, &response).ok());
  EXPECT_EQ(response.previous(), "");
  request.set_name("spike");
  ASSERT_TRUE(stub_->StartPhase(Context().get(), request, &response).ok());
  EXPECT_EQ(response.previous(), "warmup");
}

// --- reset ------------------------------------------------------------------

TEST_F(ControlServiceTest, ResetJournalDropsEvents) {
  Journal& journal = pim_->journal();
  AppendEvent(journal, journal.NextId());
  ASSERT_EQ(journal.size(), 1u);
  pimsim::v1::ResetRequest request;
  request.set_journal(true);
  pimsim::v1::ResetResponse response;
  ASSERT_TRUE(stub_->Reset(Context().get(), request, &response).ok());
  EXPECT_EQ(journal.size(), 0u);
}

TEST_F(ControlServiceTest, ResetWithNothingChosenResetsEverything) {
  pimsim::v1::SetLimitsRequest tighten;
  tighten.mutable_limits()->set_max_in_flight_per_connection(1);
  pimsim::v1::SetLimitsResponse set;
  ASSERT_TRUE(stub_->SetLimits(Context().get(), tighten, &set).ok());
  pimsim::v1::StartPhaseRequest phase;
  phase.set_name("spike");
  pimsim::v1::StartPhaseResponse previous;
  ASSERT_TRUE(stub_->StartPhase(Context().get(), phase, &previous).ok());
  AppendEvent(pim_->journal(), pim_->journal().NextId());

  pimsim::v1::ResetResponse response;
  ASSERT_TRUE(stub_->Reset(Context().get(), {}, &response).ok());
  EXPECT_EQ(pim_->journal().size(), 0u);
  phase.set_name("after");
  ASSERT_TRUE(stub_->StartPhase(Context().get(), phase, &previous).ok());
  EXPECT_EQ(previous.previous(), "") << "Reset() clears the phase";
}

// --- journal ------------------------------------------------------------------

TEST_F(ControlServiceTest, GetJournalPagesWithTheCursor) {
  Journal& journal = pim_->journal();
  for (int i = 0; i < 5; ++i) AppendEvent(journal, journal.NextId());
  pimsim::v1::GetJournalRequest request;
  request.set_max_events(2);
  std::vector<uint64_t> ids;
  for (int page = 0; page < 4; ++page) {
    pimsim::v1::GetJournalResponse response;
    ASSERT_TRUE(stub_->GetJournal(Context().get(), request, &response).ok());
    for (const auto& event : response.events()) ids.push_back(event.id());
    EXPECT_EQ(response.summary().events(), 5u);
    request.set_after_id(response.next_after_id());
  }
  EXPECT_EQ(ids, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(request.after_id(), 5u);
}

TEST_F(ControlServiceTest, GetJournalStopsBeforeARequestStillInFlight) {
  Journal& journal = pim_->journal();
  const uint64_t first = journal.NextId();
  const uint64_t in_flight = journal.NextId();
  const uint64_t last = journal.NextId();
  AppendEvent(journal, first);
  AppendEvent(journal, last);

  pimsim::v1::GetJournalResponse response;
  ASSERT_TRUE(stub_->GetJournal(Context().get(), {}, &response).ok());
  ASSERT_EQ(response.events_size(), 1);
  EXPECT_EQ(response.events(0).id(), first);
  EXPECT_EQ(response.next_after_id(), first);

  AppendEvent(journal, in_flight);
  pimsim::v1::GetJournalRequest request;
  request.set_after_id(response.next_after_id());
  ASSERT_TRUE(stub_->GetJournal(Context().get(), request, &response).ok());
  ASSERT_EQ(response.events_size(), 2);
  EXPECT_EQ(response.events(0).id(), in_flight);
  EXPECT_EQ(response.events(1).id(), last);
  EXPECT_EQ(response.next_after_id(), last);
}

// Regression: a request whose Idempotency-Key (or path) was not UTF-8 made
// the page holding its event unparsable, so `pimsim ctl journal tail` failed.
TEST_F(ControlServiceTest, GetJournalServesEventsOfRequestsWithInvalidUtf8) {
  Journal& journal = pim_->journal();
  AppendEvent(journal, journal.NextId());
  JournalRecord record;
  record.instance = "eu";
  record.method = "POST";
  record.route = "/api/rest/v1/products";
  record.normalized_path = "/api/rest/v1/products/\xff";
  record.idempotency_key = "\xc3(";
  record.status = 201;
  journal.Append(journal.NextId(), record);
  AppendEvent(journal, journal.NextId());

  pimsim::v1::GetJournalResponse response;
  grpc::Status s = stub_->GetJournal(Context().get(), {}, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(response.events_size(), 3);
  EXPECT_EQ(response.events(1).idempotency_key(), "\xef\xbf\xbd(");
  EXPECT_EQ(response.events(1).normalized_path(), "/api/rest/v1/products/\xef\xbf\xbd");
  EXPECT_EQ(response.events(2).status(), 200u);
}

TEST_F(ControlServiceTest, GetJournalRejectsTooLargeAPage) {
  pimsim::v1::GetJournalRequest request;
  request.set_max_events(10001);
  pimsim::v1::GetJournalResponse response;
  grpc::Status s = stub_->GetJournal(Context().get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "max_events must be <= 10000, got 10001");
  request.set_max_events(10000);
  EXPECT_TRUE(stub_->GetJournal(Context().get(), request, &response).ok());
}

TEST_F(ControlServiceTest, WatchJournalStreamsEventsInIdOrderAsTheyComplete) {
  Journal& journal = pim_->journal();
  AppendEvent(journal, journal.NextId());  // 1, before the call
  const uint64_t second = journal.NextId();
  const uint64_t third = journal.NextId();

  grpc::ClientContext context;
  auto reader = stub_->WatchJournal(&context, {});
  pimsim::v1::JournalEvent event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.id(), 1u);

  // The third completes first; the stream still delivers the second first.
  AppendEvent(journal, third, 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  AppendEvent(journal, second, 429);
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.id(), second);
  EXPECT_EQ(event.status(), 429u);
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.id(), third);

  context.TryCancel();
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(ControlServiceTest, WatchJournalStartsAfterTheCursor) {
  Journal& journal = pim_->journal();
  for (int i = 0; i < 3; ++i) AppendEvent(journal, journal.NextId());
  grpc::ClientContext context;
  pimsim::v1::WatchJournalRequest request;
  request.set_after_id(2);
  auto reader = stub_->WatchJournal(&context, request);
  pimsim::v1::JournalEvent event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.id(), 3u);
  context.TryCancel();
  reader->Finish();
}

TEST_F(ControlServiceTest, WatchJournalEndsPromptlyOnShutdown) {
  grpc::ClientContext context;
  auto reader = stub_->WatchJournal(&context, {});
  // Let the call reach the server before shutting down.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  AppendEvent(pim_->journal(), pim_->journal().NextId());

  const absl::Time start = absl::Now();
  std::thread shutdown([this] { server_->Shutdown(); });
  pimsim::v1::JournalEvent event;
  std::vector<uint64_t> ids;
  while (reader->Read(&event)) ids.push_back(event.id());
  grpc::Status s = reader->Finish();
  shutdown.join();
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  EXPECT_EQ(ids, std::vector<uint64_t>{1}) << "completed events are flushed before the end";
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
}

// --- counters ---------------------------------------------------------------

TEST_F(ControlServiceTest, GetCountersReturnsTheMetricsSeries) {
  pimsim::v1::GetCountersResponse response;
  ASSERT_TRUE(stub_->GetCounters(Context().get(), {}, &response).ok());
  ASSERT_TRUE(response.counters().contains("pimsim_journal_overflowed_total"));
  EXPECT_EQ(response.counters().at("pimsim_journal_overflowed_total"), 0);
}

TEST_F(ControlServiceTest, GetServerInfoGivesTheScenarioAndTheRunState) {
  Journal& journal = pim_->journal();
  journal.NextId();
  journal.NextId();  // two arrivals, still in flight
  pim_->faults().StartPhase("storm");
  pimsim::v1::GetServerInfoResponse info;
  ASSERT_TRUE(stub_->GetServerInfo(Context().get(), {}, &info).ok());
  EXPECT_EQ(info.http_address(), "");  // no HTTP server attached in this test
  EXPECT_FALSE(info.tls());
  EXPECT_EQ(info.tls_trust_pem(), "");  // the HTTPS case: tests/serve_tls_test.sh
  ASSERT_EQ(info.scenario().instances_size(), pim_->scenario().instances_size());
  EXPECT_EQ(info.scenario().instances(0).name(), pim_->scenario().instances(0).name());
  EXPECT_EQ(info.requests_arrived(), 2u);
  EXPECT_EQ(info.phase(), "storm");
  EXPECT_GE(info.journal_now_us(), 0);
}

// Regression: the journal gauges read 0 until /metrics had been scraped.
TEST_F(ControlServiceTest, GetCountersReportsTheJournalAsItIsNow) {
  Journal& journal = pim_->journal();
  for (int i = 0; i < 3; ++i) AppendEvent(journal, journal.NextId());
  journal.Append(journal.NextId() + 1'000'000, JournalRecord());  // never reserved: overflowed
  pimsim::v1::GetCountersResponse response;
  ASSERT_TRUE(stub_->GetCounters(Context().get(), {}, &response).ok());
  EXPECT_EQ(response.counters().at("pimsim_journal_events"), 3);
  EXPECT_EQ(response.counters().at("pimsim_journal_overflowed_total"), 1);
  EXPECT_EQ(response.counters().at("pimsim_in_flight{instance=\"eu\"}"), 0);

  AppendEvent(journal, journal.NextId());
  ASSERT_TRUE(stub_->GetCounters(Context().get(), {}, &response).ok());
  EXPECT_EQ(response.counters().at("pimsim_journal_events"), 4);
}

TEST(ParsePrometheusTextTest, KeepsLabelsAndSkipsComments) {
  google::protobuf::Map<std::string, double> counters;
  ParsePrometheusText(
      "# HELP pimsim_requests_total Requests.\n"
      "# TYPE pimsim_requests_total counter\n"
      "pimsim_requests_total{instance=\"a b\",status=\"429\"} 7\n"
      "pimsim_in_flight{instance=\"main\"} -2\n"
      "\n"
      "broken_line_without_value\n"
      "pimsim_up 1",
      &counters);
  EXPECT_EQ(counters.size(), 3u);
  EXPECT_EQ(counters.at("pimsim_requests_total{instance=\"a b\",status=\"429\"}"), 7);
  EXPECT_EQ(counters.at("pimsim_in_flight{instance=\"main\"}"), -2);
  EXPECT_EQ(counters.at("pimsim_up"), 1);
}

// --- authentication -------------------------------------------------------------

TEST_F(ControlServiceTest, ATokenIsRequiredOnEveryCallWhenSet) {
  StartServer("s3cret");
  pimsim::v1::GetLimitsResponse limits;
  grpc::Status s = stub_->GetLimits(Context().get(), {}, &limits);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "authorization: Bearer")) << s.error_message();

  auto wrong = Context();
  wrong->AddMetadata("authorization", "Bearer s3cres");
  EXPECT_EQ(stub_->GetLimits(wrong.get(), {}, &limits).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  auto bare = Context();
  bare->AddMetadata("authorization", "s3cret");
  EXPECT_EQ(stub_->GetLimits(bare.get(), {}, &limits).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  auto right = Context();
  right->AddMetadata("authorization", "Bearer s3cret");
  EXPECT_TRUE(stub_->GetLimits(right.get(), {}, &limits).ok());

  // A mutation and the stream are guarded too.
  pimsim::v1::ResetResponse reset;
  EXPECT_EQ(stub_->Reset(Context().get(), {}, &reset).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext watch;
  auto reader = stub_->WatchJournal(&watch, {});
  pimsim::v1::JournalEvent event;
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

// --- server -------------------------------------------------------------------

TEST(ControlServerTest, RefusesANonLoopbackHostWithoutAToken) {
  std::unique_ptr<MockPim> pim = NewPim();
  ControlServerOptions options;
  options.host = "0.0.0.0";
  absl::StatusOr<std::unique_ptr<ControlServer>> server = ControlServer::Start(options, pim.get());
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(server.status().message(),
                                "--control on a non-loopback address needs --control_token"))
      << server.status();
}

TEST(ControlServerTest, BindsLocalhostAsIpv4AndReportsThePort) {
  std::unique_ptr<MockPim> pim = NewPim();
  ControlServerOptions options;
  options.host = "localhost";
  auto server = ControlServer::Start(options, pim.get());
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_GT((*server)->port(), 0);
  EXPECT_EQ((*server)->address(), "127.0.0.1:" + std::to_string((*server)->port()));
  (*server)->Shutdown();
  (*server)->Shutdown();  // idempotent
}

TEST(ControlServerTest, ReportsAPortInUse) {
  std::unique_ptr<MockPim> pim = NewPim();
  auto first = ControlServer::Start({}, pim.get());
  ASSERT_TRUE(first.ok()) << first.status();
  ControlServerOptions options;
  options.port = (*first)->port();
  auto second = ControlServer::Start(options, pim.get());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

TEST(ControlServerTest, LoopbackHosts) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "", "::", "10.0.0.1", "128.0.0.1", "example.com",
                           "localhost.example.com", "::ffff:10.0.0.1"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

// Server reflection, as grpcurl uses it: list_services over the v1alpha
// ServerReflectionInfo stream. The messages are hand-encoded (Debian ships no
// reflection stubs): request field 7 (list_services) = "", response field 6
// (list_services_response) { repeated field 1 { field 1 (name) } }.
grpc::Status ListServicesByReflection(const std::shared_ptr<grpc::Channel>& channel,
                                      const std::string& authorization,
                                      std::vector<std::string>* services) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  grpc::internal::RpcMethod method("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                                   grpc::internal::RpcMethod::BIDI_STREAMING, channel);
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          channel.get(), method, &context));
  const std::string request("\x3a\x00", 2);
  grpc::Slice slice(request);
  stream->Write(grpc::ByteBuffer(&slice, 1));
  stream->WritesDone();
  grpc::ByteBuffer reply;
  const bool got_reply = stream->Read(&reply);
  grpc::Status status = stream->Finish();
  if (!status.ok()) return status;
  if (!got_reply) return grpc::Status(grpc::StatusCode::INTERNAL, "no reply");

  std::vector<grpc::Slice> slices;
  if (!reply.Dump(&slices).ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "dump");
  std::string bytes;
  for (const grpc::Slice& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  google::protobuf::UnknownFieldSet response;
  if (!response.ParseFromString(bytes)) return grpc::Status(grpc::StatusCode::INTERNAL, "parse");
  for (int i = 0; i < response.field_count(); ++i) {
    if (response.field(i).number() != 6) continue;
    google::protobuf::UnknownFieldSet list;
    if (!list.ParseFromString(response.field(i).length_delimited())) break;
    for (int j = 0; j < list.field_count(); ++j) {
      google::protobuf::UnknownFieldSet service;
      if (!service.ParseFromString(list.field(j).length_delimited())) break;
      services->push_back(service.field(0).length_delimited());
    }
  }
  return grpc::Status::OK;
}

TEST_F(ControlServiceTest, ReflectionListsThePimControlService) {
  std::vector<std::string> services;
  grpc::Status s = ListServicesByReflection(channel_, "", &services);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_NE(std::find(services.begin(), services.end(), "pimsim.v1.PimControl"), services.end())
      << "services: " << ::testing::PrintToString(services);
}

TEST_F(ControlServiceTest, ReflectionNeedsTheTokenWhenOneIsSet) {
  StartServer("s3cret");
  std::vector<std::string> services;
  EXPECT_FALSE(ListServicesByReflection(channel_, "", &services).ok());
  EXPECT_FALSE(ListServicesByReflection(channel_, "Bearer wrong", &services).ok());
  EXPECT_TRUE(services.empty());
  grpc::Status s = ListServicesByReflection(channel_, "Bearer s3cret", &services);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_NE(std::find(services.begin(), services.end(), "pimsim.v1.PimControl"), services.end());
}

// --- resource limits -------------------------------------------------------------

TEST_F(ControlServiceTest, AtMostSixteenStreamsAreServedAtOnce) {
  // Half journal watchers, half violation watchers: both kinds count.
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<pimsim::v1::JournalEvent>>> journals;
  std::vector<std::unique_ptr<grpc::ClientReader<pimsim::v1::Violation>>> violations;
  for (int i = 0; i < kMaxStreams; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    if (i % 2 == 0) {
      journals.push_back(stub_->WatchJournal(contexts.back().get(), {}));
    } else {
      violations.push_back(stub_->WatchViolations(contexts.back().get(), {}));
    }
  }
  // One more is refused once the server has taken them all up.
  grpc::Status refused;
  for (int attempt = 0; attempt < 100; ++attempt) {
    grpc::ClientContext probe;
    probe.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
    auto reader = stub_->WatchJournal(&probe, {});
    pimsim::v1::JournalEvent event;
    while (reader->Read(&event)) {
    }
    refused = reader->Finish();
    if (refused.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) break;
  }
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "at most 16")) << refused.error_message();

  // Closing one frees its slot: a new stream is served until its deadline.
  contexts[0]->TryCancel();
  journals[0]->Finish();
  grpc::Status again;
  for (int attempt = 0; attempt < 100; ++attempt) {
    grpc::ClientContext probe;
    probe.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
    auto reader = stub_->WatchJournal(&probe, {});
    pimsim::v1::JournalEvent event;
    while (reader->Read(&event)) {
    }
    again = reader->Finish();
    if (again.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) break;
    absl::SleepFor(absl::Milliseconds(20));  // the server notices the cancel at its next poll
  }
  EXPECT_EQ(again.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << again.error_message();

  for (size_t i = 1; i < contexts.size(); ++i) contexts[i]->TryCancel();
  for (size_t i = 1; i < journals.size(); ++i) journals[i]->Finish();
  for (auto& reader : violations) reader->Finish();
}

TEST_F(ControlServiceTest, FaultRulesAreBounded) {
  pimsim::v1::SetFaultsRequest too_many;
  for (size_t i = 0; i <= kMaxFaultRules; ++i) {
    too_many.add_rules()->mutable_action()->mutable_status()->set_code(503);
  }
  pimsim::v1::SetFaultsResponse set;
  grpc::Status s = stub_->SetFaults(Context().get(), too_many, &set);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "at most 1000 fault rules")) << s.error_message();

  too_many.mutable_rules()->RemoveLast();
  ASSERT_TRUE(stub_->SetFaults(Context().get(), too_many, &set).ok());
  pimsim::v1::AddFaultRequest add;
  add.mutable_rule()->mutable_action()->mutable_status()->set_code(503);
  pimsim::v1::AddFaultResponse added;
  s = stub_->AddFault(Context().get(), add, &added);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
}

TEST_F(ControlServiceTest, AHugeValueInARequestGetsABoundedError) {
  pimsim::v1::AddFaultRequest add;
  add.mutable_rule()->set_name(std::string(1 << 20, 'x') + "!");
  add.mutable_rule()->mutable_action()->mutable_status()->set_code(503);
  pimsim::v1::AddFaultResponse added;
  grpc::Status s = stub_->AddFault(Context().get(), add, &added);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LT(s.error_message().size(), 2000u);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "(1048577 bytes)")) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "name must match")) << s.error_message();
  // The server still serves.
  pimsim::v1::GetLimitsResponse limits;
  EXPECT_TRUE(stub_->GetLimits(Context().get(), {}, &limits).ok());
}

}  // namespace
}  // namespace pimsim::control

namespace pimsim::control {
namespace {

// Six failed GETs, each retried 1 ms after its 503: backoff.immediate.
void AppendImmediateRetries(Journal& journal) {
  absl::Time t = journal.epoch() + absl::Seconds(1);
  for (int chain = 0; chain < 6; ++chain) {
    for (uint32_t status : {503u, 200u}) {
      JournalRecord record;
      record.id = journal.NextId();
      record.instance = "eu";
      record.connection = "pimsim";
      record.method = "GET";
      record.route = "/api/rest/v1/products/{code}";
      const std::string path = absl::StrCat("/api/rest/v1/products/p", chain);
      record.normalized_path = path;
      record.status = status;
      record.arrival = t;
      record.body_complete = t;
      record.response = t + absl::Milliseconds(1);
      journal.Append(record);
      t += absl::Milliseconds(2);
    }
    t += absl::Milliseconds(100);
  }
}

TEST_F(ControlServiceTest, GetReportJudgesTheJournalSoFar) {
  pimsim::v1::Report clean;
  ASSERT_TRUE(stub_->GetReport(Context().get(), {}, &clean).ok());
  EXPECT_EQ(clean.verdict(), pimsim::v1::VERDICT_PASS);
  EXPECT_GE(clean.rules_size(), 20);

  AppendImmediateRetries(pim_->journal());
  pimsim::v1::Report report;
  ASSERT_TRUE(stub_->GetReport(Context().get(), {}, &report).ok());
  EXPECT_EQ(report.verdict(), pimsim::v1::VERDICT_FAIL);
  EXPECT_EQ(report.events(), 12u);
  bool found = false;
  for (const auto& v : report.violations()) found |= v.rule() == "backoff.immediate";
  EXPECT_TRUE(found);
}

TEST_F(ControlServiceTest, WatchViolationsStreamsEachViolationOnce) {
  grpc::ClientContext context;
  pimsim::v1::WatchViolationsRequest request;
  request.set_interval_ms(100);
  auto reader = stub_->WatchViolations(&context, request);
  AppendImmediateRetries(pim_->journal());
  pimsim::v1::Violation violation;
  int immediate = 0;
  while (immediate == 0 && reader->Read(&violation)) {
    immediate += violation.rule() == "backoff.immediate";
  }
  EXPECT_EQ(immediate, 1);
  // Later passes over the same journal find it again but do not resend it.
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  context.TryCancel();
  while (reader->Read(&violation)) immediate += violation.rule() == "backoff.immediate";
  EXPECT_EQ(immediate, 1);
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

}  // namespace
}  // namespace pimsim::control
