#include "checker/thresholds.h"

#include <functional>
#include <string>

#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

TEST(ThresholdsTest, DefaultsFollowTheCatalogue) {
  const Thresholds t = ResolveThresholds(pimsim::v1::Thresholds());
  EXPECT_EQ(t.epsilon_us, 20'000);
  EXPECT_EQ(t.max_attempts, 9u);
  EXPECT_EQ(t.max_retry_span_us, 600'000'000);
  EXPECT_EQ(t.min_chains, 5u);
  EXPECT_DOUBLE_EQ(t.immediate_retry_share, 0.5);
  EXPECT_DOUBLE_EQ(t.backoff_growth_ratio, 1.2);
  EXPECT_DOUBLE_EQ(t.jitter_cv_violation, 0.02);
  EXPECT_DOUBLE_EQ(t.jitter_cv_weak, 0.15);
  EXPECT_DOUBLE_EQ(t.persistent_429_share, 0.05);
  EXPECT_EQ(t.persistent_windows, 3u);
  EXPECT_EQ(t.window_us, 10'000'000);
  EXPECT_DOUBLE_EQ(t.rate_slack, 1.02);
  EXPECT_EQ(t.burst_slack, 5u);
  EXPECT_EQ(t.cache_repeats, 3u);
  EXPECT_EQ(t.batch_single_writes, 20u);
  EXPECT_EQ(t.token_grants_per_hour, 5u);
  EXPECT_EQ(t.hang_tolerance_us, 120'000'000);
  EXPECT_EQ(t.outage_min_us, 20'000'000);
}

TEST(ThresholdsTest, SetFieldsOverrideDefaults) {
  pimsim::v1::Thresholds p;
  p.mutable_epsilon()->set_nanos(5'000'000);
  p.set_max_attempts(6);
  p.set_burst_slack(0);
  p.mutable_hang_tolerance()->set_seconds(30);
  const Thresholds t = ResolveThresholds(p);
  EXPECT_EQ(t.epsilon_us, 5'000);
  EXPECT_EQ(t.max_attempts, 6u);
  EXPECT_EQ(t.burst_slack, 0u);
  EXPECT_EQ(t.hang_tolerance_us, 30'000'000);
}

}  // namespace
}  // namespace pimsim::checker
