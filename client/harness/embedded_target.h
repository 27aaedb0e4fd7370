// EmbeddedTarget: MockTarget over a MockPim in the same process (`pimsim
// run` without --control).
//
// Thread-safety: as MockPim's control calls: safe from several threads.
#ifndef PIMSIM_CLIENT_HARNESS_EMBEDDED_TARGET_H_
#define PIMSIM_CLIENT_HARNESS_EMBEDDED_TARGET_H_

#include <string>

#include "client/harness/mock_target.h"
#include "common/clock.h"
#include "mock_pim/mock_pim.h"

namespace pimsim::harness {

class EmbeddedTarget final : public MockTarget {
 public:
  // `pim` and `clock` (the mock's) must outlive the target.
  EmbeddedTarget(MockPim* pim, Clock* clock) : pim_(pim), clock_(clock) {}

  absl::Status StartPhase(const std::string& name) override;
  absl::StatusOr<pimsim::v1::Limits> GetLimits(const std::string& instance) override;
  absl::Status SetLimits(const std::string& instance, const pimsim::v1::Limits& limits) override;
  uint64_t RequestsArrived() override;
  int64_t JournalMicros() override;
  absl::StatusOr<pimsim::v1::Report> Report(bool final) override;

 private:
  MockPim* const pim_;
  Clock* const clock_;
};

}  // namespace pimsim::harness

#endif  // PIMSIM_CLIENT_HARNESS_EMBEDDED_TARGET_H_
