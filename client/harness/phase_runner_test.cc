#include "client/harness/phase_runner.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace pimsim::harness {
namespace {

// Records what the runner asks of the mock; time is what the test says.
class FakeTarget final : public MockTarget {
 public:
  absl::Status StartPhase(const std::string& name) override {
    calls.push_back(absl::StrCat("phase ", name.empty() ? "-" : name));
    return absl::OkStatus();
  }
  absl::StatusOr<pimsim::v1::Limits> GetLimits(const std::string& instance) override {
    if (instance == "missing") return absl::NotFoundError("no instance \"missing\"");
    return limits[instance];
  }
  absl::Status SetLimits(const std::string& instance, const pimsim::v1::Limits& l) override {
    limits[instance] = l;
    calls.push_back(absl::StrCat("limits ", instance, " ", l.ShortDebugString()));
    return absl::OkStatus();
  }
  uint64_t RequestsArrived() override { return requests; }
  int64_t JournalMicros() override { return absl::ToInt64Microseconds(now - epoch); }
  absl::StatusOr<pimsim::v1::Report> Report(bool) override { return pimsim::v1::Report(); }

  absl::Time epoch = absl::UnixEpoch();
  absl::Time now = absl::UnixEpoch();
  uint64_t requests = 0;
  std::map<std::string, pimsim::v1::Limits> limits;
  std::vector<std::string> calls;
};

google::protobuf::RepeatedPtrField<pimsim::v1::Phase> Phases(const std::string& text) {
  pimsim::v1::Scenario scenario;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &scenario));
  return scenario.phases();
}

TEST(PhaseRunnerTest, PhasesEndOnTimeAndOnRequestsInOrder) {
  FakeTarget target;
  PhaseRunner runner(Phases(R"pb(
                       phases { name: "warm" duration { seconds: 10 } }
                       phases { name: "burst" requests: 100 }
                       phases { name: "calm" duration { seconds: 5 } }
                     )pb"),
                     &target);
  ASSERT_TRUE(runner.Begin(target.now).ok());
  EXPECT_EQ(runner.current(), "warm");
  EXPECT_EQ(runner.current_deadline(), target.now + absl::Seconds(10));
  target.now += absl::Seconds(9);
  target.requests = 500;  // requests before "burst" do not count for it
  ASSERT_TRUE(runner.Tick(target.now).ok());
  EXPECT_EQ(runner.current(), "warm");
  target.now += absl::Seconds(1);
  ASSERT_TRUE(runner.Tick(target.now).ok());
  EXPECT_EQ(runner.current(), "burst");
  EXPECT_EQ(runner.current_deadline(), absl::InfiniteFuture());
  target.requests = 599;
  ASSERT_TRUE(runner.Tick(target.now).ok());
  EXPECT_EQ(runner.current(), "burst");
  target.requests = 600;
  target.now += absl::Seconds(2);
  ASSERT_TRUE(runner.Tick(target.now).ok());
  EXPECT_EQ(runner.current(), "calm");
  target.now += absl::Seconds(5);
  ASSERT_TRUE(runner.Tick(target.now).ok());
  EXPECT_EQ(runner.current(), "");
  EXPECT_EQ(target.calls, (std::vector<std::string>{"phase warm", "phase burst", "phase calm",
                                                    "phase -"}));
  ASSERT_EQ(runner.spans().size(), 3);
  EXPECT_EQ(runner.spans().Get(0).start_us(), 0);
  EXPECT_EQ(runner.spans().Get(0).end_us(), 10'000'000);
  EXPECT_EQ(runner.spans().Get(1).start_us(), 10'000'000);
  EXPECT_EQ(runner.spans().Get(1).end_us(), 12'000'000);
  EXPECT_EQ(runner.spans().Get(2).end_us(), 17'000'000);
  ASSERT_TRUE(runner.Finish().ok());
  EXPECT_EQ(runner.spans().size(), 3);
}

TEST(PhaseRunnerTest, ALateTickEndsEveryPhaseDueAndStartsTheNextOnSchedule) {
  FakeTarget target;
  PhaseRunner runner(Phases(R"pb(
                       phases { name: "a" duration { seconds: 1 } }
                       phases { name: "b" duration { seconds: 1 } }
                       phases { name: "c" duration { seconds: 10 } }
                     )pb"),
                     &target);
  ASSERT_TRUE(runner.Begin(target.now).ok());
  target.now += absl::Milliseconds(2500);
  ASSERT_TRUE(runner.Tick(target.now).ok());
  EXPECT_EQ(runner.current(), "c");
  // "c" started when "b" was due to end (2 s), not at the late tick.
  EXPECT_EQ(runner.current_deadline(), absl::UnixEpoch() + absl::Seconds(12));
}

TEST(PhaseRunnerTest, LimitOverridesApplyDuringThePhaseAndAreRestoredAfter) {
  FakeTarget target;
  target.limits["default"].mutable_instance_rate()->set_requests_per_second(100);
  PhaseRunner runner(Phases(R"pb(
                       phases {
                         name: "strict"
                         duration { seconds: 1 }
                         limits {
                           key: "default"
                           value { instance_rate { requests_per_second: 10 } }
                         }
                       }
                       phases { name: "after" duration { seconds: 1 } }
                     )pb"),
                     &target);
  ASSERT_TRUE(runner.Begin(target.now).ok());
  EXPECT_EQ(target.limits["default"].instance_rate().requests_per_second(), 10);
  target.now += absl::Seconds(1);
  ASSERT_TRUE(runner.Tick(target.now).ok());
  EXPECT_EQ(runner.current(), "after");
  EXPECT_EQ(target.limits["default"].instance_rate().requests_per_second(), 100);
}

TEST(PhaseRunnerTest, FinishEndsTheCurrentPhaseAndRestoresItsLimits) {
  FakeTarget target;
  target.limits["default"].mutable_instance_rate()->set_requests_per_second(100);
  PhaseRunner runner(Phases(R"pb(
                       phases {
                         name: "strict"
                         requests: 1000
                         limits {
                           key: "default"
                           value { instance_rate { requests_per_second: 10 } }
                         }
                       }
                       phases { name: "never" duration { seconds: 1 } }
                     )pb"),
                     &target);
  ASSERT_TRUE(runner.Begin(target.now).ok());
  target.now += absl::Seconds(3);
  ASSERT_TRUE(runner.Finish().ok());
  EXPECT_EQ(runner.current(), "");
  EXPECT_EQ(target.limits["default"].instance_rate().requests_per_second(), 100);
  ASSERT_EQ(runner.spans().size(), 1);
  EXPECT_EQ(runner.spans().Get(0).end_us(), 3'000'000);
  EXPECT_EQ(target.calls.back(), "phase -");
}

TEST(PhaseRunnerTest, AnUnknownInstanceIsAnError) {
  FakeTarget target;
  PhaseRunner runner(Phases(R"pb(
                       phases {
                         name: "p"
                         duration { seconds: 1 }
                         limits { key: "missing" value {} }
                       }
                     )pb"),
                     &target);
  EXPECT_EQ(runner.Begin(target.now).code(), absl::StatusCode::kNotFound);
}

TEST(PhaseRunnerTest, NoPhasesIsNoPhase) {
  FakeTarget target;
  PhaseRunner runner({}, &target);
  ASSERT_TRUE(runner.Begin(target.now).ok());
  EXPECT_EQ(runner.current(), "");
  EXPECT_EQ(runner.current_deadline(), absl::InfiniteFuture());
  ASSERT_TRUE(runner.Tick(target.now + absl::Hours(1)).ok());
  ASSERT_TRUE(runner.Finish().ok());
  EXPECT_TRUE(runner.spans().empty());
  EXPECT_TRUE(target.calls.empty());
}

}  // namespace
}  // namespace pimsim::harness
