// Fuzzes the control plane's request validation by calling ControlService's
// methods directly (no network) with requests parsed from the input, against
// one mock with two instances whose limits, faults and phase are put back
// before every input.
//
// Input: a sequence of calls, each a selector byte (the method, below), a
// 16-bit little-endian length and that many bytes of the serialized request
// message (the last call takes what is left if the length runs past it).
//
// Properties: answers are OK or INVALID_ARGUMENT with a message; a refused
// change leaves limits and rules as they were; an accepted one is what
// GetLimits and ListFaults report afterwards, and every stored rule passes
// ValidateFaultRule.
#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bazel/fuzz_check.h"
#include "common/clock.h"
#include "google/protobuf/util/message_differencer.h"
#include "mock_pim/config/scenario_config.h"
#include "mock_pim/control/control_service.h"
#include "mock_pim/faults/fault_spec.h"
#include "mock_pim/mock_pim.h"
#include "proto/control.pb.h"

namespace pimsim::control {
namespace {

using google::protobuf::util::MessageDifferencer;

constexpr char kScenario[] = R"pb(
  instances { name: "eu" seed { products: 1 families: 1 attributes: 2 categories: 1 } }
  instances {
    name: "us"
    seed { products: 1 families: 1 attributes: 2 categories: 1 }
    limits { instance_rate { requests_per_second: 50 } }
  }
  faults { name: "base" action { status { code: 503 } } }
)pb";

constexpr size_t kMaxCalls = 8;

enum Method : uint8_t {
  kSetLimits,
  kGetLimits,
  kAddFault,
  kSetFaults,
  kClearFaults,
  kStartPhase,
  kGetJournal,
  kParsePrometheus,
  kMethods,
};

struct Fixture {
  SimulatedClock clock;
  std::unique_ptr<MockPim> pim;
  std::unique_ptr<ControlService> service;
  pimsim::v1::Scenario scenario;
};

Fixture& TheFixture() {
  static Fixture* f = [] {
    auto* fixture = new Fixture;
    fixture->scenario = config::WithDefaults(*config::ParseScenarioText(kScenario, "fuzz"));
    fixture->pim = *MockPim::Create(fixture->scenario, &fixture->clock);
    fixture->service = std::make_unique<ControlService>(*fixture->pim);
    return fixture;
  }();
  return *f;
}

void Restore(Fixture& f) {
  // One fixture serves every input, and an input that changes the limits
  // leaves two records (its change, and this restore): start the journal
  // afresh well before its bound on limit changes refuses one.
  if (!f.pim->journal().LimitChanges(Journal::kMaxLimitChanges / 2).empty()) {
    f.pim->Reset({.journal = true});
  }
  for (const pimsim::v1::Instance& instance : f.scenario.instances()) {
    FUZZ_CHECK(f.pim->SetLimits(instance.name(), instance.limits()).ok());
  }
  FUZZ_CHECK(f.pim->faults()
                 .SetRules({f.scenario.faults().begin(), f.scenario.faults().end()})
                 .ok());
  f.pim->faults().StartPhase("");
}

void CheckStatus(const grpc::Status& s) {
  if (s.ok()) return;
  FUZZ_CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  FUZZ_CHECK(!s.error_message().empty());
}

std::vector<pimsim::v1::FaultRule> Rules(MockPim& pim) { return pim.faults().Rules(); }

bool SameRules(const std::vector<pimsim::v1::FaultRule>& a,
               const std::vector<pimsim::v1::FaultRule>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!MessageDifferencer::Equals(a[i], b[i])) return false;
  }
  return true;
}

void CheckStoredRules(MockPim& pim) {
  for (const pimsim::v1::FaultRule& rule : Rules(pim)) {
    FUZZ_CHECK(ValidateFaultRule(rule).ok());
    FUZZ_CHECK(!rule.name().empty());
  }
}

std::vector<pimsim::v1::Limits> AllLimits(Fixture& f) {
  std::vector<pimsim::v1::Limits> out;
  for (const std::string& name : f.pim->instance_names()) out.push_back(*f.pim->GetLimits(name));
  return out;
}

bool SameLimits(const std::vector<pimsim::v1::Limits>& a,
                const std::vector<pimsim::v1::Limits>& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (!MessageDifferencer::Equals(a[i], b[i])) return false;
  }
  return a.size() == b.size();
}

void Call(Fixture& f, uint8_t method, std::string_view payload) {
  ControlService& service = *f.service;
  grpc::ServerContext context;
  const std::vector<pimsim::v1::Limits> limits_before = AllLimits(f);
  const std::vector<pimsim::v1::FaultRule> rules_before = Rules(*f.pim);
  switch (method % kMethods) {
    case kSetLimits: {
      pimsim::v1::SetLimitsRequest request;
      if (!request.ParseFromArray(payload.data(), payload.size())) return;
      pimsim::v1::SetLimitsResponse response;
      const grpc::Status s = service.SetLimits(&context, &request, &response);
      CheckStatus(s);
      if (!s.ok()) {
        FUZZ_CHECK(SameLimits(AllLimits(f), limits_before));
        return;
      }
      const absl::StatusOr<pimsim::v1::Limits> now = f.pim->GetLimits(request.instance());
      FUZZ_CHECK(now.ok() && MessageDifferencer::Equals(*now, response.limits()));
      break;
    }
    case kGetLimits: {
      pimsim::v1::GetLimitsRequest request;
      if (!request.ParseFromArray(payload.data(), payload.size())) return;
      pimsim::v1::GetLimitsResponse response;
      const grpc::Status s = service.GetLimits(&context, &request, &response);
      CheckStatus(s);
      if (s.ok()) FUZZ_CHECK(!response.instance().empty());
      break;
    }
    case kAddFault: {
      pimsim::v1::AddFaultRequest request;
      if (!request.ParseFromArray(payload.data(), payload.size())) return;
      pimsim::v1::AddFaultResponse response;
      const grpc::Status s = service.AddFault(&context, &request, &response);
      CheckStatus(s);
      const std::vector<pimsim::v1::FaultRule> rules = Rules(*f.pim);
      if (!s.ok()) {
        FUZZ_CHECK(SameRules(rules, rules_before));
        return;
      }
      FUZZ_CHECK(rules.size() == rules_before.size() + 1);
      FUZZ_CHECK(MessageDifferencer::Equals(rules.back(), response.rule()));
      break;
    }
    case kSetFaults: {
      pimsim::v1::SetFaultsRequest request;
      if (!request.ParseFromArray(payload.data(), payload.size())) return;
      pimsim::v1::SetFaultsResponse response;
      const grpc::Status s = service.SetFaults(&context, &request, &response);
      CheckStatus(s);
      const std::vector<pimsim::v1::FaultRule> rules = Rules(*f.pim);
      if (!s.ok()) {
        FUZZ_CHECK(SameRules(rules, rules_before));
        return;
      }
      FUZZ_CHECK(SameRules(rules, {response.rules().begin(), response.rules().end()}));
      FUZZ_CHECK(rules.size() == static_cast<size_t>(request.rules_size()));
      break;
    }
    case kClearFaults: {
      pimsim::v1::ClearFaultsRequest request;
      if (!request.ParseFromArray(payload.data(), payload.size())) return;
      pimsim::v1::ClearFaultsResponse response;
      CheckStatus(service.ClearFaults(&context, &request, &response));
      FUZZ_CHECK(Rules(*f.pim).size() + response.removed() == rules_before.size());
      break;
    }
    case kStartPhase: {
      pimsim::v1::StartPhaseRequest request;
      if (!request.ParseFromArray(payload.data(), payload.size())) return;
      pimsim::v1::StartPhaseResponse response;
      const std::string before = f.pim->faults().phase();
      CheckStatus(service.StartPhase(&context, &request, &response));
      FUZZ_CHECK(response.previous() == before);
      FUZZ_CHECK(f.pim->faults().phase() == request.name());
      break;
    }
    case kGetJournal: {
      pimsim::v1::GetJournalRequest request;
      if (!request.ParseFromArray(payload.data(), payload.size())) return;
      pimsim::v1::GetJournalResponse response;
      CheckStatus(service.GetJournal(&context, &request, &response));
      break;
    }
    case kParsePrometheus: {
      pimsim::v1::GetCountersResponse response;
      ParsePrometheusText(payload, response.mutable_counters());
      break;
    }
  }
  CheckStoredRules(*f.pim);
}

}  // namespace
}  // namespace pimsim::control

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pimsim::control;
  Fixture& f = TheFixture();
  Restore(f);
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (size_t i = 0; i < kMaxCalls && input.size() >= 3; ++i) {
    const uint8_t method = static_cast<uint8_t>(input[0]);
    const size_t length = static_cast<uint8_t>(input[1]) | static_cast<uint8_t>(input[2]) << 8;
    input.remove_prefix(3);
    const std::string_view payload = input.substr(0, length);
    input.remove_prefix(payload.size());
    Call(f, method, payload);
  }
  return 0;
}
