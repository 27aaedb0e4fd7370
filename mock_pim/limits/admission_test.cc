#include "mock_pim/limits/admission.h"

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "absl/random/distributions.h"
#include "common/clock.h"
#include "gtest/gtest.h"

namespace pimsim {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

// Rate limits only: no concurrency caps, no protection.
EffectiveLimits RateOnly() {
  EffectiveLimits l;
  l.max_in_flight_per_connection = 0;
  l.max_in_flight_per_instance = 0;
  l.protection_enabled = false;
  return l;
}

// Admits and immediately releases (a zero service time).
AdmissionDecision Request(AdmissionController& a, absl::Time now, std::string_view conn = "",
                          bool option_write = false) {
  AdmissionDecision d = a.Admit(now, conn, option_write);
  if (d.admitted) a.Release(conn);
  return d;
}

TEST(AdmissionTest, DefaultsAreTheAkeneoLimits) {
  AdmissionController a{EffectiveLimits{}};
  EXPECT_EQ(a.limits(), EffectiveLimits{});
  EXPECT_EQ(a.in_flight_instance(), 0u);
  EXPECT_DOUBLE_EQ(a.instance_bucket_available(kStart), 100);
}

TEST(AdmissionTest, InstanceRateAdmitsExactlyTheBurstThenOnePerInterval) {
  SimulatedClock clock(kStart);
  AdmissionController a(RateOnly());
  for (int i = 0; i < 100; ++i) {
    AdmissionDecision d = Request(a, clock.Now());
    ASSERT_TRUE(d.admitted) << i;
    EXPECT_DOUBLE_EQ(d.instance_bucket_available, 100 - i);
  }
  AdmissionDecision d = Request(a, clock.Now());
  EXPECT_FALSE(d.admitted);
  EXPECT_EQ(d.rejection, Rejection::kRateInstance);
  EXPECT_EQ(d.retry_after, absl::Milliseconds(10));
  EXPECT_DOUBLE_EQ(d.instance_bucket_available, 0);

  clock.Advance(absl::Milliseconds(10));
  EXPECT_TRUE(Request(a, clock.Now()).admitted);
  EXPECT_FALSE(Request(a, clock.Now()).admitted);

  const AdmissionCounters c = a.counters();
  EXPECT_EQ(c.admitted, 101u);
  EXPECT_EQ(c.rejected_by(Rejection::kRateInstance), 2u);
  EXPECT_EQ(c.rejected_total(), 2u);
  EXPECT_EQ(c.released, 101u);
}

// A compliant client: Poisson arrivals at 95/s. With a burst of 100 the bucket
// empties only if 100 + 5 t more requests than expected arrive within some t;
// a Brownian estimate puts that at about exp(-2 * 5 * 100 / 95) ~ 3e-5 per
// excursion, so no seed should ever see a 429. With burst 1, most would.
TEST(AdmissionTest, CompliantPoissonStreamIsNeverRejected) {
  double lowest_level = 100;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    AdmissionController a{EffectiveLimits{}};
    absl::Time t = kStart;
    int requests = 0;
    while (t < kStart + absl::Seconds(60)) {
      t += absl::Seconds(absl::Exponential<double>(rng, 95.0));
      AdmissionDecision d = Request(a, t, "erp");
      ASSERT_TRUE(d.admitted) << "seed " << seed << " request " << requests;
      lowest_level = std::min(lowest_level, d.instance_bucket_available);
      ++requests;
    }
    EXPECT_NEAR(requests, 95 * 60, 4 * std::sqrt(95 * 60)) << seed;
    EXPECT_EQ(a.counters().rejected_total(), 0u);
  }
  // Headroom left at the worst moment over 20 minutes of traffic.
  RecordProperty("lowest_bucket_level", std::to_string(lowest_level));
  EXPECT_GE(lowest_level, 1);

  // The same stream against a burst of 1 (a strict 10 ms spacing) is not safe.
  std::mt19937_64 rng(1);
  EffectiveLimits strict;
  strict.instance_rate.burst = 1;
  AdmissionController a(strict);
  absl::Time t = kStart;
  while (t < kStart + absl::Seconds(60)) {
    t += absl::Seconds(absl::Exponential<double>(rng, 95.0));
    Request(a, t);
  }
  EXPECT_GT(a.counters().rejected_by(Rejection::kRateInstance), 1000u);
}

TEST(AdmissionTest, DoubleRateStreamGetsAboutTheRateAdmitted) {
  AdmissionController a(RateOnly());
  int admitted = 0, admitted_last_50s = 0;
  for (int i = 0; i < 200 * 60; ++i) {  // every 5 ms for 60 s
    const absl::Time t = kStart + absl::Milliseconds(5 * i);
    const bool ok = Request(a, t).admitted;
    admitted += ok;
    if (t >= kStart + absl::Seconds(10)) admitted_last_50s += ok;
  }
  // The burst (plus what refills while it is spent), then 100/s.
  EXPECT_EQ(admitted, 199 + 5900);
  EXPECT_EQ(admitted_last_50s, 5000);
  EXPECT_EQ(a.counters().rejected_by(Rejection::kRateInstance), 12000u - admitted);
}

TEST(AdmissionTest, AttributeOptionWritesAreLimitedToThreePerSecond) {
  SimulatedClock clock(kStart);
  AdmissionController a(RateOnly());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Request(a, clock.Now(), "", true).admitted);
  AdmissionDecision d = Request(a, clock.Now(), "", true);
  EXPECT_FALSE(d.admitted);
  EXPECT_EQ(d.rejection, Rejection::kRateAttributeOptions);
  EXPECT_EQ(d.retry_after, absl::Nanoseconds(333333333));
  // The refused option write did not take an instance token.
  EXPECT_DOUBLE_EQ(d.instance_bucket_available, 97);
  EXPECT_DOUBLE_EQ(a.instance_bucket_available(clock.Now()), 97);
  // Other requests are not affected by the option bucket.
  EXPECT_TRUE(Request(a, clock.Now()).admitted);

  // Over 10 s at 50 option writes per second: 3 + 3 per second.
  int admitted = 0;
  for (int i = 1; i <= 500; ++i) {
    admitted += Request(a, kStart + absl::Milliseconds(20 * i), "", true).admitted;
  }
  EXPECT_EQ(admitted, 30);
}

TEST(AdmissionTest, OptionWriteRefusedByInstanceBucketKeepsItsOptionToken) {
  AdmissionController a(RateOnly());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(Request(a, kStart).admitted);
  AdmissionDecision d = Request(a, kStart, "", true);
  EXPECT_EQ(d.rejection, Rejection::kRateInstance);
  EXPECT_EQ(d.retry_after, absl::Milliseconds(10));
  // The option bucket is still full: 3 writes fit once instance tokens return.
  int admitted = 0;
  for (int i = 0; i < 5; ++i) admitted += Request(a, kStart + absl::Milliseconds(50), "", true).admitted;
  EXPECT_EQ(admitted, 3);
}

TEST(AdmissionTest, OptionWriteRefusedByBothBucketsGetsTheLongerWait) {
  AdmissionController a(RateOnly());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Request(a, kStart, "", true).admitted);
  for (int i = 0; i < 97; ++i) ASSERT_TRUE(Request(a, kStart).admitted);
  AdmissionDecision d = Request(a, kStart, "", true);
  EXPECT_EQ(d.rejection, Rejection::kRateInstance);
  EXPECT_EQ(d.retry_after, absl::Nanoseconds(333333333));
}

TEST(AdmissionTest, ConnectionConcurrencyCapsAtFourUntilRelease) {
  AdmissionController a{EffectiveLimits{}};
  for (uint32_t i = 0; i < 4; ++i) {
    AdmissionDecision d = a.Admit(kStart, "erp", false);
    ASSERT_TRUE(d.admitted);
    EXPECT_EQ(d.in_flight_connection, i);
    EXPECT_EQ(d.in_flight_instance, i);
  }
  AdmissionDecision d = a.Admit(kStart, "erp", false);
  EXPECT_FALSE(d.admitted);
  EXPECT_EQ(d.rejection, Rejection::kConcurrencyConnection);
  EXPECT_EQ(d.retry_after, absl::Seconds(1));
  EXPECT_EQ(d.in_flight_connection, 4u);
  EXPECT_EQ(a.in_flight("erp"), 4u);
  // Another connection is not affected.
  EXPECT_TRUE(a.Admit(kStart, "shop", false).admitted);
  a.Release("erp");
  EXPECT_EQ(a.in_flight("erp"), 3u);
  EXPECT_TRUE(a.Admit(kStart, "erp", false).admitted);
  EXPECT_FALSE(a.Admit(kStart, "erp", false).admitted);
  // A rejection did not take a slot or a token.
  EXPECT_EQ(a.in_flight_instance(), 5u);
  EXPECT_DOUBLE_EQ(a.instance_bucket_available(kStart), 100 - 6);
}

TEST(AdmissionTest, InstanceConcurrencyCapsAtTen) {
  AdmissionController a{EffectiveLimits{}};
  for (const char* conn : {"a", "b"}) {
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(a.Admit(kStart, conn, false).admitted);
  }
  ASSERT_TRUE(a.Admit(kStart, "c", false).admitted);
  ASSERT_TRUE(a.Admit(kStart, "", false).admitted);  // unauthenticated counts for the instance
  AdmissionDecision d = a.Admit(kStart, "c", false);
  EXPECT_EQ(d.rejection, Rejection::kConcurrencyInstance);
  EXPECT_EQ(d.in_flight_instance, 10u);
  EXPECT_EQ(d.in_flight_connection, 1u);
  // A full connection is reported as such even when the instance is full too.
  EXPECT_EQ(a.Admit(kStart, "a", false).rejection, Rejection::kConcurrencyConnection);
  EXPECT_EQ(a.Admit(kStart, "", false).rejection, Rejection::kConcurrencyInstance);
  a.Release("");
  EXPECT_TRUE(a.Admit(kStart, "d", false).admitted);
  EXPECT_EQ(a.in_flight_instance(), 10u);
}

TEST(AdmissionTest, UnauthenticatedRequestsHaveNoConnectionLimit) {
  EffectiveLimits l;
  l.max_in_flight_per_instance = 0;
  AdmissionController a(l);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(a.Admit(kStart, "", false).admitted);
  EXPECT_EQ(a.in_flight(""), 0u);
  EXPECT_EQ(a.in_flight_instance(), 50u);
}

TEST(AdmissionTest, ConcurrencyRetryAfterIsConfigurable) {
  EffectiveLimits l;
  l.max_in_flight_per_connection = 1;
  l.concurrency_retry_after = absl::Milliseconds(250);
  AdmissionController a(l);
  ASSERT_TRUE(a.Admit(kStart, "x", false).admitted);
  EXPECT_EQ(a.Admit(kStart, "x", false).retry_after, absl::Milliseconds(250));
}

TEST(AdmissionTest, SustainedConcurrencyOveruseEntersProtectionAndLeavesIt) {
  SimulatedClock clock(kStart);
  AdmissionController a{EffectiveLimits{}};  // 200 rejections in 10 s -> 30 s
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(a.Admit(clock.Now(), "greedy", false).admitted);
  for (int i = 1; i < 200; ++i) {
    clock.Advance(absl::Milliseconds(10));
    AdmissionDecision d = a.Admit(clock.Now(), "greedy", false);
    ASSERT_EQ(d.rejection, Rejection::kConcurrencyConnection) << i;
    ASSERT_FALSE(d.entered_protection);
  }
  clock.Advance(absl::Milliseconds(10));
  AdmissionDecision d = a.Admit(clock.Now(), "greedy", false);
  EXPECT_EQ(d.rejection, Rejection::kConcurrencyConnection);
  EXPECT_TRUE(d.entered_protection);
  EXPECT_EQ(d.retry_after, absl::Seconds(30));
  EXPECT_EQ(a.counters().protection_entered, 1u);
  EXPECT_TRUE(a.in_protection(clock.Now(), "greedy"));

  // Even with nothing in flight, everything is refused until it ends.
  for (int i = 0; i < 4; ++i) a.Release("greedy");
  clock.Advance(absl::Seconds(10));
  d = a.Admit(clock.Now(), "greedy", false);
  EXPECT_EQ(d.rejection, Rejection::kProtection);
  EXPECT_EQ(d.retry_after, absl::Seconds(20));
  EXPECT_FALSE(d.entered_protection);
  // Other connections are served.
  EXPECT_TRUE(Request(a, clock.Now(), "polite").admitted);

  clock.Advance(absl::Seconds(20) - absl::Nanoseconds(1));
  EXPECT_EQ(a.Admit(clock.Now(), "greedy", false).retry_after, absl::Nanoseconds(1));
  clock.Advance(absl::Nanoseconds(1));
  EXPECT_FALSE(a.in_protection(clock.Now(), "greedy"));
  EXPECT_TRUE(Request(a, clock.Now(), "greedy").admitted);
  EXPECT_EQ(a.counters().rejected_by(Rejection::kProtection), 2u);
}

TEST(AdmissionTest, RejectionsSpreadBeyondTheWindowDoNotProtect) {
  EffectiveLimits l;
  l.max_in_flight_per_connection = 1;
  AdmissionController a(l);
  ASSERT_TRUE(a.Admit(kStart, "c", false).admitted);
  // 500 rejections, 10 per second: never 200 within 10 s.
  for (int i = 1; i <= 500; ++i) {
    AdmissionDecision d = a.Admit(kStart + absl::Milliseconds(100 * i), "c", false);
    ASSERT_EQ(d.rejection, Rejection::kConcurrencyConnection);
  }
  EXPECT_EQ(a.counters().protection_entered, 0u);
  // Speeding up to 40 per second gets there.
  absl::Time t = kStart + absl::Milliseconds(100 * 500);
  int until_protected = 0;
  while (a.counters().protection_entered == 0) {
    t += absl::Milliseconds(25);
    a.Admit(t, "c", false);
    ++until_protected;
  }
  // The window already holds 100; at 40/s, 100 + 40 t - 10 t = 200 at t ~ 3.4 s.
  EXPECT_GT(until_protected, 100);
  EXPECT_LT(until_protected, 200);
}

TEST(AdmissionTest, SustainedRateOveruseEntersProtection) {
  AdmissionController a{EffectiveLimits{}};
  absl::Time entered = absl::InfinitePast();
  for (int i = 0; i < 200 * 10; ++i) {  // 200/s from one connection
    const absl::Time t = kStart + absl::Milliseconds(5 * i);
    AdmissionDecision d = Request(a, t, "flood");
    if (d.entered_protection) {
      EXPECT_EQ(d.rejection, Rejection::kRateInstance);
      entered = t;
      break;
    }
  }
  // The burst lasts about 1 s, then 100 rejections per second: 200 by ~3 s.
  EXPECT_GT(entered, kStart + absl::Seconds(2));
  EXPECT_LT(entered, kStart + absl::Seconds(4));
  EXPECT_EQ(Request(a, entered + absl::Seconds(1), "flood").rejection, Rejection::kProtection);
}

TEST(AdmissionTest, ProtectionDoesNotApplyToUnauthenticatedRequests) {
  EffectiveLimits l = EffectiveLimits{};
  l.protection_max_rejections = 1;
  l.instance_rate = {1, 1};
  AdmissionController a(l);
  ASSERT_TRUE(Request(a, kStart).admitted);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Request(a, kStart).rejection, Rejection::kRateInstance);
  EXPECT_EQ(a.counters().protection_entered, 0u);
  EXPECT_TRUE(Request(a, kStart + absl::Seconds(1)).admitted);
}

TEST(AdmissionTest, DisabledLimitsAdmitEverythingButCountInFlight) {
  EffectiveLimits l;
  l.enabled = false;
  AdmissionController a(l);
  for (uint32_t i = 0; i < 1000; ++i) {
    AdmissionDecision d = a.Admit(kStart, "x", true);
    ASSERT_TRUE(d.admitted);
    ASSERT_EQ(d.in_flight_connection, i);
  }
  EXPECT_EQ(a.in_flight_instance(), 1000u);
  EXPECT_DOUBLE_EQ(a.instance_bucket_available(kStart), 100);  // nothing charged
  for (int i = 0; i < 1000; ++i) a.Release("x");
  EXPECT_EQ(a.in_flight("x"), 0u);
  EXPECT_EQ(a.counters().admitted, 1000u);
}

TEST(AdmissionTest, SetLimitsAppliesAtRunTimeAndKeepsInFlight) {
  AdmissionController a{EffectiveLimits{}};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(a.Admit(kStart, "x", false).admitted);
  EffectiveLimits tight;
  tight.max_in_flight_per_connection = 2;
  tight.instance_rate = {10, 10};
  a.SetLimits(tight);
  EXPECT_EQ(a.limits(), tight);
  EXPECT_EQ(a.in_flight("x"), 3u);
  EXPECT_EQ(a.Admit(kStart, "x", false).rejection, Rejection::kConcurrencyConnection);
  a.Release("x");
  a.Release("x");
  EXPECT_TRUE(a.Admit(kStart, "x", false).admitted);
  a.Release("x");
  // Debt is kept in time: 3 tokens at 100/s (30 ms) + 1 at 10/s (100 ms).
  EXPECT_DOUBLE_EQ(a.instance_bucket_available(kStart), 10 - 1.3);
  int admitted = 0;
  for (int i = 0; i < 20; ++i) admitted += Request(a, kStart, "y").admitted;
  EXPECT_EQ(admitted, 8);

  EffectiveLimits off = tight;
  off.enabled = false;
  a.SetLimits(off);
  EXPECT_TRUE(Request(a, kStart, "y").admitted);
  a.SetLimits(tight);
  EXPECT_EQ(Request(a, kStart, "y").rejection, Rejection::kRateInstance);
}

TEST(AdmissionTest, SetLimitsKeepsRecentRejectionsUpToTheNewMaximum) {
  EffectiveLimits l;
  l.max_in_flight_per_connection = 1;
  AdmissionController a(l);
  ASSERT_TRUE(a.Admit(kStart, "c", false).admitted);
  for (int i = 0; i < 50; ++i) a.Admit(kStart, "c", false);
  l.protection_max_rejections = 20;
  a.SetLimits(l);
  AdmissionDecision d = a.Admit(kStart, "c", false);
  EXPECT_TRUE(d.entered_protection);
}

TEST(AdmissionTest, ResetForgetsHistoryButKeepsInFlight) {
  EffectiveLimits l;
  l.protection_max_rejections = 1;
  AdmissionController a(l);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(a.Admit(kStart, "c", false).admitted);
  EXPECT_TRUE(a.Admit(kStart, "c", false).entered_protection);
  EXPECT_TRUE(a.in_protection(kStart, "c"));
  a.Reset();
  EXPECT_FALSE(a.in_protection(kStart, "c"));
  EXPECT_DOUBLE_EQ(a.instance_bucket_available(kStart), 100);
  EXPECT_EQ(a.in_flight("c"), 4u);
  EXPECT_EQ(a.Admit(kStart, "c", false).rejection, Rejection::kConcurrencyConnection);
  for (int i = 0; i < 4; ++i) a.Release("c");
  EXPECT_EQ(a.in_flight_instance(), 0u);
  EXPECT_EQ(a.counters().protection_entered, 2u);  // counters are monotonic
}

TEST(AdmissionTest, UnmatchedReleaseIsCountedAndIgnored) {
  AdmissionController a{EffectiveLimits{}};
  a.Release("nobody");
  a.Release("");
  ASSERT_TRUE(a.Admit(kStart, "x", false).admitted);
  a.Release("y");  // wrong connection: the instance count must not drift
  EXPECT_EQ(a.in_flight_instance(), 1u);
  a.Release("x");
  EXPECT_EQ(a.in_flight_instance(), 0u);
  EXPECT_EQ(a.counters().release_unmatched, 3u);
  EXPECT_EQ(a.counters().released, 1u);
}

TEST(AdmissionTest, RejectionMirrorsProto) {
  EXPECT_EQ(ToProto(Rejection::kNone), pimsim::v1::REJECTION_NONE);
  EXPECT_EQ(ToProto(Rejection::kConcurrencyConnection),
            pimsim::v1::REJECTION_CONCURRENCY_CONNECTION);
  EXPECT_EQ(ToProto(Rejection::kConcurrencyInstance), pimsim::v1::REJECTION_CONCURRENCY_INSTANCE);
  EXPECT_EQ(ToProto(Rejection::kRateInstance), pimsim::v1::REJECTION_RATE_INSTANCE);
  EXPECT_EQ(ToProto(Rejection::kRateAttributeOptions),
            pimsim::v1::REJECTION_RATE_ATTRIBUTE_OPTIONS);
  EXPECT_EQ(ToProto(Rejection::kProtection), pimsim::v1::REJECTION_PROTECTION);
  EXPECT_EQ(RejectionName(Rejection::kRateAttributeOptions), "rate_attribute_options");
}

TEST(AdmissionTest, ConcurrentCallersKeepCountsConsistent) {
  EffectiveLimits l;
  l.max_in_flight_per_instance = 0;
  l.instance_rate = {1e6, 1000000};
  AdmissionController a(l);
  constexpr int kThreads = 4, kPerThread = 20000;
  std::atomic<uint64_t> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string conn = "c" + std::to_string(t % 2);
      for (int i = 0; i < kPerThread; ++i) {
        if (a.Admit(kStart, conn, false).admitted) {
          admitted.fetch_add(1);
          a.Release(conn);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const AdmissionCounters c = a.counters();
  EXPECT_EQ(c.admitted + c.rejected_total(), uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(c.admitted, admitted.load());
  EXPECT_EQ(c.released, c.admitted);
  EXPECT_EQ(a.in_flight_instance(), 0u);
  EXPECT_EQ(a.in_flight("c0"), 0u);
}

}  // namespace
}  // namespace pimsim
