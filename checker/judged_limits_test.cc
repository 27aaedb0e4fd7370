#include "checker/judged_limits.h"

#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

TEST(LoosestLimitsTest, EachLimitAtItsLoosest) {
  EffectiveLimits strict;
  strict.max_in_flight_per_connection = 2;
  strict.max_in_flight_per_instance = 20;
  strict.instance_rate = {10, 3};
  EffectiveLimits defaults;
  const EffectiveLimits l = LoosestLimits(strict, defaults);
  EXPECT_EQ(l.max_in_flight_per_connection, 4u);
  EXPECT_EQ(l.max_in_flight_per_instance, 20u);
  EXPECT_EQ(l.instance_rate.rate, 100);
  EXPECT_EQ(l.instance_rate.burst, 100u);
  EXPECT_EQ(LoosestLimits(defaults, strict), l);  // the order does not matter
}

TEST(LoosestLimitsTest, UnlimitedAndDisabledWin) {
  EffectiveLimits unlimited;
  unlimited.max_in_flight_per_instance = 0;
  EXPECT_EQ(LoosestLimits(EffectiveLimits{}, unlimited).max_in_flight_per_instance, 0u);
  EffectiveLimits off;
  off.enabled = false;
  EXPECT_FALSE(LoosestLimits(EffectiveLimits{}, off).enabled);
}

TEST(LoosestLimitsTest, AnHttpDateRetryAfterIsKept) {
  EffectiveLimits date;
  date.retry_after = pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE;
  EXPECT_EQ(LoosestLimits(date, EffectiveLimits{}).retry_after,
            pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE);
  EXPECT_EQ(LoosestLimits(EffectiveLimits{}, date).retry_after,
            pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE);
}

}  // namespace
}  // namespace pimsim::checker
