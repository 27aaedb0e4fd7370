#include "client/harness/embedded_target.h"

#include "mock_pim/control/live_report.h"

namespace pimsim::harness {

absl::Status EmbeddedTarget::StartPhase(const std::string& name) {
  pim_->faults().StartPhase(name);
  return absl::OkStatus();
}

absl::StatusOr<pimsim::v1::Limits> EmbeddedTarget::GetLimits(const std::string& instance) {
  return pim_->GetLimits(instance);
}

absl::Status EmbeddedTarget::SetLimits(const std::string& instance,
                                       const pimsim::v1::Limits& limits) {
  return pim_->SetLimits(instance, limits).status();
}

uint64_t EmbeddedTarget::RequestsArrived() { return pim_->journal().LastId(); }

int64_t EmbeddedTarget::JournalMicros() { return pim_->JournalMicrosNow(); }

absl::StatusOr<pimsim::v1::Report> EmbeddedTarget::Report(bool final) {
  return control::LiveReport(*pim_, /*live=*/!final);
}

}  // namespace pimsim::harness
