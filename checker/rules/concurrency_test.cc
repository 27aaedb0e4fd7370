// concurrency.connection and concurrency.instance on synthetic journals.
#include "checker/testing/journal_builder.h"
#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

using testing::JournalBuilder;
using testing::RuleOf;
using testing::Summary;
using testing::ViolationsOf;

constexpr char kConn[] = "concurrency.connection";
constexpr char kInst[] = "concurrency.instance";

// `n` GETs 1 ms apart from t=1 s, each taking 0.5 s.
void Parallel(JournalBuilder& j, int n, const std::string& connection = "pimsim",
              double start = 1.0) {
  for (int i = 0; i < n; ++i) {
    j.Send("GET", "/api/rest/v1/products/" + connection + "-" + std::to_string(i))
        .Connection(connection)
        .At(start + i * 0.001)
        .Latency(0.5);
  }
}

TEST(ConcurrencyTest, FourInFlightOnAConnectionPasses) {
  JournalBuilder j;
  Parallel(j, 4);
  const auto r = j.Check();
  EXPECT_EQ(ViolationsOf(r, kConn), 0u) << Summary(r);
  EXPECT_EQ(RuleOf(r, kConn).outcome(), pimsim::v1::RULE_OUTCOME_PASSED);
  EXPECT_EQ(RuleOf(r, kConn).samples(), 4u);
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_PASS);
}

TEST(ConcurrencyTest, FiveInFlightOnAConnectionFails) {
  JournalBuilder j;
  Parallel(j, 5);
  const auto r = j.Check();
  ASSERT_EQ(ViolationsOf(r, kConn), 1u) << Summary(r);
  const pimsim::v1::Violation v = testing::FirstViolation(r, kConn);
  EXPECT_EQ(v.message(), "5 requests in flight on connection pimsim (limit 4)");
  EXPECT_EQ(v.event_ids_size(), 5);
  EXPECT_EQ(v.connection(), "pimsim");
  EXPECT_EQ(v.severity(), pimsim::v1::SEVERITY_ERROR);
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_FAIL);
}

TEST(ConcurrencyTest, RequestsTheServerRejectedStillCount) {
  JournalBuilder j;
  Parallel(j, 4);
  j.Send("GET", "/api/rest/v1/products/x").At(1.1).Rejected(
      pimsim::v1::REJECTION_CONCURRENCY_CONNECTION);
  EXPECT_EQ(ViolationsOf(j.Check(), kConn), 1u);
}

TEST(ConcurrencyTest, AResponseWrittenWithinEpsilonAfterAnArrivalIsNotCounted) {
  // Four in flight; the first answers at 1.5 s. A new request stamped 19 ms
  // before that response is within clock noise; 21 ms before is not.
  for (double early : {0.019, 0.021}) {
    JournalBuilder j;
    Parallel(j, 4);
    j.Send("GET", "/api/rest/v1/products/next").At(1.5 - early);
    EXPECT_EQ(ViolationsOf(j.Check(), kConn), early < 0.020 ? 0u : 1u) << early;
  }
}

TEST(ConcurrencyTest, OneViolationPerEpisodeAtItsPeak) {
  JournalBuilder j;
  Parallel(j, 7);  // 5th, 6th and 7th arrivals over the limit
  const auto r = j.Check();
  ASSERT_EQ(ViolationsOf(r, kConn), 1u);
  EXPECT_EQ(testing::FirstViolation(r, kConn).message(),
            "7 requests in flight on connection pimsim (limit 4); 3 arrivals over the limit "
            "in 0.002 s");
}

TEST(ConcurrencyTest, UnauthenticatedRequestsCountForTheInstanceOnly) {
  JournalBuilder j;
  Parallel(j, 6, "");
  const auto r = j.Check();
  EXPECT_EQ(ViolationsOf(r, kConn), 0u);
  EXPECT_EQ(ViolationsOf(r, kInst), 0u);
  EXPECT_EQ(RuleOf(r, kConn).samples(), 0u);
}

TEST(ConcurrencyTest, TenInFlightOnAnInstancePassesElevenFails) {
  for (int extra : {2, 3}) {
    JournalBuilder j;
    Parallel(j, 4, "a");
    Parallel(j, 4, "b");
    Parallel(j, extra, "c");
    const auto r = j.Check();
    EXPECT_EQ(ViolationsOf(r, kConn), 0u);
    EXPECT_EQ(ViolationsOf(r, kInst), extra == 3 ? 1u : 0u) << Summary(r);
    if (extra == 3) {
      EXPECT_EQ(testing::FirstViolation(r, kInst).message(),
                "11 requests in flight on instance main (limit 10)");
    }
  }
}

TEST(ConcurrencyTest, TokenRequestsCount) {
  JournalBuilder j;
  Parallel(j, 4);
  j.Send("POST", "/api/oauth/v1/token").Body("grant").At(1.01);
  EXPECT_EQ(ViolationsOf(j.Check(), kConn), 1u);
}

TEST(ConcurrencyTest, UsesTheLimitsInForce) {
  JournalBuilder j;
  Parallel(j, 3);
  j.input().limits["main"].set_max_in_flight_per_connection(2);
  EXPECT_EQ(ViolationsOf(j.Check(), kConn), 1u);

  JournalBuilder off;
  Parallel(off, 12);
  off.input().limits["main"].set_enabled(false);
  const auto r = off.Check();
  EXPECT_EQ(ViolationsOf(r, kConn), 0u);
  EXPECT_EQ(ViolationsOf(r, kInst), 0u);
  EXPECT_EQ(RuleOf(r, kConn).detail(), "no concurrency limit in force");
}

TEST(ConcurrencyTest, InstancesAreSeparate) {
  JournalBuilder j;
  for (int i = 0; i < 8; ++i) {
    j.Send("GET", "/api/rest/v1/products/" + std::to_string(i))
        .Connection(i % 2 ? "x" : "y")
        .Instance(i < 4 ? "one" : "two")
        .At(1 + i * 0.001)
        .Latency(1);
  }
  const auto r = j.Check();
  EXPECT_EQ(ViolationsOf(r, kConn), 0u) << Summary(r);
  EXPECT_EQ(ViolationsOf(r, kInst), 0u);
}

}  // namespace
}  // namespace pimsim::checker
