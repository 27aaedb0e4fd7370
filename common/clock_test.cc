#include "common/clock.h"

#include <gtest/gtest.h>

#include "absl/time/clock.h"

namespace pimsim {
namespace {

TEST(SimulatedClockTest, MovesOnlyWhenAdvanced) {
  SimulatedClock clock(absl::FromUnixSeconds(100));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(100));
  clock.Advance(absl::Milliseconds(250));
  EXPECT_EQ(clock.Now(), absl::FromUnixMillis(100250));
  clock.Sleep(absl::Seconds(1));
  EXPECT_EQ(clock.Now(), absl::FromUnixMillis(101250));
}

TEST(SimulatedClockTest, NeverGoesBackwards) {
  SimulatedClock clock(absl::FromUnixSeconds(100));
  clock.SetTime(absl::FromUnixSeconds(50));
  clock.Advance(-absl::Seconds(1));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(100));
  clock.SetTime(absl::FromUnixSeconds(150));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(150));
}

TEST(RealClockTest, IsMonotonicAndNearSystemTime) {
  RealClock clock;
  absl::Time a = clock.Now();
  absl::Time b = clock.Now();
  EXPECT_LE(a, b);
  EXPECT_LT(absl::AbsDuration(a - absl::Now()), absl::Seconds(5));
}

}  // namespace
}  // namespace pimsim
