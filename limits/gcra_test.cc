#include "limits/gcra.h"

#include "gtest/gtest.h"

namespace pimsim {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

int AdmitBackToBack(Gcra& g, absl::Time now, int attempts) {
  int admitted = 0;
  for (int i = 0; i < attempts; ++i) admitted += g.Admit(now).allowed ? 1 : 0;
  return admitted;
}

TEST(GcraTest, AdmitsExactlyBurstAtOneInstantAfterIdle) {
  for (uint32_t burst : {1u, 2u, 3u, 10u, 100u, 1000u}) {
    Gcra g(100, burst);
    EXPECT_EQ(AdmitBackToBack(g, kStart, burst + 5), static_cast<int>(burst)) << burst;
  }
}

TEST(GcraTest, RejectedRequestsDoNotAdvanceTat) {
  Gcra g(100, 100);
  EXPECT_EQ(AdmitBackToBack(g, kStart, 1000), 100);
  // 900 rejections cost nothing: one emission interval later, one more fits.
  EXPECT_FALSE(g.Admit(kStart + absl::Milliseconds(10) - absl::Nanoseconds(1)).allowed);
  EXPECT_TRUE(g.Admit(kStart + absl::Milliseconds(10)).allowed);
  EXPECT_FALSE(g.Admit(kStart + absl::Milliseconds(10)).allowed);
}

TEST(GcraTest, RetryAfterIsTimeUntilConformance) {
  Gcra g(100, 100);
  AdmitBackToBack(g, kStart, 100);
  GcraResult r = g.Admit(kStart);
  EXPECT_FALSE(r.allowed);
  EXPECT_EQ(r.retry_after, absl::Milliseconds(10));
  r = g.Admit(kStart + absl::Milliseconds(4));
  EXPECT_EQ(r.retry_after, absl::Milliseconds(6));
  EXPECT_TRUE(g.Admit(kStart + absl::Milliseconds(4) + r.retry_after).allowed);

  Gcra slow(3, 3);
  AdmitBackToBack(slow, kStart, 3);
  // T = floor(1e9 / 3) ns.
  EXPECT_EQ(slow.Admit(kStart).retry_after, absl::Nanoseconds(333333333));
}

TEST(GcraTest, SteadyStreamAtExactlyTheRateIsNeverRejected) {
  for (double rate : {3.0, 7.0, 100.0, 333.0}) {
    for (uint32_t burst : {1u, 5u}) {
      Gcra g(rate, burst);
      // Arrivals at exactly k / rate, truncated to nanoseconds as a clock would.
      for (int64_t k = 0; k < 200000; ++k) {
        const absl::Time t =
            kStart + absl::Nanoseconds(static_cast<int64_t>(k * (1e9 / rate)));
        ASSERT_TRUE(g.Admit(t).allowed) << "rate " << rate << " burst " << burst << " k " << k;
      }
    }
  }
}

TEST(GcraTest, LongRunAdmitsRateTimesDurationPlusBurst) {
  Gcra g(100, 100);
  int admitted = 0;
  // 1000 req/s offered for 100 s: a request every millisecond.
  for (int i = 0; i < 100000; ++i) {
    admitted += g.Admit(kStart + absl::Milliseconds(i)).allowed ? 1 : 0;
  }
  // Over [0, 99.999 s]: the burst plus one per 10 ms after the first.
  EXPECT_EQ(admitted, 100 + 9999);
}

TEST(GcraTest, AvailableIsTheBucketLevel) {
  Gcra g(100, 100);
  EXPECT_DOUBLE_EQ(g.Available(kStart), 100);
  GcraResult r = g.Admit(kStart);
  EXPECT_DOUBLE_EQ(r.available, 100);  // before this request
  EXPECT_DOUBLE_EQ(g.Available(kStart), 99);
  AdmitBackToBack(g, kStart, 99);
  EXPECT_DOUBLE_EQ(g.Available(kStart), 0);
  EXPECT_DOUBLE_EQ(g.Available(kStart + absl::Milliseconds(5)), 0.5);
  EXPECT_DOUBLE_EQ(g.Available(kStart + absl::Seconds(1)), 100);
  EXPECT_DOUBLE_EQ(g.Available(kStart + absl::Hours(1)), 100);
}

TEST(GcraTest, CheckDoesNotConsume) {
  Gcra g(1, 1);
  EXPECT_TRUE(g.Check(kStart).allowed);
  EXPECT_TRUE(g.Check(kStart).allowed);
  g.Consume(kStart);
  EXPECT_FALSE(g.Check(kStart).allowed);
}

TEST(GcraTest, ReconfigureKeepsDebtInTime) {
  Gcra g(100, 100);
  AdmitBackToBack(g, kStart, 50);  // TAT = start + 500 ms
  g.Reconfigure(10, 10);           // T = 100 ms, tau = 900 ms
  EXPECT_DOUBLE_EQ(g.Available(kStart), 5);
  EXPECT_EQ(AdmitBackToBack(g, kStart, 10), 5);
  EXPECT_EQ(g.rate(), 10);
  EXPECT_EQ(g.burst(), 10u);
  EXPECT_EQ(g.emission_interval_ns(), 100000000);

  // Tightening below the current debt: nothing available until it is paid.
  Gcra h(100, 100);
  AdmitBackToBack(h, kStart, 100);  // TAT = start + 1 s
  h.Reconfigure(1, 1);              // tau = 0
  EXPECT_DOUBLE_EQ(h.Available(kStart), 0);
  EXPECT_EQ(h.Admit(kStart).retry_after, absl::Seconds(1));
  EXPECT_TRUE(h.Admit(kStart + absl::Seconds(1)).allowed);
}

TEST(GcraTest, LooseningTakesEffectAtOnce) {
  Gcra g(1, 1);
  EXPECT_TRUE(g.Admit(kStart).allowed);
  EXPECT_FALSE(g.Admit(kStart).allowed);
  g.Reconfigure(100, 100);
  // TAT is start + 1 s: at start that is a whole new bucket of debt; half a
  // second later, half of it is paid.
  EXPECT_EQ(AdmitBackToBack(g, kStart, 10), 0);
  EXPECT_EQ(AdmitBackToBack(g, kStart + absl::Milliseconds(500), 200), 50);
}

TEST(GcraTest, ResetRefills) {
  Gcra g(10, 10);
  AdmitBackToBack(g, kStart, 10);
  EXPECT_FALSE(g.Admit(kStart).allowed);
  g.Reset();
  EXPECT_EQ(AdmitBackToBack(g, kStart, 20), 10);
}

TEST(GcraTest, OutOfRangeParametersAreClamped) {
  Gcra g(-5, 0);
  EXPECT_EQ(g.burst(), 1u);
  EXPECT_GT(g.rate(), 0);
  Gcra fast(1e12, 1);
  EXPECT_EQ(fast.emission_interval_ns(), 1);
}

TEST(GcraTest, EarlierTimeIsJudgedAtItsOwnTime) {
  Gcra g(1, 1);
  EXPECT_TRUE(g.Admit(kStart + absl::Seconds(10)).allowed);
  EXPECT_FALSE(g.Admit(kStart).allowed);  // TAT is ahead of it by 11 s
  EXPECT_EQ(g.Admit(kStart).retry_after, absl::Seconds(11));
}

}  // namespace
}  // namespace pimsim
