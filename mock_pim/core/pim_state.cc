#include "mock_pim/core/pim_state.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/random.h"
#include "google/protobuf/util/time_util.h"
#include "limits/limits_config.h"

namespace pimsim::core {
namespace {

using google::protobuf::util::TimeUtil;

absl::Duration OrDefault(bool has, const google::protobuf::Duration& d, absl::Duration def) {
  return has ? absl::Nanoseconds(TimeUtil::DurationToNanoseconds(d)) : def;
}

}  // namespace

PimState::PimState(const pimsim::v1::Scenario& scenario, Clock* clock, PimStateOptions options,
                   LatencyModel latency)
    : clock_(clock),
      scenario_(scenario),
      latency_(std::move(latency)),
      journal_(options.journal_capacity, clock->Now()),
      faults_(scenario.seed(), clock->Now()) {}

absl::StatusOr<std::unique_ptr<PimState>> PimState::Create(const pimsim::v1::Scenario& scenario,
                                                           Clock* clock,
                                                           PimStateOptions options) {
  if (scenario.instances_size() == 0) {
    return absl::InvalidArgumentError("scenario has no instance (apply config::WithDefaults)");
  }
  absl::StatusOr<LatencyModel> latency = LatencyModel::Create(scenario.latency());
  if (!latency.ok()) return latency.status();
  std::unique_ptr<PimState> state(new PimState(scenario, clock, options, *std::move(latency)));
  if (absl::Status s =
          state->faults_.SetRules({scenario.faults().begin(), scenario.faults().end()});
      !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("faults: ", s.message()));
  }
  for (int i = 0; i < scenario.instances_size(); ++i) {
    const pimsim::v1::Instance& config = scenario.instances(i);
    if (absl::Status s = ValidateLimits(config.limits()); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("instances[", i, "].limits.", s.message()));
    }
    auto instance = std::make_unique<Instance>();
    instance->name = config.name();
    instance->base_path = i == 0 ? "" : absl::StrCat("/", config.name());
    const uint64_t instance_seed = StreamSeed(scenario.seed(), i, /*stream=*/1);
    absl::StatusOr<std::unique_ptr<api::Api>> api =
        api::Api::Create(instance->base_path, config.seed(), instance_seed);
    if (!api.ok()) {
      return absl::Status(api.status().code(), absl::StrCat("instance \"", config.name(), "\": ",
                                                            api.status().message()));
    }
    instance->api = *std::move(api);
    instance->tokens = std::make_unique<auth::TokenService>(
        std::vector<pimsim::v1::Connection>(config.connections().begin(),
                                            config.connections().end()),
        OrDefault(config.has_access_token_lifetime(), config.access_token_lifetime(),
                  absl::Hours(1)),
        OrDefault(config.has_refresh_token_lifetime(), config.refresh_token_lifetime(),
                  absl::Seconds(1'209'600)));
    instance->admission = std::make_unique<AdmissionController>(ResolveLimits(config.limits()));
    state->journal_.RecordLimits(clock->Now(), instance->name,
                                 LimitsToProto(instance->admission->limits()));
    instance->counters.admitted = &state->metrics_.pimsim().admitted_total->Get({instance->name});
    for (int r = 1; r < kNumRejectionKinds; ++r) {
      instance->counters.rejected[r] = &state->metrics_.pimsim().rejected_total->Get(
          {instance->name, RejectionName(static_cast<Rejection>(r))});
    }
    state->instances_.push_back(std::move(instance));
  }
  return state;
}

Instance* PimState::Find(std::string_view name) const {
  if (name.empty()) return instances_.front().get();
  for (const auto& i : instances_) {
    if (i->name == name) return i.get();
  }
  return nullptr;
}

Instance& PimState::Resolve(std::string_view path, std::string_view* api_path) const {
  *api_path = path;
  if (path.size() > 1 && path[0] == '/' &&
      !absl::StartsWith(absl::string_view(path.data(), path.size()), "/api/")) {
    std::string_view rest = path.substr(1);
    std::string_view first = rest.substr(0, rest.find('/'));
    for (const auto& instance : instances_) {
      if (instance->name == first) {
        *api_path = path.substr(1 + first.size());
        if (api_path->empty()) *api_path = "/";
        return *instance;
      }
    }
  }
  return *instances_.front();
}

void PimState::CountStatus(Instance& instance, uint32_t status) {
  if (status >= instance.counters.by_status.size()) status = 0;
  std::atomic<Counter*>& slot = instance.counters.by_status[status];
  Counter* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Family::Get returns the same series for the same labels, so a race
    // here stores the same pointer twice.
    counter = &metrics_.pimsim().requests_total->Get({instance.name, absl::StrCat(status)});
    slot.store(counter, std::memory_order_release);
  }
  counter->Increment();
}

}  // namespace pimsim::core
