#include "checker/report_metrics.h"

#include "checker/testing/journal_builder.h"
#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

using testing::JournalBuilder;

TEST(ReportMetricsTest, BucketWidthKeepsTheTimelineUnder300Buckets) {
  EXPECT_EQ(TimelineBucketUs(1), 100'000);
  EXPECT_EQ(TimelineBucketUs(30'000'000), 100'000);
  EXPECT_EQ(TimelineBucketUs(30'000'001), 200'000);
  EXPECT_EQ(TimelineBucketUs(3600'000'000), 15'000'000);
  EXPECT_EQ(TimelineBucketUs(86400'000'000LL), 300'000'000);
  const int64_t week = 7 * 86400'000'000LL;
  EXPECT_LE(week / TimelineBucketUs(week), 300);
}

TEST(ReportMetricsTest, CountsTrafficStatusesLatencyAndPeaks) {
  JournalBuilder j;
  j.Send("GET", "/a").At(0).Latency(0.1);
  j.Send("GET", "/b").At(0.001).Latency(0.2);
  j.Send("GET", "/c").At(0.002).Rejected();
  j.Chain({.path = "/d", .start = 5, .delays = {1}, .latency = 0.1});
  j.Send("GET", "/e").At(9.9).Latency(0.1).Connection("other").Instance("two");
  // Requests pimsim never repeats, so that the GET of /d after its 503 is
  // known to be a retry (retry_chains.h).
  for (int k = 0; k < 10; ++k) j.Send("GET", "/f" + std::to_string(k)).At(10 + k).Latency(0.1);
  const auto events = j.Build();
  const AttemptTable t = BuildAttemptTable(events, {}, 20'000);
  const RetryChains rc = BuildRetryChains(t, 20'000);
  const InFlight f = ComputeInFlight(t, 20'000);
  LimitsInForce l;
  const pimsim::v1::ReportMetrics m = ComputeMetrics(t, rc, f, {5'000'000, 5'000'000}, {l, l});
  EXPECT_EQ(m.requests(), 16u);
  EXPECT_EQ(m.retries(), 1u);
  EXPECT_EQ(m.rejected(), 1u);
  EXPECT_EQ(m.requests_by_status().at(200), 14u);
  EXPECT_EQ(m.requests_by_status().at(429), 1u);
  EXPECT_EQ(m.requests_by_status().at(503), 1u);
  EXPECT_EQ(m.duration().seconds(), 19);
  EXPECT_EQ(m.bucket().nanos(), 100'000'000);
  EXPECT_EQ(m.timeline_size(), 192);
  EXPECT_EQ(m.timeline(0).requests(), 3u);
  EXPECT_EQ(m.timeline(0).rejected(), 1u);
  EXPECT_EQ(m.timeline(0).max_in_flight_instance(), 3u);
  EXPECT_EQ(m.timeline(0).max_in_flight_connection().at("pimsim"), 3u);
  EXPECT_EQ(m.timeline(50).failed(), 1u);
  EXPECT_EQ(m.timeline(50).violations(), 2u);
  EXPECT_EQ(m.timeline(61).retries(), 1u);
  EXPECT_EQ(m.max_in_flight_connection().at("pimsim"), 3u);
  EXPECT_EQ(m.max_in_flight_instance().at("two"), 1u);
  EXPECT_EQ(m.latency_max_us(), 200'000);
  EXPECT_EQ(m.latency_p50_us(), 100'000);
  EXPECT_EQ(m.limit_in_flight_connection(), 4u);
  EXPECT_DOUBLE_EQ(m.limit_requests_per_second(), 100);
  EXPECT_NEAR(m.rejected_per_second(), 1 / 19.1, 1e-9);  // 1 over the 19.1 s journal
}

}  // namespace
}  // namespace pimsim::checker
