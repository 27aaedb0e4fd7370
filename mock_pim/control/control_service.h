// ControlService: the PimControl gRPC service (proto/control.proto) over a
// running MockPim. It steers limits, faults, phases and resets, and reads the
// journal and the counters; every decision stays in MockPim, this class only
// validates requests, translates them and converts errors (ToGrpcStatus).
//
// Invalid requests get INVALID_ARGUMENT naming the field and the reason
// ("limits.instance_rate.requests_per_second must be > 0, got 0"). When a
// token is configured, every call must carry the metadata
// "authorization: Bearer <token>", else UNAUTHENTICATED (Authorize, the one
// place that checks it).
//
// WatchJournal streams the events after the cursor in id order as they
// complete (it never skips an event still in flight), polling the journal
// every `poll_interval`, until the client cancels or Stop() is called; on
// Stop() it flushes what is complete and ends with UNAVAILABLE.
// WatchViolations re-judges the journal at most once a second (and no more
// often than twice what a judgement takes), one judgement shared by every
// watcher. At most kMaxStreams streams (of both kinds) are open at once;
// more are refused with RESOURCE_EXHAUSTED.
//
// Thread-safety: thread-safe; gRPC calls the methods from its own threads.
//
//   ControlService service(*pim, {.token = "s3cret"});
//   builder.RegisterService(&service);
//   ...
//   service.Stop();  // before server->Shutdown(), so streams end at once
#ifndef PIMSIM_MOCK_PIM_CONTROL_CONTROL_SERVICE_H_
#define PIMSIM_MOCK_PIM_CONTROL_CONTROL_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mock_pim/mock_pim.h"
#include "proto/control.grpc.pb.h"

namespace pimsim::control {

struct ControlServiceOptions {
  // Required bearer token; empty: calls are not authenticated.
  std::string token;
  // How often WatchJournal looks for newly completed events.
  absl::Duration poll_interval = absl::Milliseconds(20);
};

// GetJournal's page size when the request leaves max_events at 0, its
// ceiling, and the most bytes of events one page carries (under gRPC's
// default 4 MiB receive limit, whatever max_events asks for).
inline constexpr uint32_t kDefaultJournalPage = 1000;
// WatchJournal and WatchViolations streams open at once, at most.
inline constexpr int kMaxStreams = 16;
// WatchViolations' shortest interval between judgements.
inline constexpr absl::Duration kMinViolationsInterval = absl::Seconds(1);
inline constexpr uint32_t kMaxJournalPage = 10000;
inline constexpr size_t kMaxJournalPageBytes = 3 << 20;

class ControlService final : public pimsim::v1::PimControl::Service {
 public:
  // `pim` must outlive the service.
  explicit ControlService(MockPim& pim, ControlServiceOptions options = {});
  ~ControlService() override;

  // Ends every WatchJournal stream (after a last flush) and makes new ones
  // end at once. Idempotent.
  void Stop();

  grpc::Status GetLimits(grpc::ServerContext* context, const pimsim::v1::GetLimitsRequest* request,
                         pimsim::v1::GetLimitsResponse* response) override;
  grpc::Status SetLimits(grpc::ServerContext* context, const pimsim::v1::SetLimitsRequest* request,
                         pimsim::v1::SetLimitsResponse* response) override;
  grpc::Status ListFaults(grpc::ServerContext* context,
                          const pimsim::v1::ListFaultsRequest* request,
                          pimsim::v1::ListFaultsResponse* response) override;
  grpc::Status SetFaults(grpc::ServerContext* context, const pimsim::v1::SetFaultsRequest* request,
                         pimsim::v1::SetFaultsResponse* response) override;
  grpc::Status AddFault(grpc::ServerContext* context, const pimsim::v1::AddFaultRequest* request,
                        pimsim::v1::AddFaultResponse* response) override;
  grpc::Status ClearFaults(grpc::ServerContext* context,
                           const pimsim::v1::ClearFaultsRequest* request,
                           pimsim::v1::ClearFaultsResponse* response) override;
  grpc::Status StartPhase(grpc::ServerContext* context,
                          const pimsim::v1::StartPhaseRequest* request,
                          pimsim::v1::StartPhaseResponse* response) override;
  grpc::Status Reset(grpc::ServerContext* context, const pimsim::v1::ResetRequest* request,
                     pimsim::v1::ResetResponse* response) override;
  grpc::Status GetJournal(grpc::ServerContext* context,
                          const pimsim::v1::GetJournalRequest* request,
                          pimsim::v1::GetJournalResponse* response) override;
  grpc::Status WatchJournal(grpc::ServerContext* context,
                            const pimsim::v1::WatchJournalRequest* request,
                            grpc::ServerWriter<pimsim::v1::JournalEvent>* writer) override;
  grpc::Status GetReport(grpc::ServerContext* context, const pimsim::v1::GetReportRequest* request,
                         pimsim::v1::Report* response) override;
  grpc::Status WatchViolations(grpc::ServerContext* context,
                               const pimsim::v1::WatchViolationsRequest* request,
                               grpc::ServerWriter<pimsim::v1::Violation>* writer) override;
  grpc::Status GetCounters(grpc::ServerContext* context,
                           const pimsim::v1::GetCountersRequest* request,
                           pimsim::v1::GetCountersResponse* response) override;
  grpc::Status GetServerInfo(grpc::ServerContext* context,
                             const pimsim::v1::GetServerInfoRequest* request,
                             pimsim::v1::GetServerInfoResponse* response) override;

 private:
  // OK when no token is configured or the call carries the right one.
  grpc::Status Authorize(const grpc::ServerContext& context) const;
  // The named instance ("" = the first), or INVALID_ARGUMENT naming the
  // instances there are.
  absl::StatusOr<std::string> ResolveInstance(const std::string& name) const;
  bool stopping() const;
  // Holds one of the kMaxStreams stream slots while it lives.
  class StreamSlot;
  // The live report, judged again only once the last one is older than
  // `max_age`; concurrent callers wait for one judgement and share it.
  // `cost` is set to what the last judgement took.
  std::shared_ptr<const pimsim::v1::Report> SharedLiveReport(absl::Duration max_age,
                                                             absl::Duration* cost);

  MockPim& pim_;
  const ControlServiceOptions options_;
  std::atomic<int> streams_{0};

  std::mutex report_mu_;
  std::shared_ptr<const pimsim::v1::Report> report_;  // guarded by report_mu_
  absl::Time report_at_;                              // guarded by report_mu_
  absl::Duration report_cost_;                        // guarded by report_mu_

  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by mu_
};

// Parses a Prometheus text page ("name{labels} value" lines; comments and
// unparsable lines skipped) into `counters`, keyed by "name{labels}".
void ParsePrometheusText(std::string_view page,
                         google::protobuf::Map<std::string, double>* counters);

}  // namespace pimsim::control

#endif  // PIMSIM_MOCK_PIM_CONTROL_CONTROL_SERVICE_H_
