#include "client/harness/run.h"

#include <signal.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace pimsim::harness {
namespace {

class FakeTarget final : public MockTarget {
 public:
  absl::Status StartPhase(const std::string& name) override {
    std::lock_guard<std::mutex> lock(mu);
    phases.push_back(name);
    return absl::OkStatus();
  }
  absl::StatusOr<pimsim::v1::Limits> GetLimits(const std::string&) override {
    return pimsim::v1::Limits();
  }
  absl::Status SetLimits(const std::string&, const pimsim::v1::Limits&) override {
    return absl::OkStatus();
  }
  uint64_t RequestsArrived() override { return 0; }
  int64_t JournalMicros() override { return absl::ToUnixMicros(absl::Now()); }
  absl::StatusOr<pimsim::v1::Report> Report(bool final) override {
    pimsim::v1::Report report;
    report.set_verdict(pimsim::v1::VERDICT_PASS);
    report.set_live(!final);
    return report;
  }
  std::mutex mu;
  std::vector<std::string> phases;
};

std::string TempPath(const std::string& name) {
  const char* dir = getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  }
  void TearDown() override {
    // A SIGUSR2 still pending would kill the process once unblocked.
    const timespec zero{0, 0};
    while (sigtimedwait(&signals_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_UNBLOCK, &signals_, nullptr);
  }
  RunOptions Options(const std::string& scenario_text) {
    RunOptions options;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
        absl::StrCat(R"pb(
          instances {
            name: "default"
            connections { client_id: "c1" secret: "s1" username: "u1" password: "p1" }
            connections { client_id: "c2" secret: "s\"2" username: "u2" password: "p2" }
          }
          instances {
            name: "eu"
            connections { client_id: "e1" secret: "es" username: "eu" password: "ep" }
          }
        )pb",
                     scenario_text),
        &options.scenario));
    options.base_url = "http://127.0.0.1:1234";
    options.connections_file = TempPath("connections.json");
    options.output_file = TempPath("output.txt");
    options.stop_grace = absl::Seconds(2);
    return options;
  }
  sigset_t signals_;
  FakeTarget target_;
};

TEST_F(RunTest, TheCommandGetsThePimVariablesAndTheConnectionsFile) {
  RunOptions options = Options(R"pb(
    workload {
      external {
        argv: "sh"
        argv: "-c"
        argv: "echo $PIM_BASE_URL $PIM_CLIENT_ID $PIM_CLIENT_SECRET $PIM_USERNAME $PIM_PASSWORD $EXTRA; cat \"$PIM_CONNECTIONS_FILE\""
        env { key: "EXTRA" value: "extra" }
        env { key: "PIM_PASSWORD" value: "overridden" }
      }
    }
  )pb");
  absl::StatusOr<RunResult> result = RunExternal(options, &target_, signals_);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->report.verdict(), pimsim::v1::VERDICT_PASS) << result->report.DebugString();
  EXPECT_TRUE(result->run_errors.empty());
  EXPECT_FALSE(result->report.live());
  EXPECT_EQ(ReadFile(options.output_file),
            "http://127.0.0.1:1234 c1 s1 u1 overridden extra\n"
            "[\n"
            "  {\"base_url\": \"http://127.0.0.1:1234\", \"client_id\": \"c1\", \"secret\": \"s1\", "
            "\"username\": \"u1\", \"password\": \"p1\"},\n"
            "  {\"base_url\": \"http://127.0.0.1:1234\", \"client_id\": \"c2\", \"secret\": "
            "\"s\\\"2\", \"username\": \"u2\", \"password\": \"p2\"},\n"
            "  {\"base_url\": \"http://127.0.0.1:1234/eu\", \"client_id\": \"e1\", \"secret\": "
            "\"es\", \"username\": \"eu\", \"password\": \"ep\"}\n"
            "]\n");
}

TEST_F(RunTest, OverHttpsTheCommandIsToldTheCaToTrustThroughEveryUsualVariable) {
  RunOptions options = Options(R"pb(
    workload {
      external {
        argv: "sh"
        argv: "-c"
        argv: "echo $PIM_BASE_URL $PIM_CA_FILE $SSL_CERT_FILE $CURL_CA_BUNDLE $REQUESTS_CA_BUNDLE $NODE_EXTRA_CA_CERTS"
      }
    }
  )pb");
  options.base_url = "https://127.0.0.1:1234";
  options.ca_file = "/tmp/pimsim-tls.x/ca.pem";
  absl::StatusOr<RunResult> result = RunExternal(options, &target_, signals_);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(ReadFile(options.output_file),
            "https://127.0.0.1:1234 /tmp/pimsim-tls.x/ca.pem /tmp/pimsim-tls.x/ca.pem "
            "/tmp/pimsim-tls.x/ca.pem /tmp/pimsim-tls.x/ca.pem /tmp/pimsim-tls.x/ca.pem\n");
  // Over plain HTTP none of them is set (the inherited ones stay as they are).
  EXPECT_EQ(CommandEnvironment(options.scenario, "http://127.0.0.1:1", "f").count("PIM_CA_FILE"),
            0u);
}

TEST_F(RunTest, ACommandThatFailsMakesTheRunAnError) {
  RunOptions options = Options(R"pb(
    workload { external { argv: "sh" argv: "-c" argv: "exit 4" } }
  )pb");
  absl::StatusOr<RunResult> result = RunExternal(options, &target_, signals_);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->report.verdict(), pimsim::v1::VERDICT_ERROR);
  ASSERT_EQ(result->run_errors.size(), 1);
  EXPECT_EQ(result->run_errors[0], "the command \"sh -c exit 4\" exited with status 4");
  ASSERT_EQ(result->report.errors_size(), 1);
}

TEST_F(RunTest, ACommandThatCannotStartMakesTheRunAnError) {
  RunOptions options = Options(R"pb(
    workload { external { argv: "./pimsim-no-such-integration" } }
  )pb");
  absl::StatusOr<RunResult> result = RunExternal(options, &target_, signals_);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->report.verdict(), pimsim::v1::VERDICT_ERROR);
  ASSERT_EQ(result->run_errors.size(), 1);
  EXPECT_TRUE(absl::StrContains(result->run_errors[0], "cannot run \"./pimsim-no-such-integration\""))
      << result->run_errors[0];
}

TEST_F(RunTest, ACommandPastItsTimeoutIsStopped) {
  RunOptions options = Options(R"pb(
    workload {
      external {
        argv: "sleep"
        argv: "60"
        timeout { nanos: 300000000 }
      }
    }
  )pb");
  const absl::Time start = absl::Now();
  absl::StatusOr<RunResult> result = RunExternal(options, &target_, signals_);
  ASSERT_TRUE(result.ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  EXPECT_EQ(result->report.verdict(), pimsim::v1::VERDICT_ERROR);
  ASSERT_EQ(result->run_errors.size(), 1);
  EXPECT_TRUE(absl::StartsWith(
      result->run_errors[0],
      "the command ran past its timeout (workload.external.timeout 0.3s) and was stopped"))
      << result->run_errors[0];
}

TEST_F(RunTest, MaxDurationBoundsTheRun) {
  RunOptions options = Options(R"pb(
    max_duration { nanos: 300000000 }
    workload { external { argv: "sleep" argv: "60" } }
  )pb");
  absl::StatusOr<RunResult> result = RunExternal(options, &target_, signals_);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->run_errors.size(), 1);
  EXPECT_TRUE(absl::StartsWith(result->run_errors[0],
                               "the command ran past the run's max_duration (0.3s)"))
      << result->run_errors[0];
}

TEST_F(RunTest, AStopSignalEndsTheRunWithAnIncompleteReport) {
  RunOptions options = Options(R"pb(
    workload {
      external { argv: "sh" argv: "-c" argv: "kill -USR2 $PPID; sleep 60" }
    }
  )pb");
  absl::StatusOr<RunResult> result = RunExternal(options, &target_, signals_);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->report.verdict(), pimsim::v1::VERDICT_ERROR);
  ASSERT_EQ(result->run_errors.size(), 1);
  EXPECT_TRUE(absl::StartsWith(result->run_errors[0], "interrupted (User defined signal 2)"))
      << result->run_errors[0];
  EXPECT_TRUE(absl::StrContains(result->run_errors[0], "incomplete"));
}

TEST_F(RunTest, PhasesRunOnTimeWhileTheCommandRuns) {
  RunOptions options = Options(R"pb(
    phases { name: "one" duration { nanos: 100000000 } }
    phases { name: "two" duration { nanos: 100000000 } }
    phases { name: "never" duration { seconds: 600 } }
    workload { external { argv: "sleep" argv: "0.6" } }
  )pb");
  absl::StatusOr<RunResult> result = RunExternal(options, &target_, signals_);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->report.verdict(), pimsim::v1::VERDICT_PASS);
  ASSERT_EQ(result->report.phases_size(), 3);
  EXPECT_EQ(result->report.phases(0).name(), "one");
  EXPECT_EQ(result->report.phases(2).name(), "never");
  const int64_t one = result->report.phases(0).end_us() - result->report.phases(0).start_us();
  EXPECT_GE(one, 100'000);
  EXPECT_GT(result->report.phases(2).end_us(), 0);
  std::lock_guard<std::mutex> lock(target_.mu);
  EXPECT_EQ(target_.phases, (std::vector<std::string>{"one", "two", "never", ""}));
}

TEST(MockScenarioTest, PhaseFaultsJoinTheScenarioWithTheirPhase) {
  pimsim::v1::Scenario scenario;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
    faults { name: "always" action { status { code: 500 } } }
    phases {
      name: "storm"
      requests: 10
      faults { name: "storm-503" action { status { code: 503 } } }
    }
  )pb",
                                                            &scenario));
  const pimsim::v1::Scenario mock = MockScenario(scenario);
  ASSERT_EQ(mock.faults_size(), 2);
  EXPECT_EQ(mock.faults(0).trigger().phase(), "");
  EXPECT_EQ(mock.faults(1).name(), "storm-503");
  EXPECT_EQ(mock.faults(1).trigger().phase(), "storm");
}

TEST(LiveVerdictIntervalTest, EveryTwoSecondsWhileTheVerdictIsCheap) {
  EXPECT_EQ(LiveVerdictInterval(absl::ZeroDuration()), absl::Seconds(2));
  EXPECT_EQ(LiveVerdictInterval(absl::Milliseconds(100)), absl::Seconds(2));
}

TEST(LiveVerdictIntervalTest, AnExpensiveVerdictTakesAtMostFivePercentOfTheRun) {
  EXPECT_EQ(LiveVerdictInterval(absl::Milliseconds(400)), absl::Seconds(8));
  EXPECT_EQ(LiveVerdictInterval(absl::Seconds(3)), absl::Seconds(60));
}

}  // namespace
}  // namespace pimsim::harness
