#include "checker/judged_limits.h"

#include <map>
#include <string>
#include <vector>

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

TEST(JudgedLimitsTest, FoldsEachInstancesChanges) {
  std::vector<pimsim::v1::LimitChange> changes(4);
  changes[0].set_instance("eu");
  changes[0].mutable_limits()->set_max_in_flight_per_connection(4);
  changes[1].set_instance("us");
  changes[1].mutable_limits()->set_max_in_flight_per_connection(1);
  changes[2].set_instance("eu");
  changes[2].set_time_us(5'000'000);
  changes[2].mutable_limits()->set_max_in_flight_per_connection(2);
  changes[3].set_instance("eu");
  changes[3].set_time_us(9'000'000);
  changes[3].mutable_limits()->set_max_in_flight_per_connection(6);
  const std::map<std::string, pimsim::v1::Limits> judged = JudgedLimits(changes);
  ASSERT_EQ(judged.size(), 2u);
  EXPECT_EQ(judged.at("eu").max_in_flight_per_connection(), 6u);
  EXPECT_EQ(judged.at("us").max_in_flight_per_connection(), 1u);
  // Unset fields are Akeneo's defaults.
  EXPECT_EQ(judged.at("us").max_in_flight_per_instance(), kAkeneoMaxInFlightPerInstance);
  EXPECT_TRUE(JudgedLimits({}).empty());
}

}  // namespace
}  // namespace pimsim::checker
