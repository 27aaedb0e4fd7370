// rate.instance and rate.attribute_options on synthetic journals.
#include "checker/testing/journal_builder.h"
#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

using testing::JournalBuilder;
using testing::RuleOf;
using testing::Summary;
using testing::ViolationsOf;

constexpr char kRate[] = "rate.instance";
constexpr char kOptions[] = "rate.attribute_options";

// `n` requests spread evenly at `per_second` from `start`, on 50
// connections (so no concurrency rule fires), each answered in 1 ms.
void Stream(JournalBuilder& j, int n, double per_second, double start = 1,
            const std::string& method = "GET", const std::string& path = "/api/rest/v1/products/p") {
  for (int i = 0; i < n; ++i) {
    j.Send(method, path + std::to_string(i))
        .Connection("c" + std::to_string(i % 50))
        .At(start + i / per_second)
        .Latency(0.001);
  }
}

TEST(RateTest, BurstUpToBurstPlusSlackPassesOneMoreFails) {
  for (int n : {105, 106}) {
    JournalBuilder j;
    Stream(j, n, 1e6);  // 1 us apart: one burst
    j.input().limits["main"].set_max_in_flight_per_instance(0);
    const auto r = j.Check();
    EXPECT_EQ(ViolationsOf(r, kRate), n == 106 ? 1u : 0u) << n << Summary(r);
  }
}

TEST(RateTest, SustainedRateWithinSlackPasses) {
  JournalBuilder j;
  Stream(j, 2000, 102);  // 100/s x 1.02
  const auto r = j.Check();
  EXPECT_EQ(ViolationsOf(r, kRate), 0u) << Summary(r);
  EXPECT_EQ(RuleOf(r, kRate).samples(), 2000u);
}

TEST(RateTest, SustainedOverRateFailsOnceWithTheFigures) {
  JournalBuilder j;
  Stream(j, 2000, 110);
  const auto r = j.Check();
  ASSERT_EQ(ViolationsOf(r, kRate), 1u) << Summary(r);
  const auto v = testing::FirstViolation(r, kRate);
  EXPECT_NE(v.message().find("requests above 100/s (burst 100, with slack 102/s and 105)"),
            std::string::npos)
      << v.message();
  EXPECT_EQ(v.instance(), "main");
  EXPECT_EQ(RuleOf(r, kRate).detail(), "max 110 requests in 1 s");
}

TEST(RateTest, UsesTheInstanceLimits) {
  JournalBuilder j;
  Stream(j, 16, 1e6);
  (*j.input().limits["main"].mutable_instance_rate()).set_requests_per_second(10);
  EXPECT_EQ(ViolationsOf(j.Check(), kRate), 1u);  // burst 10 + 5
  JournalBuilder ok;
  Stream(ok, 15, 1e6);
  (*ok.input().limits["main"].mutable_instance_rate()).set_requests_per_second(10);
  EXPECT_EQ(ViolationsOf(ok.Check(), kRate), 0u);
}

TEST(RateTest, AttributeOptionWritesBurstPlusSlackPassesOneMoreFails) {
  const std::string options = "/api/rest/v1/attributes/color/options/o";
  for (int n : {8, 9}) {
    JournalBuilder j;
    Stream(j, n, 1e6, 1, "PATCH", options);
    const auto r = j.Check();
    EXPECT_EQ(ViolationsOf(r, kOptions), n == 9 ? 1u : 0u) << n << Summary(r);
    EXPECT_EQ(ViolationsOf(r, kRate), 0u);
  }
}

TEST(RateTest, AttributeOptionWritesAtThreePerSecondPass) {
  JournalBuilder j;
  Stream(j, 60, 3, 1, "POST", "/api/rest/v1/attributes/color/options?x=");
  const auto r = j.Check();
  EXPECT_EQ(ViolationsOf(r, kOptions), 0u) << Summary(r);
  EXPECT_EQ(RuleOf(r, kOptions).samples(), 60u);
}

TEST(RateTest, AttributeOptionReadsAreNotOptionWrites) {
  JournalBuilder j;
  Stream(j, 50, 50, 1, "GET", "/api/rest/v1/attributes/color/options/o");
  const auto r = j.Check();
  EXPECT_EQ(ViolationsOf(r, kOptions), 0u);
  EXPECT_EQ(RuleOf(r, kOptions).samples(), 0u);
}

TEST(RateTest, AttributeOptionWritesAtFivePerSecondFail) {
  JournalBuilder j;
  Stream(j, 50, 5, 1, "PATCH", "/api/rest/v1/attributes/color/options/o");
  EXPECT_EQ(ViolationsOf(j.Check(), kOptions), 1u);
}

}  // namespace
}  // namespace pimsim::checker
