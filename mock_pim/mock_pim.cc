#include "mock_pim/mock_pim.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/mutex.h"
#include "limits/limits_config.h"

namespace pimsim {
namespace {

absl::Status InstanceNotFound(std::string_view name) {
  return absl::NotFoundError(
      absl::StrCat("instance \"", absl::string_view(name.data(), name.size()), "\" does not exist"));
}

}  // namespace

MockPim::MockPim(std::unique_ptr<core::PimState> state, Clock* clock, std::string tls_trust_pem)
    : clock_(clock),
      state_(std::move(state)),
      core_(state_.get()),
      tls_trust_pem_(std::move(tls_trust_pem)) {}

MockPim::~MockPim() = default;

absl::StatusOr<std::unique_ptr<MockPim>> MockPim::Create(const pimsim::v1::Scenario& scenario,
                                                         Clock* clock, MockPimOptions options) {
  core::PimStateOptions state_options;
  state_options.journal_capacity = options.journal_capacity;
  absl::StatusOr<std::unique_ptr<core::PimState>> state =
      core::PimState::Create(scenario, clock, state_options);
  if (!state.ok()) return state.status();
  std::unique_ptr<MockPim> pim(
      new MockPim(*std::move(state), clock, std::move(options.tls_trust_pem)));
  // Every rendering (/metrics, the control plane's GetCounters) is current.
  pim->metrics().AddCollectHook([p = pim.get()] { p->RefreshGauges(); });
  return pim;
}

std::vector<std::string> MockPim::instance_names() const {
  std::vector<std::string> names;
  for (const auto& i : state_->instances()) names.push_back(i->name);
  return names;
}

std::string MockPim::http_address() const {
  const http::Server* server = server_.load(std::memory_order_acquire);
  return server == nullptr ? "" : server->address();
}

bool MockPim::http_tls() const {
  const http::Server* server = server_.load(std::memory_order_acquire);
  return server != nullptr && server->tls();
}

AdmissionController* MockPim::admission(std::string_view name) {
  core::Instance* instance = state_->Find(name);
  return instance == nullptr ? nullptr : instance->admission.get();
}

absl::StatusOr<pimsim::v1::Limits> MockPim::GetLimits(std::string_view name) const {
  core::Instance* instance = state_->Find(name);
  if (instance == nullptr) return InstanceNotFound(name);
  return LimitsToProto(instance->admission->limits());
}

absl::StatusOr<pimsim::v1::Limits> MockPim::SetLimits(std::string_view name,
                                                      const pimsim::v1::Limits& limits) {
  core::Instance* instance = state_->Find(name);
  if (instance == nullptr) return InstanceNotFound(name);
  if (absl::Status s = ValidateLimits(limits); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("limits.", s.message()));
  }
  EffectiveLimits resolved = ResolveLimits(limits);
  pimsim::v1::Limits wanted = LimitsToProto(resolved);
  MutexLock lock(&instance->limits_mu);
  pimsim::v1::Limits in_force = LimitsToProto(instance->admission->limits());
  // No change: nothing to apply or to record (a controller that restores
  // the same limits every round must not fill the journal's record).
  if (wanted.SerializeAsString() == in_force.SerializeAsString()) return in_force;
  if (!state_->journal().RecordLimits(clock_->Now(), instance->name, wanted)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the limits changed ", Journal::kMaxLimitChanges,
        " times since the journal was last reset; reset it (pimsim ctl reset --journal) to "
        "change them again"));
  }
  instance->admission->SetLimits(resolved);
  return LimitsToProto(instance->admission->limits());
}

void MockPim::Reset(ResetParts parts) {
  bool all = !parts.store && !parts.journal && !parts.counters && !parts.limiter;
  absl::Time now = clock_->Now();
  for (const auto& instance : state_->instances()) {
    if (all || parts.store) {
      instance->api->Reset();
      instance->tokens->Reset();
    }
    if (all || parts.limiter) instance->admission->Reset();
  }
  if (all || parts.journal) {
    // The journal restarts with the limits in force; no change may fall
    // between the clear and that record.
    std::vector<std::unique_ptr<MutexLock>> held;
    for (const auto& instance : state_->instances()) {
      held.push_back(std::make_unique<MutexLock>(&instance->limits_mu));
    }
    state_->journal().Clear(now);
    for (const auto& instance : state_->instances()) {
      state_->journal().RecordLimits(now, instance->name,
                                     LimitsToProto(instance->admission->limits()));
    }
  }
  if (all || parts.counters) state_->faults().Reset(now);
}

void MockPim::RefreshGauges() {
  for (const auto& instance : state_->instances()) {
    state_->metrics().SetInFlight(instance->name, instance->admission->in_flight_instance());
  }
  const Journal& journal = state_->journal();
  state_->metrics().SetJournal(journal.size(), journal.overflowed(), journal.MemoryBytes());
  if (const http::Server* server = server_.load(std::memory_order_acquire)) {
    const http::ServerStats stats = server->stats();
    HttpServerCounts counts;
    counts.accepted = stats.connections_accepted;
    counts.evicted = stats.connections_evicted;
    counts.refused = stats.connections_rejected;
    counts.open = stats.connections_open;
    counts.limit = stats.connections_limit;
    counts.timeouts = stats.timeouts;
    counts.write_timeouts = stats.write_timeouts;
    counts.tls_handshakes = stats.tls_handshakes;
    counts.tls_handshake_failures = stats.tls_handshake_failures;
    counts.tls_handshake_timeouts = stats.tls_handshake_timeouts;
    state_->metrics().SetHttpServer(counts);
  }
  for (const auto& [kind, count] : state_->faults().InjectedCounts()) {
    state_->metrics().pimsim().faults_injected_total->Get({kind}).Set(count);
  }
}

http::HttpResponse MockPim::MetricsResponse() {
  http::HttpResponse response;
  response.body = state_->metrics().RenderPrometheus();
  response.headers.push_back({"Content-Type", std::string(Metrics::kContentType)});
  return response;
}

}  // namespace pimsim
