#include "tools/mock_process.h"

#include <utility>

namespace pimsim::tools {

absl::StatusOr<std::unique_ptr<MockProcess>> MockProcess::Start(
    const pimsim::v1::Scenario& scenario, const MockProcessOptions& options, Clock* clock) {
  std::unique_ptr<MockProcess> process(new MockProcess());
  MockPimOptions pim_options;
  pim_options.journal_capacity = options.journal_capacity;
  absl::StatusOr<std::unique_ptr<MockPim>> pim = MockPim::Create(scenario, clock, pim_options);
  if (!pim.ok()) return pim.status();
  process->pim_ = *std::move(pim);
  // Streams the journal from the first request on; an unwritable path stops
  // the start, before anything is served.
  if (!options.journal_path.empty()) {
    pimsim::v1::JournalFileHeader header;
    *header.mutable_scenario() = scenario;
    absl::StatusOr<std::unique_ptr<JournalFileWriter>> started =
        JournalFileWriter::Start(&process->pim_->journal(), options.journal_path,
                                 std::move(header));
    if (!started.ok()) return started.status();
    process->journal_file_ = *std::move(started);
  }
  absl::StatusOr<std::unique_ptr<http::Server>> server =
      http::Server::Create(options.http, process->pim_.get(), clock);
  if (!server.ok()) return server.status();
  if (absl::Status s = (*server)->Start(); !s.ok()) return s;
  process->server_ = *std::move(server);
  // /metrics shows the connection table; the server outlives every render.
  process->pim_->AttachServer(process->server_.get());
  if (options.control) {
    absl::StatusOr<std::unique_ptr<control::ControlServer>> started =
        control::ControlServer::Start(options.control_options, process->pim_.get());
    if (!started.ok()) {
      process->server_->Shutdown(absl::Seconds(1));
      return started.status();
    }
    process->control_server_ = *std::move(started);
  }
  return process;
}

MockProcess::~MockProcess() {
  if (!stopped_) Stop(absl::Seconds(1)).IgnoreError();
  if (pim_ != nullptr) pim_->AttachServer(nullptr);
}

std::string MockProcess::control_address() const {
  return control_server_ == nullptr ? "" : control_server_->address();
}

absl::Status MockProcess::Stop(absl::Duration drain, const RunRecord& run) {
  if (stopped_) return absl::OkStatus();
  stopped_ = true;
  if (server_ != nullptr) server_->Shutdown(drain);
  // After the drain, so that a journal follower still gets the last events.
  if (control_server_ != nullptr) control_server_->Shutdown();
  if (journal_file_ == nullptr) return absl::OkStatus();
  pimsim::v1::JournalSummary summary = pim_->journal().Summary();
  for (const pimsim::v1::FaultRule& rule : pim_->faults().Rules()) *summary.add_fault_rules() = rule;
  *summary.mutable_phases() = run.phases;
  for (const std::string& error : run.run_errors) summary.add_run_errors(error);
  return journal_file_->Finish(std::move(summary));
}

}  // namespace pimsim::tools
