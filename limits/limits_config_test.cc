#include "limits/limits_config.h"

#include <limits>
#include <string>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace pimsim {
namespace {

pimsim::v1::Limits Parse(const std::string& text) {
  pimsim::v1::Limits limits;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &limits)) << text;
  return limits;
}

TEST(LimitsConfigTest, EmptyProtoResolvesToAkeneoDefaults) {
  const EffectiveLimits l = ResolveLimits(pimsim::v1::Limits());
  EXPECT_TRUE(l.enabled);
  EXPECT_EQ(l.max_in_flight_per_connection, 4u);
  EXPECT_EQ(l.max_in_flight_per_instance, 10u);
  EXPECT_EQ(l.instance_rate, (RateConfig{100, 100}));
  EXPECT_EQ(l.attribute_option_write_rate, (RateConfig{3, 3}));
  EXPECT_TRUE(l.protection_enabled);
  EXPECT_EQ(l.protection_window, absl::Seconds(10));
  EXPECT_EQ(l.protection_max_rejections, 200u);
  EXPECT_EQ(l.protection_duration, absl::Seconds(30));
  EXPECT_EQ(l.retry_after, pimsim::v1::RETRY_AFTER_FORM_SECONDS);
  EXPECT_EQ(l, EffectiveLimits{});
  EXPECT_TRUE(ValidateLimits(pimsim::v1::Limits()).ok());
  EXPECT_TRUE(ValidateEffectiveLimits(EffectiveLimits{}).ok());
}

TEST(LimitsConfigTest, SetFieldsOverrideDefaults) {
  const EffectiveLimits l = ResolveLimits(Parse(R"pb(
    enabled: false
    max_in_flight_per_connection: 0
    max_in_flight_per_instance: 20
    instance_rate { requests_per_second: 50 burst: 10 }
    attribute_option_write_rate { burst: 1 }
    protection { enabled: false window { seconds: 5 } max_rejections: 7 duration { nanos: 500000000 } }
    retry_after: RETRY_AFTER_FORM_HTTP_DATE
  )pb"));
  EXPECT_FALSE(l.enabled);
  EXPECT_EQ(l.max_in_flight_per_connection, 0u);
  EXPECT_EQ(l.max_in_flight_per_instance, 20u);
  EXPECT_EQ(l.instance_rate, (RateConfig{50, 10}));
  EXPECT_EQ(l.attribute_option_write_rate, (RateConfig{3, 1}));
  EXPECT_FALSE(l.protection_enabled);
  EXPECT_EQ(l.protection_window, absl::Seconds(5));
  EXPECT_EQ(l.protection_max_rejections, 7u);
  EXPECT_EQ(l.protection_duration, absl::Milliseconds(500));
  EXPECT_EQ(l.retry_after, pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE);
}

TEST(LimitsConfigTest, BurstDefaultsToOneSecondOfRateRoundedUp) {
  EXPECT_EQ(ResolveLimits(Parse("instance_rate { requests_per_second: 2.5 }")).instance_rate,
            (RateConfig{2.5, 3}));
  EXPECT_EQ(ResolveLimits(Parse("instance_rate { requests_per_second: 0.2 }")).instance_rate,
            (RateConfig{0.2, 1}));
  EXPECT_EQ(ResolveLimits(Parse("instance_rate { requests_per_second: 250 }")).instance_rate,
            (RateConfig{250, 250}));
  // An empty message is all defaults.
  EXPECT_EQ(ResolveLimits(Parse("attribute_option_write_rate {}")).attribute_option_write_rate,
            (RateConfig{3, 3}));
}

TEST(LimitsConfigTest, RetryAfterUnspecifiedMeansSeconds) {
  EXPECT_EQ(ResolveLimits(Parse("retry_after: RETRY_AFTER_FORM_UNSPECIFIED")).retry_after,
            pimsim::v1::RETRY_AFTER_FORM_SECONDS);
  EXPECT_EQ(ResolveLimits(Parse("retry_after: RETRY_AFTER_FORM_NONE")).retry_after,
            pimsim::v1::RETRY_AFTER_FORM_NONE);
}

struct BadConfig {
  const char* text;
  const char* message;
};

class BadLimitsTest : public testing::TestWithParam<BadConfig> {};

TEST_P(BadLimitsTest, IsRejectedWithFieldAndReason) {
  const absl::Status s = ValidateLimits(Parse(GetParam().text));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << GetParam().text;
  EXPECT_EQ(s.message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadLimitsTest,
    testing::Values(
        BadConfig{"instance_rate { requests_per_second: -1 }",
                  "instance_rate.requests_per_second must be > 0, got -1"},
        BadConfig{"instance_rate { requests_per_second: 0 }",
                  "instance_rate.requests_per_second must be > 0, got 0"},
        BadConfig{"instance_rate { requests_per_second: inf }",
                  "instance_rate.requests_per_second must be finite, got inf"},
        BadConfig{"instance_rate { requests_per_second: nan }",
                  "instance_rate.requests_per_second must be finite, got nan"},
        BadConfig{"instance_rate { requests_per_second: 2e9 }",
                  "instance_rate.requests_per_second must be <= 1e+09, got 2e+09"},
        BadConfig{"instance_rate { burst: 0 }", "instance_rate.burst must be >= 1, got 0"},
        BadConfig{"instance_rate { requests_per_second: 0.0001 burst: 1000 }",
                  "instance_rate.burst must be at most 1e+06 seconds' worth of "
                  "requests_per_second (0.0001), got 1000"},
        BadConfig{"attribute_option_write_rate { requests_per_second: -3 }",
                  "attribute_option_write_rate.requests_per_second must be > 0, got -3"},
        BadConfig{"attribute_option_write_rate { requests_per_second: 3 burst: 0 }",
                  "attribute_option_write_rate.burst must be >= 1, got 0"},
        BadConfig{"protection { window { seconds: 0 } }",
                  "protection.window must be > 0, got 0"},
        BadConfig{"protection { window { seconds: -5 } }",
                  "protection.window must be > 0, got -5s"},
        BadConfig{"protection { window { seconds: 1 nanos: -1 } }",
                  "protection.window is not a valid duration (seconds 1, nanos -1)"},
        BadConfig{"protection { duration { nanos: -1000 } }",
                  "protection.duration must be > 0, got -1us"},
        BadConfig{"protection { max_rejections: 0 }",
                  "protection.max_rejections must be >= 1, got 0"},
        BadConfig{"protection { max_rejections: 2000000 }",
                  "protection.max_rejections must be <= 1000000, got 2000000"},
        BadConfig{"retry_after: 17", "retry_after is not a known RetryAfterForm, got 17"}));

TEST(LimitsConfigTest, DisabledProtectionStillValidatesItsFields) {
  // A scenario may switch protection back on at run time with these values.
  EXPECT_FALSE(ValidateLimits(Parse("protection { enabled: false max_rejections: 0 }")).ok());
}

TEST(LimitsConfigTest, ValidateEffectiveLimitsChecksCodeBuiltValues) {
  EffectiveLimits l;
  l.retry_after = pimsim::v1::RETRY_AFTER_FORM_UNSPECIFIED;
  EXPECT_EQ(ValidateEffectiveLimits(l).message(),
            "retry_after must be SECONDS, HTTP_DATE or NONE, got 0");
  l = EffectiveLimits{};
  l.concurrency_retry_after = absl::Seconds(-1);
  EXPECT_EQ(ValidateEffectiveLimits(l).message(), "concurrency_retry_after must be >= 0, got -1s");
}

TEST(LimitsConfigTest, ParsesRetryAfterForms) {
  EXPECT_EQ(*ParseRetryAfterForm("seconds"), pimsim::v1::RETRY_AFTER_FORM_SECONDS);
  EXPECT_EQ(*ParseRetryAfterForm("http-date"), pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE);
  EXPECT_EQ(*ParseRetryAfterForm("HTTP_DATE"), pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE);
  EXPECT_EQ(*ParseRetryAfterForm("None"), pimsim::v1::RETRY_AFTER_FORM_NONE);
  const auto bad = ParseRetryAfterForm("date");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "retry-after form must be one of seconds, http-date, none; got \"date\"");
  EXPECT_FALSE(ParseRetryAfterForm("").ok());
  for (auto form : {pimsim::v1::RETRY_AFTER_FORM_SECONDS, pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE,
                    pimsim::v1::RETRY_AFTER_FORM_NONE}) {
    EXPECT_EQ(*ParseRetryAfterForm(RetryAfterFormName(form)), form);
  }
}

}  // namespace
}  // namespace pimsim

namespace pimsim {
namespace {

TEST(LimitsToProtoTest, RoundTripsThroughResolve) {
  EffectiveLimits custom;
  custom.enabled = false;
  custom.max_in_flight_per_connection = 2;
  custom.instance_rate = {250.5, 40};
  custom.attribute_option_write_rate = {1, 1};
  custom.protection_window = absl::Milliseconds(2500);
  custom.protection_duration = absl::Seconds(7);
  custom.retry_after = pimsim::v1::RETRY_AFTER_FORM_NONE;
  for (const EffectiveLimits& limits : {EffectiveLimits(), custom}) {
    pimsim::v1::Limits proto = LimitsToProto(limits);
    EXPECT_TRUE(ValidateLimits(proto).ok());
    EXPECT_EQ(ResolveLimits(proto), limits);
  }
}

}  // namespace
}  // namespace pimsim
