// MockPim: the mock Akeneo PIM behind the HTTP server.
//
// For every request it resolves the PIM instance (by path prefix), classifies
// the route, identifies the PIM connection (bearer token, or Basic
// credentials on the token route), asks the instance's admission controller
// whether the request may be served (concurrency, rate, protection), asks the
// fault injector whether to break it, holds an admitted request for a service
// time drawn from the latency model (plus any injected latency), serves it
// from the instance's token service and resource model, and journals the
// attempt when its response has been written (or the client went away).
// GET /metrics answers Prometheus counters and is neither limited nor
// journaled. A request that arrives while the server drains (SIGTERM) is
// answered 503 at once, neither admitted nor faulted, and journaled.
//
// Decisions are pure functions of the request, the clock and the seed: the
// latency of the n-th request is drawn from StreamSeed(seed, n), so a run
// with the same seed and the same traffic replays.
//
// Thread-safety: Handle() is called concurrently from the server's threads.
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
#include "mock_pim/api/api.h"
#include "mock_pim/auth/token_service.h"
#include "mock_pim/faults/fault_injector.h"
#include "mock_pim/http/http_server.h"
#include "mock_pim/journal/journal.h"
#include "mock_pim/limits/admission.h"
#include "mock_pim/latency/latency_model.h"
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
  const pimsim::v1::Scenario& scenario() const { return scenario_; }
  // Instance names in scenario order; the first is served at the root.
  std::vector<std::string> instance_names() const;
  Journal& journal() { return journal_; }
  Metrics& metrics() { return metrics_; }
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
  int64_t JournalMicrosNow() const { return absl::ToInt64Microseconds(clock_->Now() - journal_.epoch()); }
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
  FaultInjector& faults() { return faults_; }

 private:
  struct Instance;
  struct Attempt;
  MockPim(const pimsim::v1::Scenario& scenario, Clock* clock, MockPimOptions options,
          LatencyModel latency);

  // The instance a path belongs to and the path without its prefix.
  Instance& Resolve(std::string_view path, std::string_view* api_path);
  // The named instance ("" = the first), or nullptr.
  Instance* Find(std::string_view name) const;
  void Serve(const std::shared_ptr<http::Exchange>& exchange, std::shared_ptr<Attempt> attempt);
  // Holds a hung request until the client gives up or `until`.
  void Hang(const std::shared_ptr<http::Exchange>& exchange, std::shared_ptr<Attempt> attempt,
            absl::Time until);
  // Ends an exchange without a (complete) response.
  void Disconnect(const std::shared_ptr<http::Exchange>& exchange,
                  const std::shared_ptr<Attempt>& attempt, pimsim::v1::CloseKind kind,
                  std::optional<http::HttpResponse> partial, size_t partial_bytes);
  // Answers the exchange; the admission slot is released first (Release).
  void Respond(const std::shared_ptr<http::Exchange>& exchange,
               const std::shared_ptr<Attempt>& attempt, http::HttpResponse response);
  // Gives an admitted attempt's slot back, once.
  void Release(Attempt& attempt);
  // Journals the attempt once the server has handed its response over.
  void Finish(const std::shared_ptr<Attempt>& attempt, absl::Time written, bool client_aborted);
  void CountStatus(Instance& instance, uint32_t status);
  // Copies the values owned elsewhere (in flight, journal size and overflow,
  // faults injected) into their gauges; runs whenever the metrics render.
  void RefreshGauges();
  http::HttpResponse MetricsResponse();

  Clock* const clock_;
  const pimsim::v1::Scenario scenario_;
  const uint64_t seed_;
  const LatencyModel latency_;
  Journal journal_;
  Metrics metrics_;
  FaultInjector faults_;
  std::vector<std::unique_ptr<Instance>> instances_;
  std::atomic<const http::Server*> server_{nullptr};
  const std::string tls_trust_pem_;
};

}  // namespace pimsim

#endif  // PIMSIM_MOCK_PIM_MOCK_PIM_H_
