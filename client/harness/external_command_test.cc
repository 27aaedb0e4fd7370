#include "client/harness/external_command.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace pimsim::harness {
namespace {

struct Lines {
  std::mutex mu;
  std::vector<std::string> lines;
  OutputSink Sink() {
    return [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(mu);
      lines.emplace_back(line);
    };
  }
};

bool WaitFor(ExternalCommand& c, absl::Duration limit = absl::Seconds(20)) {
  const absl::Time until = absl::Now() + limit;
  while (!c.Poll()) {
    if (absl::Now() > until) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

TEST(ExternalCommandTest, PassesOutputLinesInOrderAndTheEnvironment) {
  Lines out;
  ExternalCommand::Options options;
  options.argv = {"/bin/sh", "-c", "echo one; echo two >&2; printf \"$PIM_X\"; exit 0"};
  options.env = {{"PIM_X", "last line, no newline"}};
  auto c = ExternalCommand::Start(options, out.Sink());
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(WaitFor(**c));
  EXPECT_TRUE((*c)->succeeded());
  EXPECT_EQ((*c)->exit_reason(), "exited with status 0");
  EXPECT_EQ(out.lines, (std::vector<std::string>{"one", "two", "last line, no newline"}));
}

TEST(ExternalCommandTest, EnvOverridesInheritedAndRunsInTheWorkingDirectory) {
  setenv("PIMSIM_TEST_INHERITED", "parent", 1);
  Lines out;
  ExternalCommand::Options options;
  options.argv = {"sh", "-c", "echo $PIMSIM_TEST_INHERITED $PIMSIM_TEST_OVERRIDE; pwd"};
  options.env = {{"PIMSIM_TEST_OVERRIDE", "child"}};
  options.working_directory = "/";
  auto c = ExternalCommand::Start(options, out.Sink());
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(WaitFor(**c));
  EXPECT_EQ(out.lines, (std::vector<std::string>{"parent child", "/"}));
}

TEST(ExternalCommandTest, SaysHowTheCommandEnded) {
  Lines out;
  ExternalCommand::Options options;
  options.argv = {"sh", "-c", "exit 3"};
  auto failed = ExternalCommand::Start(options, out.Sink());
  ASSERT_TRUE(failed.ok());
  ASSERT_TRUE(WaitFor(**failed));
  EXPECT_FALSE((*failed)->succeeded());
  EXPECT_EQ((*failed)->exit_reason(), "exited with status 3");

  options.argv = {"sh", "-c", "kill -SEGV $$"};
  auto crashed = ExternalCommand::Start(options, out.Sink());
  ASSERT_TRUE(crashed.ok());
  ASSERT_TRUE(WaitFor(**crashed));
  EXPECT_FALSE((*crashed)->succeeded());
  EXPECT_NE((*crashed)->exit_reason().find("killed by signal 11"), std::string::npos)
      << (*crashed)->exit_reason();
}

TEST(ExternalCommandTest, AProgramThatDoesNotExistIsNotFound) {
  Lines out;
  ExternalCommand::Options options;
  options.argv = {"pimsim-no-such-program-anywhere"};
  auto c = ExternalCommand::Start(options, out.Sink());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(c.status().message().find("pimsim-no-such-program-anywhere"), std::string::npos);
  options.argv = {};
  EXPECT_EQ(ExternalCommand::Start(options, out.Sink()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// The parent blocks SIGTERM and ignores SIGPIPE (pimsim run does); the
// child must get neither, or it could not be stopped and would not die of a
// broken pipe.
TEST(ExternalCommandTest, TheChildGetsDefaultSignalsAndStopEndsItsWholeGroup) {
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, nullptr);
  signal(SIGPIPE, SIG_IGN);
  Lines out;
  ExternalCommand::Options options;
  // A child of the command (sleep in the background) must go too.
  options.argv = {"sh", "-c",
                  "grep -E '^(SigBlk|SigIgn)' /proc/self/status; sleep 300 & echo $!; wait"};
  auto c = ExternalCommand::Start(options, out.Sink());
  ASSERT_TRUE(c.ok());
  const absl::Time until = absl::Now() + absl::Seconds(20);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(out.mu);
      if (out.lines.size() >= 3) break;
    }
    ASSERT_LT(absl::Now(), until);
    absl::SleepFor(absl::Milliseconds(5));
  }
  const absl::Time before = absl::Now();
  (*c)->Stop(absl::Seconds(10));
  EXPECT_TRUE((*c)->Poll());
  // SIGTERM was enough: no wait for the grace period.
  EXPECT_LT(absl::Now() - before, absl::Seconds(9));
  EXPECT_NE((*c)->exit_reason().find("killed by signal 15"), std::string::npos)
      << (*c)->exit_reason();
  std::lock_guard<std::mutex> lock(out.mu);
  // The background sleep is gone (or a zombie nobody reaped yet).
  const std::string stat_path = "/proc/" + out.lines[2] + "/stat";
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    FILE* f = fopen(stat_path.c_str(), "r");
    if (f == nullptr) {
      gone = true;
      break;
    }
    char state = 0;
    gone = fscanf(f, "%*d %*s %c", &state) == 1 && state == 'Z';
    fclose(f);
    if (!gone) absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_TRUE(gone) << "the command's child " << out.lines[2] << " still runs";
  EXPECT_EQ(out.lines[0], "SigBlk:\t0000000000000000");
  // SIGPIPE and SIGTERM are not ignored (glibc's internal real-time
  // signals may be, depending on who started the test).
  ASSERT_EQ(out.lines[1].rfind("SigIgn:\t", 0), 0u) << out.lines[1];
  const uint64_t ignored = std::stoull(out.lines[1].substr(8), nullptr, 16);
  EXPECT_EQ(ignored & (1ull << (SIGPIPE - 1)), 0u) << out.lines[1];
  EXPECT_EQ(ignored & (1ull << (SIGTERM - 1)), 0u) << out.lines[1];
  EXPECT_EQ(ignored & ((1ull << 31) - 1), 0u) << out.lines[1];
  pthread_sigmask(SIG_UNBLOCK, &term, nullptr);
  signal(SIGPIPE, SIG_DFL);
}

TEST(ExternalCommandTest, ACommandThatIgnoresSigtermIsKilledAfterTheGrace) {
  Lines out;
  ExternalCommand::Options options;
  options.argv = {"sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"};
  auto c = ExternalCommand::Start(options, out.Sink());
  ASSERT_TRUE(c.ok());
  const absl::Time until = absl::Now() + absl::Seconds(20);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(out.mu);
      if (!out.lines.empty()) break;
    }
    ASSERT_LT(absl::Now(), until);
    absl::SleepFor(absl::Milliseconds(5));
  }
  (*c)->Stop(absl::Milliseconds(200));
  EXPECT_TRUE((*c)->Poll());
  EXPECT_NE((*c)->exit_reason().find("killed by signal 9"), std::string::npos)
      << (*c)->exit_reason();
}

}  // namespace
}  // namespace pimsim::harness
