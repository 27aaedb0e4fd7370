#include "mock_pim/metrics/metrics.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace pimsim {
namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(MetricsTest, RendersCountersWithHelpTypeAndSortedSeries) {
  Metrics m;
  auto family = m.AddCounterFamily("http_requests_total", "HTTP requests answered.",
                                   {"instance", "status"});
  ASSERT_TRUE(family.ok()) << family.status();
  (*family)->Get({"main", "429"}).Increment(3);
  (*family)->Get({"main", "200"}).Increment();
  (*family)->Get({"main", "200"}).Increment();
  const std::string page = m.RenderPrometheus();
  EXPECT_TRUE(Contains(page,
                       "# HELP http_requests_total HTTP requests answered.\n"
                       "# TYPE http_requests_total counter\n"
                       "http_requests_total{instance=\"main\",status=\"200\"} 2\n"
                       "http_requests_total{instance=\"main\",status=\"429\"} 3\n"))
      << page;
}

TEST(MetricsTest, SeriesPointersAreStable) {
  Metrics m;
  Family<Counter>* f = *m.AddCounterFamily("c_total", "c", {"k"});
  Counter* first = &f->Get({"a"});
  for (int i = 0; i < 1000; ++i) f->Get({std::to_string(i)});
  EXPECT_EQ(first, &f->Get({"a"}));
}

TEST(MetricsTest, GaugesGoUpAndDown) {
  Metrics m;
  Gauge& g = (*m.AddGaugeFamily("pimsim_in_flight", "In flight.", {"instance"}))->Get({"main"});
  g.Add(5);
  g.Add(-2);
  EXPECT_EQ(g.value(), 3);
  g.Set(-1);
  const std::string page = m.RenderPrometheus();
  EXPECT_TRUE(Contains(page, "# TYPE pimsim_in_flight gauge\npimsim_in_flight{instance=\"main\"} -1\n"))
      << page;
}

TEST(MetricsTest, UnlabelledFamilyIsRenderedFromTheStart) {
  Metrics m;
  ASSERT_TRUE(m.AddCounterFamily("pimsim_journal_overflowed_total", "Overflow.").ok());
  EXPECT_TRUE(Contains(m.RenderPrometheus(), "\npimsim_journal_overflowed_total 0\n"));
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(EscapeHelp("line\\one\ntwo \"quoted\""), "line\\\\one\\ntwo \"quoted\"");
  Metrics m;
  Family<Counter>* f = *m.AddCounterFamily("faults_total", "Faults\nby \\kind.", {"kind"});
  f->Get({"drop \"after\"\n"}).Increment();
  const std::string page = m.RenderPrometheus();
  EXPECT_TRUE(Contains(page, "# HELP faults_total Faults\\nby \\\\kind.\n")) << page;
  EXPECT_TRUE(Contains(page, "faults_total{kind=\"drop \\\"after\\\"\\n\"} 1\n")) << page;
}

TEST(MetricsTest, RegistrationIsIdempotentButConflictsAreErrors) {
  Metrics m;
  auto a = m.AddCounterFamily("x_total", "x", {"instance"});
  auto b = m.AddCounterFamily("x_total", "x", {"instance"});
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(m.AddCounterFamily("x_total", "x", {"other"}).status().code(),
            absl::StatusCode::kAlreadyExists);
  const auto as_gauge = m.AddGaugeFamily("x_total", "x", {"instance"});
  EXPECT_EQ(as_gauge.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(as_gauge.status().message(),
            "metric x_total is already registered as a counter with labels {instance}");
}

TEST(MetricsTest, InvalidNamesAreRejected) {
  Metrics m;
  EXPECT_EQ(m.AddCounterFamily("9lives", "").status().message(),
            "metric name \"9lives\" must match [a-zA-Z_:][a-zA-Z0-9_:]*");
  EXPECT_FALSE(m.AddCounterFamily("has-dash", "").ok());
  EXPECT_FALSE(m.AddCounterFamily("", "").ok());
  EXPECT_TRUE(m.AddCounterFamily("ns:ok_total", "").ok());
  EXPECT_FALSE(m.AddCounterFamily("a_total", "", {"__reserved"}).ok());
  EXPECT_FALSE(m.AddCounterFamily("b_total", "", {"with:colon"}).ok());
  EXPECT_EQ(m.AddCounterFamily("c_total", "", {"k", "k"}).status().message(),
            "metric c_total: label \"k\" appears twice");
}

TEST(MetricsTest, WrongLabelCountIsCountedNotFatal) {
  Metrics m;
  Family<Counter>* f = *m.AddCounterFamily("r_total", "r", {"instance", "reason"});
  f->Get({"main"}).Increment();                     // padded with ""
  f->Get({"main", "rate", "extra"}).Increment();    // truncated
  const std::string page = m.RenderPrometheus();
  EXPECT_TRUE(Contains(page, "r_total{instance=\"main\",reason=\"\"} 1\n")) << page;
  EXPECT_TRUE(Contains(page, "r_total{instance=\"main\",reason=\"rate\"} 1\n")) << page;
  EXPECT_TRUE(Contains(page, "\npimsim_metrics_label_errors_total 2\n")) << page;
}

TEST(MetricsTest, CollectHooksRunBeforeRendering) {
  Metrics m;
  Gauge& g = (*m.AddGaugeFamily("level", "l"))->Get({});
  int calls = 0;
  m.AddCollectHook([&] { g.Set(++calls * 10); });
  EXPECT_TRUE(Contains(m.RenderPrometheus(), "\nlevel 10\n"));
  EXPECT_TRUE(Contains(m.RenderPrometheus(), "\nlevel 20\n"));
}

TEST(MetricsTest, FamiliesAreRenderedInNameOrder) {
  Metrics m;
  (*m.AddCounterFamily("zeta_total", "z"))->Get({}).Increment();
  (*m.AddCounterFamily("alpha_total", "a"))->Get({}).Increment();
  const std::string page = m.RenderPrometheus();
  EXPECT_LT(page.find("alpha_total"), page.find("zeta_total"));
}

TEST(MetricsTest, StandardFamilies) {
  Metrics m;
  auto std_metrics = PimsimMetrics::Register(m);
  ASSERT_TRUE(std_metrics.ok()) << std_metrics.status();
  std_metrics->requests_total->Get({"main", "200"}).Increment();
  std_metrics->rejected_total->Get({"main", "rate_instance"}).Increment();
  std_metrics->admitted_total->Get({"main"}).Increment();
  std_metrics->in_flight->Get({"main"}).Add(1);
  std_metrics->journal_overflowed_total->Get({}).Increment(0);
  std_metrics->faults_injected_total->Get({"status_503"}).Increment();
  const std::string page = m.RenderPrometheus();
  for (const char* line :
       {"pimsim_requests_total{instance=\"main\",status=\"200\"} 1\n",
        "pimsim_rejected_total{instance=\"main\",reason=\"rate_instance\"} 1\n",
        "pimsim_admitted_total{instance=\"main\"} 1\n", "pimsim_in_flight{instance=\"main\"} 1\n",
        "pimsim_journal_overflowed_total 0\n",
        "pimsim_faults_injected_total{kind=\"status_503\"} 1\n",
        "# TYPE pimsim_in_flight gauge\n", "# TYPE pimsim_rejected_total counter\n"}) {
    EXPECT_TRUE(Contains(page, line)) << line << "\n" << page;
  }
  // A second registration (e.g. a second instance's setup) gets the same families.
  auto again = PimsimMetrics::Register(m);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->requests_total, std_metrics->requests_total);
}

TEST(MetricsTest, ShortcutsFeedTheStandardFamilies) {
  Metrics m;
  m.SetInFlight("main", 3);
  m.SetJournal(42, 1, 6000);
  const std::string page = m.RenderPrometheus();
  for (const char* line :
       {"pimsim_in_flight{instance=\"main\"} 3\n", "pimsim_journal_events 42\n",
        "pimsim_journal_overflowed_total 1\n", "pimsim_journal_bytes 6000\n"}) {
    EXPECT_TRUE(Contains(page, line)) << line << "\n" << page;
  }
}

TEST(MetricsTest, HttpServerCountsFeedTheConnectionFamilies) {
  Metrics m;
  HttpServerCounts counts;
  counts.accepted = 12;
  counts.evicted = 3;
  counts.refused = 1;
  counts.open = 8;
  counts.limit = 8;
  counts.timeouts = 2;
  counts.write_timeouts = 4;
  counts.tls_handshakes = 9;
  counts.tls_handshake_failures = 5;
  counts.tls_handshake_timeouts = 6;
  m.SetHttpServer(counts);
  const std::string page = m.RenderPrometheus();
  for (const char* line :
       {"pimsim_http_connections_accepted_total 12\n", "pimsim_http_connections_evicted_total 3\n",
        "pimsim_http_connections_refused_total 1\n", "pimsim_http_connections_open 8\n",
        "pimsim_http_connections_limit 8\n", "pimsim_http_timeouts_total 2\n",
        "pimsim_http_write_timeouts_total 4\n", "pimsim_http_tls_handshakes_total 9\n",
        "pimsim_http_tls_handshake_failures_total 5\n",
        "pimsim_http_tls_handshake_timeouts_total 6\n",
        "# TYPE pimsim_http_connections_open gauge\n",
        "# TYPE pimsim_http_connections_evicted_total counter\n"}) {
    EXPECT_TRUE(Contains(page, line)) << line << "\n" << page;
  }
}

TEST(MetricsTest, ConcurrentIncrementsAreNotLost) {
  Metrics m;
  Family<Counter>* f = *m.AddCounterFamily("hits_total", "h", {"instance"});
  constexpr int kThreads = 4, kPerThread = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Counter& shared = f->Get({"shared"});
      Counter& own = f->Get({"t" + std::to_string(t)});
      for (int i = 0; i < kPerThread; ++i) {
        shared.Increment();
        own.Increment();
      }
      m.RenderPrometheus();  // rendering races with increments safely
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(f->Get({"shared"}).value(), uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(f->Get({"t0"}).value(), uint64_t{kPerThread});
}

}  // namespace
}  // namespace pimsim
