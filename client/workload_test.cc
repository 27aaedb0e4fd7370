// The built-in workloads in simulated time against FakePim: what each kind
// sends, the closed model's bound on operations in flight, the open model's
// arrival rate, and batch lines with a transient status sent again.
#include "client/workload.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/testing/fake_pim.h"
#include "client/workload_spec.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace pimsim::client {
namespace {

using testing::FakePim;

pimsim::v1::ReferenceWorkload Spec(const std::string& text) {
  pimsim::v1::ReferenceWorkload w;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &w)) << text;
  return w;
}

struct WorkloadRun {
  explicit WorkloadRun(const std::string& text, absl::Duration latency = absl::Milliseconds(20))
      : scheduler(absl::FromUnixSeconds(1700000000)), pim(scheduler, latency) {
    spec = Spec(text);
    absl::StatusOr<Policy> policy = PolicyFromProto(spec.policy());
    EXPECT_TRUE(policy.ok()) << policy.status();
    std::vector<Credentials> creds;
    for (int i = 0; i < 2; ++i) {
      creds.push_back({FakePim::kBaseUrl, absl::StrCat("c", i), "s", "u", "p"});
    }
    client = std::make_unique<AkeneoClient>(scheduler, pim, *policy, creds, 3);
    driver = std::make_unique<WorkloadDriver>(scheduler, *client, spec, 3);
  }
  void Go() {
    driver->Start([this] { done = true; });
    scheduler.RunUntilIdle();
    EXPECT_TRUE(done);
    EXPECT_TRUE(driver->finished());
  }
  pimsim::v1::ReferenceWorkload spec;
  VirtualScheduler scheduler;
  FakePim pim;
  std::unique_ptr<AkeneoClient> client;
  std::unique_ptr<WorkloadDriver> driver;
  bool done = false;
};

TEST(WorkloadTest, AnImportSendsTheProductsInBatches) {
  WorkloadRun r("kind: KIND_IMPORT products: 250 batch_size: 100");
  r.Go();
  EXPECT_EQ(r.pim.products().size(), 250u);
  EXPECT_EQ(r.pim.Requests("PATCH", "/api/rest/v1/products").size(), 3u);
  EXPECT_EQ(r.driver->counts().applied, 250u);
  EXPECT_EQ(r.driver->counts().finished, 3u);
}

TEST(WorkloadTest, BatchLinesWithATransientStatusAreSentAgain) {
  WorkloadRun r("kind: KIND_IMPORT products: 20 batch_size: 10");
  r.pim.SetLineHook([](const std::string& id, uint64_t batch) {
    return id == "pimsim-00000003" && batch <= 2 ? 503 : 0;
  });
  r.Go();
  EXPECT_EQ(r.pim.products().size(), 20u);
  EXPECT_EQ(r.driver->counts().applied, 20u);
  EXPECT_EQ(r.pim.Requests("PATCH", "/api/rest/v1/products").size(), 3u);
}

TEST(WorkloadTest, TheClosedModelKeepsAtMostItsWorkersInFlight) {
  WorkloadRun r("kind: KIND_IMPORT products: 60 batch_size: 1 workers: 3 "
        "policy { requests_per_second: 0 }",
        absl::Milliseconds(100));
  r.Go();
  EXPECT_EQ(r.pim.products().size(), 60u);
  EXPECT_EQ(r.pim.max_in_flight(), 3);
  // 60 operations, 3 at a time, 100 ms each (plus the token).
  EXPECT_EQ(r.scheduler.Now() - absl::FromUnixSeconds(1700000000), absl::Milliseconds(2100));
}

TEST(WorkloadTest, TheOpenModelStartsOperationsAtItsRate) {
  WorkloadRun r("kind: KIND_IMPORT products: 400 batch_size: 1 arrival_rate: 20 "
        "policy { requests_per_second: 0 }",
        absl::Milliseconds(10));
  r.Go();
  const auto writes = r.pim.Requests("PATCH", "/api/rest/v1/products/");
  ASSERT_EQ(writes.size(), 400u);
  // Poisson arrivals at 20/s: 400 take about 20 s (5 standard deviations: 5 s).
  const double span = absl::ToDoubleSeconds(writes.back().sent - writes.front().sent);
  EXPECT_NEAR(span, 20, 5);
}

TEST(WorkloadTest, AnOptionSyncUpsertsTheAttributeThenEachOptionUnderThreePerSecond) {
  WorkloadRun r("kind: KIND_OPTION_SYNC options: 9");
  r.Go();
  const auto options = r.pim.Requests("PATCH", "/api/rest/v1/attributes/pimsim_sync/options/");
  ASSERT_EQ(options.size(), 9u);
  EXPECT_EQ(r.pim.Requests("PATCH", "/api/rest/v1/attributes/pimsim_sync").size(), 10u);
  for (size_t i = 1; i < options.size(); ++i) {
    EXPECT_GE(options[i].sent - options[i - 1].sent, absl::Seconds(1.0 / 3)) << i;
  }
}

TEST(WorkloadTest, AReadPassesOverTheCatalogueAfterTheReferenceData) {
  WorkloadRun r("kind: KIND_READ reads: 2");
  for (int i = 0; i < 150; ++i) {
    r.pim.mutable_products()[absl::StrCat("p", 1000 + i)] =
        absl::StrCat(R"({"identifier":"p)", 1000 + i, R"("})");
  }
  r.Go();
  EXPECT_EQ(r.pim.Requests("GET", "/api/rest/v1/channels").size(), 1u);
  EXPECT_EQ(r.pim.Requests("GET", "/api/rest/v1/products?").size(), 4u);  // 2 passes of 2 pages
  EXPECT_EQ(r.driver->counts().applied, 2u);
}

TEST(WorkloadTest, AMixIsSevenBatchesTwoReadsAndOneOptionInTen) {
  WorkloadRun r("kind: KIND_MIX products: 700 batch_size: 10");
  r.Go();
  EXPECT_EQ(r.pim.Requests("PATCH", "/api/rest/v1/products").size() -
                r.pim.Requests("PATCH", "/api/rest/v1/products/").size(),
            70u);
  EXPECT_EQ(r.pim.Requests("GET", "/api/rest/v1/products/").size(), 20u);
  EXPECT_EQ(r.pim.Requests("PATCH", "/api/rest/v1/attributes/pimsim_sync/options/").size(), 10u);
  EXPECT_EQ(r.driver->counts().operations, 100u);
}

TEST(WorkloadSpecTest, BadFieldsAreNamed) {
  const std::pair<const char*, const char*> bad[] = {
      {"batch_size: 101", "workload.reference.batch_size"},
      {"connections: 3", "workload.reference.connections: must be 1 to 2"},
      {"workers: 0", "workload.reference.workers"},
      {"arrival_rate: -1", "workload.reference.arrival_rate"},
      {"policy { preset: \"careful\" }", "workload.reference.policy.preset: unknown preset"},
      {"policy { safety_margin: 0.9 }", "workload.reference.policy.safety_margin"},
      {"policy { backoff_base { seconds: 10 } backoff_cap { seconds: 1 } }",
       "workload.reference.policy.backoff_cap"},
  };
  for (const auto& [text, want] : bad) {
    const absl::Status s = ValidateReferenceWorkload(Spec(text), 2);
    EXPECT_NE(std::string(s.message()).find(want), std::string::npos) << text << ": " << s;
  }
  EXPECT_TRUE(ValidateReferenceWorkload(Spec("kind: KIND_MIX workers: 4"), 2).ok());
}

}  // namespace
}  // namespace pimsim::client
