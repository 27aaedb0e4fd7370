// MockPim: the mock Akeneo PIM behind the HTTP server, and its control
// surface.
//
// It is two things over one core::PimState (the instances, journal, faults,
// latency model and metrics, mock_pim/core/pim_state.h):
//   - the HTTP server's Handler (http_adapter.cc): each exchange becomes a
//     core::Request for the transport-neutral request path
//     (mock_pim/core/request_core.h), which answers it through a Wire over
//     the exchange, on the connection loop's Scheduler. GET /metrics answers
//     Prometheus counters and is neither limited nor journaled.
//   - the control surface (mock_pim.cc) the gRPC service drives: limits,
//     resets, fault rules, the journal and the metrics.
//
// Thread-safety: Handle() is called concurrently from the server's threads;
// the control methods may be called from any thread.
//
//   auto pim = MockPim::Create(config::WithDefaults(scenario), &clock);
//   auto server = http::Server::Create(options, pim->get(), &clock);
#ifndef PIMSIM_MOCK_PIM_MOCK_PIM_H_
#define PIMSIM_MOCK_PIM_MOCK_PIM_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "mock_pim/faults/fault_injector.h"
#include "mock_pim/core/pim_state.h"
#include "mock_pim/core/request_core.h"
#include "mock_pim/http/http_server.h"
#include "mock_pim/journal/journal.h"
#include "mock_pim/limits/admission.h"
#include "mock_pim/metrics/metrics.h"
#include "proto/scenario.pb.h"

namespace pimsim {

struct MockPimOptions {
  // Journal events kept in memory; more are counted as overflowed.
  size_t journal_capacity = 2'000'000;
  // When the API is served over HTTPS: the PEM certificate a client trusts,
  // which the control API hands out (GetServerInfo).
  std::string tls_trust_pem;
};

class MockPim final : public http::Handler {
 public:
  // `scenario` must be validated and have its defaults applied
  // (config::WithDefaults). `clock` must outlive the MockPim.
  static absl::StatusOr<std::unique_ptr<MockPim>> Create(const pimsim::v1::Scenario& scenario,
                                                         Clock* clock,
                                                         MockPimOptions options = {});
  ~MockPim() override;

  void Handle(std::shared_ptr<http::Exchange> exchange) override;
  void OnParseError(http::SocketId socket, int status, std::string_view reason,
                    absl::Time when) override;

  // The scenario the mock was created from.
  const pimsim::v1::Scenario& scenario() const { return state_->scenario(); }
  // Instance names in scenario order; the first is served at the root.
  std::vector<std::string> instance_names() const;
  Journal& journal() { return state_->journal(); }
  Metrics& metrics() { return state_->metrics(); }
  // The server in front of the mock, whose connection counters /metrics
  // then shows (pimsim_http_*); nullptr detaches it. It must stay alive
  // while attached.
  void AttachServer(const http::Server* server) {
    server_.store(server, std::memory_order_release);
  }
  // HOST:PORT of the attached server, "" when none is.
  std::string http_address() const;
  // The attached server serves HTTPS.
  bool http_tls() const;
  // MockPimOptions::tls_trust_pem.
  const std::string& tls_trust_pem() const { return tls_trust_pem_; }
  // Now in journal time: microseconds since the journal's epoch.
  int64_t JournalMicrosNow() const {
    return absl::ToInt64Microseconds(clock_->Now() - state_->journal().epoch());
  }
  // Admission controller of the named instance, nullptr if there is none.
  AdmissionController* admission(std::string_view instance);

  // Control plane. `instance` "" names the first instance; an unknown one is
  // NotFound.
  //
  // The limits in force, every default filled in.
  absl::StatusOr<pimsim::v1::Limits> GetLimits(std::string_view instance) const;
  // Validates and applies new limits atomically (unset fields take the
  // defaults); requests in flight keep their slots. Returns the limits now in
  // force. Each change is recorded in the journal (Journal::RecordLimits:
  // what a verdict judges by, checker/judged_limits.h), as is every
  // instance's limits when the journal starts or is reset; setting the
  // limits already in force changes and records nothing. A change beyond
  // Journal::kMaxLimitChanges since the last reset is refused
  // (ResourceExhausted).
  absl::StatusOr<pimsim::v1::Limits> SetLimits(std::string_view instance,
                                               const pimsim::v1::Limits& limits);
  // What Reset() clears; all false means everything.
  struct ResetParts {
    bool store = false;     // re-seeded resources, no tokens
    bool journal = false;   // no events; the run clock restarts
    bool counters = false;  // fault match counters and the phase
    bool limiter = false;   // buckets full, no protection window
  };
  void Reset(ResetParts parts);
  // The fault rules (set, add, clear, phase); see fault_injector.h.
  FaultInjector& faults() { return state_->faults(); }

 private:
  MockPim(std::unique_ptr<core::PimState> state, Clock* clock, std::string tls_trust_pem);

  // Copies the values owned elsewhere (in flight, journal size and overflow,
  // faults injected, the server's connection counters) into their gauges;
  // runs whenever the metrics render.
  void RefreshGauges();
  http::HttpResponse MetricsResponse();

  Clock* const clock_;
  const std::unique_ptr<core::PimState> state_;
  core::RequestCore core_;
  std::atomic<const http::Server*> server_{nullptr};
  const std::string tls_trust_pem_;
};

}  // namespace pimsim

#endif  // PIMSIM_MOCK_PIM_MOCK_PIM_H_
