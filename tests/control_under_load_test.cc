// The control plane driven hard while HTTP load runs, in one process, so that
// ThreadSanitizer (--config=tsan) sees every thread that touches the mock:
// the HTTP server's loops, the ControlServer's gRPC threads, and the test's
// clients. HTTP workers send token, item, list and write requests while
// control threads change limits, add and clear fault rules, reset the
// journal, counters, limiter and store, start phases, and read reports,
// counters and journal pages, and clients watch the journal and violations
// streams.
// Afterwards the server must still answer, and the journal must account for
// every request: the watcher saw ids in increasing order and missed none of
// the events still in the journal, the journal holds every id since its last
// reset, and the only ids gone are those a counted journal reset removed.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "checker/judged_limits.h"
#include "mock_pim/control/control_server.h"
#include "mock_pim/journal/journal.h"
#include "proto/control.grpc.pb.h"
#include "tests/http_test_client.h"
#include "tests/test_server.h"

namespace pimsim::testing {
namespace {

using pimsim::v1::PimControl;

// Long enough for every thread to interleave with every other many times,
// short enough to stay a small test under TSan's slowdown.
constexpr absl::Duration kLoad = absl::Seconds(3);
constexpr int kHttpWorkers = 4;

const std::string kScenario =
    "instances { name: 'default' seed { products: 20 } }" + FixedLatency(absl::Milliseconds(1));

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return context;
}

// Sends requests until `stop`, counting those the server answered (each is
// one journal event) and those that got no response.
class HttpWorker {
 public:
  HttpWorker(uint16_t port, int index) : port_(port), index_(index) {}

  void Run(const std::atomic<bool>& stop) {
    auto client = std::make_unique<TestClient>(port_);
    std::string token;
    for (uint64_t k = 0; !stop.load(); ++k) {
      absl::StatusOr<TestResponse> r;
      if (token.empty()) {
        r = client->Call("POST", "/api/oauth/v1/token",
                         {{"Authorization", BasicAuth("pimsim", "pimsim")},
                          {"Content-Type", "application/json"}},
                         R"({"grant_type":"password","username":"admin","password":"admin"})");
        if (r.ok() && r->status == 200) {
          token = absl::StrCat("Bearer ", ParseAccessToken(r->body));
        }
      } else if (k % 5 == 0) {
        r = client->Call("PATCH", absl::StrCat("/api/rest/v1/products/worker_", index_),
                         {{"Authorization", token}, {"Content-Type", "application/json"}},
                         absl::StrCat(R"({"identifier":"worker_)", index_, R"(","enabled":)",
                                      k % 2 == 0 ? "true" : "false", "}"));
      } else if (k % 2 == 0) {
        r = client->Call("GET", "/api/rest/v1/products?limit=3", {{"Authorization", token}});
      } else {
        r = client->Call("GET", "/api/rest/v1/products/product_000001",
                         {{"Authorization", token}});
      }
      if (!r.ok()) {
        ++unanswered_;
        client = std::make_unique<TestClient>(port_);
        continue;
      }
      ++answered_;
      if (r->status == 401) token.clear();  // a store reset revoked it
      if (absl::EqualsIgnoreCase(r->Header("Connection"), "close")) {
        client = std::make_unique<TestClient>(port_);
      }
    }
  }

  uint64_t answered() const { return answered_; }
  uint64_t unanswered() const { return unanswered_; }

 private:
  static std::string ParseAccessToken(const std::string& body) {
    const std::string key = R"("access_token":")";
    size_t start = body.find(key);
    if (start == std::string::npos) return "";
    start += key.size();
    return body.substr(start, body.find('"', start) - start);
  }

  const uint16_t port_;
  const int index_;
  uint64_t answered_ = 0;
  uint64_t unanswered_ = 0;
};

// Collects the ids WatchJournal streams, from the start of the journal.
class Watcher {
 public:
  explicit Watcher(PimControl::Stub* stub) : stub_(stub) {}

  void Run() {
    pimsim::v1::WatchJournalRequest request;
    std::unique_ptr<grpc::ClientReader<pimsim::v1::JournalEvent>> reader =
        stub_->WatchJournal(&context_, request);
    pimsim::v1::JournalEvent event;
    while (reader->Read(&event)) {
      std::lock_guard<std::mutex> lock(mu_);
      ids_.push_back(event.id());
    }
    status_ = reader->Finish();
  }

  uint64_t last() {
    std::lock_guard<std::mutex> lock(mu_);
    return ids_.empty() ? 0 : ids_.back();
  }
  void Cancel() { context_.TryCancel(); }
  // After Run returned.
  const std::vector<uint64_t>& ids() const { return ids_; }
  const grpc::Status& status() const { return status_; }

 private:
  PimControl::Stub* const stub_;
  grpc::ClientContext context_;
  std::mutex mu_;
  std::vector<uint64_t> ids_;  // guarded by mu_ while Run runs
  grpc::Status status_;
};

// Reads WatchViolations until cancelled: the report judged once for every
// watcher, while the journal changes under it.
class ViolationsWatcher {
 public:
  explicit ViolationsWatcher(PimControl::Stub* stub) : stub_(stub) {}

  void Run() {
    pimsim::v1::WatchViolationsRequest request;
    std::unique_ptr<grpc::ClientReader<pimsim::v1::Violation>> reader =
        stub_->WatchViolations(&context_, request);
    pimsim::v1::Violation violation;
    while (reader->Read(&violation)) {
    }
    status_ = reader->Finish();
  }

  void Cancel() { context_.TryCancel(); }
  const grpc::Status& status() const { return status_; }

 private:
  PimControl::Stub* const stub_;
  grpc::ClientContext context_;
  grpc::Status status_;
};

// Repeats `step(i)` until `stop`, counting the calls that failed.
template <typename Step>
std::thread Loop(const std::atomic<bool>& stop, std::atomic<int>& failures, Step step) {
  return std::thread([&stop, &failures, step] {
    for (int i = 0; !stop.load(); ++i) {
      if (grpc::Status s = step(i); !s.ok()) {
        ADD_FAILURE() << s.error_message();
        ++failures;
      }
    }
  });
}

TEST(ControlUnderLoadTest, ControlCallsDuringLoadKeepTheServerUpAndTheJournalWhole) {
  TestServer server(kScenario);
  absl::StatusOr<std::unique_ptr<control::ControlServer>> control =
      control::ControlServer::Start({.host = "127.0.0.1", .port = 0}, &server.pim());
  ASSERT_TRUE(control.ok()) << control.status();
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateChannel((*control)->address(), grpc::InsecureChannelCredentials());
  std::unique_ptr<PimControl::Stub> stub = PimControl::NewStub(channel);

  Watcher watcher(stub.get());
  std::thread watch([&] { watcher.Run(); });
  ViolationsWatcher violations(stub.get());
  std::thread watch_violations([&] { violations.Run(); });

  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<HttpWorker>> workers;
  std::vector<std::thread> threads;
  for (int w = 0; w < kHttpWorkers; ++w) {
    workers.push_back(std::make_unique<HttpWorker>(server.port(), w));
    threads.emplace_back([&stop, worker = workers.back().get()] { worker->Run(stop); });
  }

  std::atomic<int> failures{0};
  std::atomic<int> journal_resets{0};
  PimControl::Stub* s = stub.get();
  threads.push_back(Loop(stop, failures, [s](int i) {
    pimsim::v1::SetLimitsRequest request;
    // Tight limits (429s for most), then loose ones, then the defaults.
    if (i % 3 == 0) {
      request.mutable_limits()->set_max_in_flight_per_connection(1);
      request.mutable_limits()->mutable_instance_rate()->set_requests_per_second(20);
    } else if (i % 3 == 1) {
      request.mutable_limits()->set_max_in_flight_per_connection(16);
      request.mutable_limits()->mutable_instance_rate()->set_requests_per_second(100000);
    }
    pimsim::v1::SetLimitsResponse response;
    if (grpc::Status st = s->SetLimits(Context().get(), request, &response); !st.ok()) return st;
    pimsim::v1::GetLimitsResponse limits;
    return s->GetLimits(Context().get(), {}, &limits);
  }));
  threads.push_back(Loop(stop, failures, [s](int i) {
    if (i % 4 == 3) {
      pimsim::v1::ClearFaultsResponse cleared;
      return s->ClearFaults(Context().get(), {}, &cleared);
    }
    // Status faults only: every request still gets a response.
    pimsim::v1::AddFaultRequest add;
    add.set_spec(absl::StrCat(i % 2 == 0 ? "status=503,route=list" : "status=500,route=get_item",
                              ",p=0.3,name=load-", i));
    pimsim::v1::AddFaultResponse added;
    if (grpc::Status st = s->AddFault(Context().get(), add, &added); !st.ok()) return st;
    pimsim::v1::ListFaultsResponse listed;
    if (grpc::Status st = s->ListFaults(Context().get(), {}, &listed); !st.ok()) return st;
    if (i % 4 != 1) return grpc::Status::OK;
    pimsim::v1::ClearFaultsRequest clear;
    clear.add_names(added.rule().name());
    pimsim::v1::ClearFaultsResponse cleared;
    return s->ClearFaults(Context().get(), clear, &cleared);
  }));
  threads.push_back(Loop(stop, failures, [s, &journal_resets](int i) {
    pimsim::v1::ResetRequest reset;
    // Journal resets are rarer than the rest, so that the journal holds
    // events long enough for the readers to page through them.
    if (i % 12 == 0) {
      reset.set_journal(true);
    } else if (i % 3 == 0) {
      reset.set_counters(true);
    } else if (i % 3 == 1) {
      reset.set_limiter(true);
    } else {
      reset.set_store(true);
    }
    pimsim::v1::ResetResponse reset_response;
    if (grpc::Status st = s->Reset(Context().get(), reset, &reset_response); !st.ok()) return st;
    if (reset.journal()) ++journal_resets;
    pimsim::v1::StartPhaseRequest phase;
    phase.set_name(absl::StrCat("phase-", i % 3));
    pimsim::v1::StartPhaseResponse previous;
    return s->StartPhase(Context().get(), phase, &previous);
  }));
  threads.push_back(Loop(stop, failures, [s](int i) {
    if (i % 3 == 0) {
      pimsim::v1::Report report;
      return s->GetReport(Context().get(), {}, &report);
    }
    if (i % 3 == 1) {
      pimsim::v1::GetCountersResponse counters;
      return s->GetCounters(Context().get(), {}, &counters);
    }
    pimsim::v1::GetJournalRequest page;
    page.set_max_events(100);
    pimsim::v1::GetJournalResponse events;
    return s->GetJournal(Context().get(), page, &events);
  }));

  absl::SleepFor(kLoad);
  stop = true;
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  violations.Cancel();
  watch_violations.join();
  EXPECT_EQ(violations.status().error_code(), grpc::StatusCode::CANCELLED)
      << violations.status().error_message();

  // The server still answers, with the faults and limits out of the way.
  pimsim::v1::ClearFaultsResponse cleared;
  ASSERT_TRUE(stub->ClearFaults(Context().get(), {}, &cleared).ok());
  pimsim::v1::SetLimitsResponse limits;
  ASSERT_TRUE(stub->SetLimits(Context().get(), {}, &limits).ok());
  pimsim::v1::ResetRequest limiter;
  limiter.set_limiter(true);
  pimsim::v1::ResetResponse reset_response;
  ASSERT_TRUE(stub->Reset(Context().get(), limiter, &reset_response).ok());
  absl::StatusOr<std::string> token = BearerToken(server.port());
  ASSERT_TRUE(token.ok()) << token.status();
  TestClient after(server.port());
  absl::StatusOr<TestResponse> product =
      after.Call("GET", "/api/rest/v1/products/product_000001", {{"Authorization", *token}});
  ASSERT_TRUE(product.ok()) << product.status();
  EXPECT_EQ(product->status, 200);

  uint64_t answered = 2;  // the token and the product just now
  for (const auto& w : workers) {
    answered += w->answered();
    EXPECT_EQ(w->unanswered(), 0u);
  }
  // Each answered request reserved one id, 1 to `answered`; they are in the
  // journal once each event has been appended after its response was sent.
  Journal& journal = server.pim().journal();
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (journal.CompleteThrough() < answered && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(journal.CompleteThrough(), answered);
  while (watcher.last() < answered && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  watcher.Cancel();
  watch.join();
  EXPECT_EQ(watcher.status().error_code(), grpc::StatusCode::CANCELLED)
      << watcher.status().error_message();

  // The journal holds every id from its last reset on, in order.
  std::vector<pimsim::v1::JournalEvent> events = journal.Read(0, answered + 1);
  ASSERT_FALSE(events.empty());
  const uint64_t first = events.front().id();
  ASSERT_EQ(events.size(), answered - first + 1);
  for (size_t k = 0; k < events.size(); ++k) ASSERT_EQ(events[k].id(), first + k);
  if (journal_resets.load() == 0) EXPECT_EQ(first, 1u);

  // The stream never went back, never repeated, and missed none of them.
  const std::vector<uint64_t>& seen = watcher.ids();
  ASSERT_FALSE(seen.empty());
  for (size_t k = 1; k < seen.size(); ++k) ASSERT_LT(seen[k - 1], seen[k]) << "at " << k;
  EXPECT_LE(seen.back(), answered);
  const auto from_first = std::lower_bound(seen.begin(), seen.end(), first);
  EXPECT_EQ(static_cast<uint64_t>(seen.end() - from_first), events.size());

  // Ids before the last reset were journaled then reset away, or were in
  // flight across a reset and dropped as stale: the watcher cannot have seen
  // a stale one.
  const uint64_t before_reset = first - 1;
  const uint64_t seen_before = static_cast<uint64_t>(from_first - seen.begin());
  EXPECT_LE(seen_before + journal.stale(), before_reset);

  // The limits changed under load, and a compliance check still judges the
  // journal against limits at least as loose as those in force.
  absl::StatusOr<pimsim::v1::Limits> in_force = server.pim().GetLimits("");
  const std::map<std::string, pimsim::v1::Limits> folded =
      checker::JudgedLimits(server.pim().journal().LimitChanges());
  ASSERT_EQ(folded.size(), 1u);
  const pimsim::v1::Limits* judged = &folded.begin()->second;
  ASSERT_TRUE(in_force.ok());
  if (judged->max_in_flight_per_connection() != 0) {
    EXPECT_GE(judged->max_in_flight_per_connection(), in_force->max_in_flight_per_connection());
  }
  EXPECT_GE(judged->instance_rate().requests_per_second(),
            in_force->instance_rate().requests_per_second());

  // Every answered request was counted, whatever the resets did.
  pimsim::v1::GetCountersResponse counters;
  ASSERT_TRUE(stub->GetCounters(Context().get(), {}, &counters).ok());
  double requests = 0;
  for (const auto& [name, value] : counters.counters()) {
    if (absl::StartsWith(name, "pimsim_requests_total{")) requests += value;
  }
  EXPECT_EQ(requests, static_cast<double>(answered));
  std::cout << "answered " << answered << " requests; " << journal_resets.load()
            << " journal resets; " << seen.size() << " events watched; " << journal.stale()
            << " stale\n";

  (*control)->Shutdown();
}

}  // namespace
}  // namespace pimsim::testing
