#include "common/scheduler.h"

#include <string>

#include "gtest/gtest.h"

namespace pimsim {
namespace {

TEST(VirtualSchedulerTest, RunsTasksInTimeOrderAndJumpsTheClock) {
  VirtualScheduler s(absl::FromUnixSeconds(100));
  std::string order;
  s.RunAt(absl::FromUnixSeconds(103), [&] { order += "c"; });
  s.RunAt(absl::FromUnixSeconds(101), [&] { order += "a"; });
  s.RunAt(absl::FromUnixSeconds(101), [&] { order += "b"; });  // same time: in order
  EXPECT_EQ(s.RunUntilIdle(), 3u);
  EXPECT_EQ(order, "abc");
  EXPECT_EQ(s.Now(), absl::FromUnixSeconds(103));
}

TEST(VirtualSchedulerTest, CancelledTasksDoNotRunAndPastTimesRunNext) {
  VirtualScheduler s(absl::FromUnixSeconds(100));
  int ran = 0;
  const Scheduler::TaskId id = s.RunAt(absl::FromUnixSeconds(105), [&] { ran += 10; });
  s.RunAt(absl::FromUnixSeconds(1), [&] { ++ran; });
  s.Cancel(id);
  s.Cancel(id);    // twice: ignored
  s.Cancel(9999);  // unknown: ignored
  s.RunUntilIdle();
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(s.Now(), absl::FromUnixSeconds(100));  // the clock never goes back
}

TEST(VirtualSchedulerTest, RunUntilStopsAtTheGivenTime) {
  VirtualScheduler s(absl::FromUnixSeconds(0));
  int ran = 0;
  s.RunAt(absl::FromUnixSeconds(1), [&] {
    ++ran;
    s.RunAt(s.Now() + absl::Seconds(1), [&] { ++ran; });  // scheduled from a task
  });
  s.RunAt(absl::FromUnixSeconds(10), [&] { ++ran; });
  EXPECT_EQ(s.RunUntil(absl::FromUnixSeconds(5)), 2u);
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(s.Now(), absl::FromUnixSeconds(5));
  EXPECT_FALSE(s.idle());
}

}  // namespace
}  // namespace pimsim
