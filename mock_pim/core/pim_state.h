// PimState: everything the mock PIM holds, built from a scenario: its
// instances (each a resource model, token service, admission controller and
// counters), the journal, the fault rules, the latency model and the
// metrics. The request path (request_core.h) and the control surface
// (mock_pim/mock_pim.h) both work on one PimState; neither owns the other.
//
// An instance is served under its path prefix ("/<name>/api/..."), the first
// one at the root as well.
//
// Thread-safety: the members are thread-safe themselves (each says how);
// the instance list is fixed at Create.
//
//   auto state = PimState::Create(config::WithDefaults(scenario), &clock);
//   std::string_view api_path;
//   Instance& instance = (*state)->Resolve("/eu/api/rest/v1", &api_path);
#ifndef PIMSIM_MOCK_PIM_CORE_PIM_STATE_H_
#define PIMSIM_MOCK_PIM_CORE_PIM_STATE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "mock_pim/api/api.h"
#include "mock_pim/auth/token_service.h"
#include "mock_pim/faults/fault_injector.h"
#include "mock_pim/journal/journal.h"
#include "mock_pim/latency/latency_model.h"
#include "mock_pim/limits/admission.h"
#include "mock_pim/metrics/metrics.h"
#include "proto/scenario.pb.h"

namespace pimsim::core {

// One PIM instance of the scenario.
struct Instance {
  // Counters of this instance, resolved once so that the hot path does one
  // atomic add per request.
  struct Counters {
    Counter* admitted = nullptr;
    std::array<Counter*, kNumRejectionKinds> rejected = {};
    // requests_total by status code, created on first use.
    std::array<std::atomic<Counter*>, 600> by_status = {};
  };
  std::string name;
  // "" for the first instance, "/<name>" for the others.
  std::string base_path;
  std::unique_ptr<api::Api> api;
  std::unique_ptr<auth::TokenService> tokens;
  std::unique_ptr<AdmissionController> admission;
  Counters counters;
  // Held while the limits in force change and are recorded in the journal
  // (taken before the admission controller's lock), and by a journal reset
  // while it clears the journal and records the limits in force: so the
  // journal's record always starts with the limits in force after a reset
  // and holds every change after it.
  Mutex limits_mu;
};

struct PimStateOptions {
  // Journal events kept in memory; more are counted as overflowed.
  size_t journal_capacity = 2'000'000;
};

class PimState {
 public:
  // `scenario` must be validated and have its defaults applied
  // (config::WithDefaults). `clock` must outlive the state; it gives the
  // journal its epoch and the limits their first record.
  static absl::StatusOr<std::unique_ptr<PimState>> Create(const pimsim::v1::Scenario& scenario,
                                                          Clock* clock,
                                                          PimStateOptions options = {});
  PimState(const PimState&) = delete;
  PimState& operator=(const PimState&) = delete;

  const pimsim::v1::Scenario& scenario() const { return scenario_; }
  uint64_t seed() const { return scenario_.seed(); }
  Clock* clock() const { return clock_; }
  Journal& journal() { return journal_; }
  Metrics& metrics() { return metrics_; }
  FaultInjector& faults() { return faults_; }
  const LatencyModel& latency() const { return latency_; }
  const std::vector<std::unique_ptr<Instance>>& instances() const { return instances_; }

  // The instance a path belongs to and, in *api_path, the path without its
  // prefix (a view into `path`).
  Instance& Resolve(std::string_view path, std::string_view* api_path) const;
  // The named instance ("" = the first), or nullptr.
  Instance* Find(std::string_view name) const;
  // Counts a response status in requests_total{instance,status}.
  void CountStatus(Instance& instance, uint32_t status);

 private:
  PimState(const pimsim::v1::Scenario& scenario, Clock* clock, PimStateOptions options,
           LatencyModel latency);

  Clock* const clock_;
  const pimsim::v1::Scenario scenario_;
  const LatencyModel latency_;
  Journal journal_;
  Metrics metrics_;
  FaultInjector faults_;
  std::vector<std::unique_ptr<Instance>> instances_;
};

}  // namespace pimsim::core

#endif  // PIMSIM_MOCK_PIM_CORE_PIM_STATE_H_
