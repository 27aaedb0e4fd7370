// RemoteTarget: MockTarget over a running mock's control API (`pimsim run
// --control=ADDR`), e.g. a `pimsim serve` in another container of a CI job.
//
// Thread-safety: safe from several threads (gRPC stubs are).
#ifndef PIMSIM_CLIENT_HARNESS_REMOTE_TARGET_H_
#define PIMSIM_CLIENT_HARNESS_REMOTE_TARGET_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "client/harness/mock_target.h"
#include "proto/control.grpc.pb.h"

namespace pimsim::harness {

class RemoteTarget final : public MockTarget {
 public:
  // `address` is HOST:PORT; `token` the control token ("" for none).
  RemoteTarget(const std::string& address, const std::string& token);

  // Where the mock serves and what it runs; Unavailable when it cannot be
  // reached.
  absl::StatusOr<pimsim::v1::GetServerInfoResponse> Info();
  // Makes the journal start over (events, counters, phase): the run is
  // judged alone.
  absl::Status ResetForRun();
  // Adds fault rules (a run's phase rules) and, at the end, removes them.
  absl::Status AddFaults(const std::vector<pimsim::v1::FaultRule>& rules);
  absl::Status ClearFaults(const std::vector<std::string>& names);

  absl::Status StartPhase(const std::string& name) override;
  absl::StatusOr<pimsim::v1::Limits> GetLimits(const std::string& instance) override;
  absl::Status SetLimits(const std::string& instance, const pimsim::v1::Limits& limits) override;
  uint64_t RequestsArrived() override;
  int64_t JournalMicros() override;
  absl::StatusOr<pimsim::v1::Report> Report(bool final) override;

 private:
  // A context with the token and a deadline.
  std::unique_ptr<grpc::ClientContext> Context(int seconds = 30) const;
  absl::Status Call(const char* what, const grpc::Status& status) const;

  const std::string address_;
  const std::string token_;
  std::unique_ptr<pimsim::v1::PimControl::Stub> stub_;
  // The last answers, kept when a call fails so that the counter never
  // goes back (a phase ending on requests would read a drop as a surge).
  std::atomic<uint64_t> requests_arrived_{0};
  std::atomic<int64_t> journal_now_us_{0};
};

}  // namespace pimsim::harness

#endif  // PIMSIM_CLIENT_HARNESS_REMOTE_TARGET_H_
