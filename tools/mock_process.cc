#include "tools/mock_process.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mock_pim/http/tls_certificate.h"

namespace pimsim::tools {

absl::Status MockProcess::SetUpTls(const MockTlsOptions& tls, http::ServerOptions& options) {
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError("a TLS certificate needs its key, and a key its certificate");
  }
  if (!tls.cert_file.empty()) {
    options.tls = http::TlsOptions{tls.cert_file, tls.key_file};
    trust_file_ = tls.cert_file;
    return absl::OkStatus();
  }
  std::string dir = tls.dir;
  if (dir.empty()) {
    const char* base = getenv("TMPDIR");
    std::string pattern =
        absl::StrCat(base != nullptr && *base ? base : "/tmp", "/pimsim-tls.XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) {
      return absl::UnavailableError(
          absl::StrCat("cannot create a directory for the TLS certificate under ",
                       pattern.substr(0, pattern.rfind('/'))));
    }
    dir = temp_dir_ = pattern;
  } else {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot create the TLS directory ", dir, ": ", ec.message()));
    }
  }
  // Clients check the validity period against their own wall clocks, so it
  // is the real time here whatever clock the mock runs on.
  http::CertificateRequest request;
  request.not_before = RealClock::Get().Now();
  absl::StatusOr<http::ServerCertificate> made = http::MakeServerCertificate(request);
  if (!made.ok()) return made.status();
  absl::StatusOr<http::CertificateFiles> files = http::WriteCertificateFiles(*made, dir);
  if (!files.ok()) return files.status();
  options.tls = http::TlsOptions{files->chain_file, files->key_file};
  trust_file_ = files->ca_file;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<MockProcess>> MockProcess::Start(
    const pimsim::v1::Scenario& scenario, const MockProcessOptions& options, Clock* clock) {
  std::unique_ptr<MockProcess> process(new MockProcess());
  http::ServerOptions http_options = options.http;
  MockPimOptions pim_options;
  pim_options.journal_capacity = options.journal_capacity;
  if (options.tls.enabled) {
    if (absl::Status s = process->SetUpTls(options.tls, http_options); !s.ok()) return s;
    // What the control API hands out to a harness that cannot read the file.
    std::ifstream trust(process->trust_file_, std::ios::binary);
    std::stringstream pem;
    pem << trust.rdbuf();
    if (!trust) {
      return absl::UnavailableError(
          absl::StrCat("cannot read the TLS certificate ", process->trust_file_));
    }
    pim_options.tls_trust_pem = pem.str();
  }
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
      http::Server::Create(http_options, process->pim_.get(), clock);
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
  if (!temp_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(temp_dir_, ignored);
  }
}

std::string MockProcess::base_url() const {
  return absl::StrCat(tls() ? "https://" : "http://", http_address());
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
