#include "client/harness/remote_target.h"

#include <chrono>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"

namespace pimsim::harness {

RemoteTarget::RemoteTarget(const std::string& address, const std::string& token)
    : address_(address), token_(token) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 << 20);
  stub_ = pimsim::v1::PimControl::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
}

std::unique_ptr<grpc::ClientContext> RemoteTarget::Context(int seconds) const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  if (!token_.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  return context;
}

absl::Status RemoteTarget::Call(const char* what, const grpc::Status& status) const {
  if (status.ok()) return absl::OkStatus();
  return absl::UnavailableError(
      absl::StrCat(what, " on the mock at ", address_, ": ", status.error_message()));
}

absl::StatusOr<pimsim::v1::GetServerInfoResponse> RemoteTarget::Info() {
  pimsim::v1::GetServerInfoResponse response;
  auto context = Context();
  if (absl::Status s = Call("GetServerInfo",
                            stub_->GetServerInfo(context.get(), {}, &response));
      !s.ok()) {
    return s;
  }
  return response;
}

absl::Status RemoteTarget::ResetForRun() {
  pimsim::v1::ResetRequest request;
  request.set_journal(true);
  request.set_counters(true);
  pimsim::v1::ResetResponse response;
  auto context = Context();
  return Call("Reset", stub_->Reset(context.get(), request, &response));
}

absl::Status RemoteTarget::AddFaults(const std::vector<pimsim::v1::FaultRule>& rules) {
  for (const pimsim::v1::FaultRule& rule : rules) {
    pimsim::v1::AddFaultRequest request;
    *request.mutable_rule() = rule;
    pimsim::v1::AddFaultResponse response;
    auto context = Context();
    if (absl::Status s = Call("AddFault", stub_->AddFault(context.get(), request, &response));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status RemoteTarget::ClearFaults(const std::vector<std::string>& names) {
  if (names.empty()) return absl::OkStatus();
  pimsim::v1::ClearFaultsRequest request;
  for (const std::string& name : names) request.add_names(name);
  pimsim::v1::ClearFaultsResponse response;
  auto context = Context();
  return Call("ClearFaults", stub_->ClearFaults(context.get(), request, &response));
}

absl::Status RemoteTarget::StartPhase(const std::string& name) {
  pimsim::v1::StartPhaseRequest request;
  request.set_name(name);
  pimsim::v1::StartPhaseResponse response;
  auto context = Context();
  return Call("StartPhase", stub_->StartPhase(context.get(), request, &response));
}

absl::StatusOr<pimsim::v1::Limits> RemoteTarget::GetLimits(const std::string& instance) {
  pimsim::v1::GetLimitsRequest request;
  request.set_instance(instance);
  pimsim::v1::GetLimitsResponse response;
  auto context = Context();
  if (absl::Status s = Call("GetLimits", stub_->GetLimits(context.get(), request, &response));
      !s.ok()) {
    return s;
  }
  return response.limits();
}

absl::Status RemoteTarget::SetLimits(const std::string& instance,
                                     const pimsim::v1::Limits& limits) {
  pimsim::v1::SetLimitsRequest request;
  request.set_instance(instance);
  *request.mutable_limits() = limits;
  pimsim::v1::SetLimitsResponse response;
  auto context = Context();
  return Call("SetLimits", stub_->SetLimits(context.get(), request, &response));
}

uint64_t RemoteTarget::RequestsArrived() {
  if (absl::StatusOr<pimsim::v1::GetServerInfoResponse> info = Info(); info.ok()) {
    requests_arrived_.store(info->requests_arrived());
  }
  return requests_arrived_.load();
}

int64_t RemoteTarget::JournalMicros() {
  if (absl::StatusOr<pimsim::v1::GetServerInfoResponse> info = Info(); info.ok()) {
    journal_now_us_.store(info->journal_now_us());
  }
  return journal_now_us_.load();
}

absl::StatusOr<pimsim::v1::Report> RemoteTarget::Report(bool final) {
  pimsim::v1::GetReportRequest request;
  request.set_final(final);
  pimsim::v1::Report report;
  auto context = Context(120);
  if (absl::Status s = Call("GetReport", stub_->GetReport(context.get(), request, &report));
      !s.ok()) {
    return s;
  }
  return report;
}

}  // namespace pimsim::harness
