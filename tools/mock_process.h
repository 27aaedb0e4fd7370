// MockProcess: the mock PIM as `pimsim serve` and `pimsim run` host it: the
// MockPim, its HTTP server, its control server (optional) and the journal
// file it streams to (optional), started in the right order and stopped in
// the reverse one; over HTTPS, with a certificate of its own making unless
// it is given one.
//
// Thread-safety: Start and Stop from one thread; pim() is as thread-safe as
// MockPim.
//
//   auto mock = MockProcess::Start(scenario, options, &RealClock::Get());
//   ... (*mock)->http_address() ...
//   absl::Status journal = (*mock)->Stop(absl::Seconds(5), {});
#ifndef PIMSIM_TOOLS_MOCK_PROCESS_H_
#define PIMSIM_TOOLS_MOCK_PROCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "google/protobuf/repeated_field.h"
#include "mock_pim/control/control_server.h"
#include "mock_pim/http/http_server.h"
#include "mock_pim/journal/journal_file_writer.h"
#include "mock_pim/mock_pim.h"
#include "proto/report.pb.h"
#include "proto/scenario.pb.h"

namespace pimsim::tools {

// What `pimsim run` adds to a journal file's summary.
struct RunRecord {
  google::protobuf::RepeatedPtrField<pimsim::v1::PhaseSpan> phases;
  std::vector<std::string> run_errors;
};

// HTTPS for the Akeneo API. Without `cert_file` and `key_file` a throwaway
// CA and a server certificate for localhost and 127.0.0.1 are made at start
// (mock_pim/http/tls_certificate.h) and written to `dir`, or to a temporary
// directory under $TMPDIR that the process removes when it is destroyed.
struct MockTlsOptions {
  bool enabled = false;
  // PEM, the server's certificate (and its chain) and its key; both or none.
  std::string cert_file;
  std::string key_file;
  // Where a made certificate is written (created if missing); "" for a
  // temporary directory.
  std::string dir;
};

struct MockProcessOptions {
  http::ServerOptions http;  // `tls` below, when enabled, sets its `tls`.
  MockTlsOptions tls;
  // No control server when false.
  bool control = true;
  control::ControlServerOptions control_options;
  size_t journal_capacity = 2'000'000;
  // Stream the journal to this file; empty: no file.
  std::string journal_path;
};

class MockProcess {
 public:
  // `scenario` validated with its defaults applied; `clock` outlives the
  // process. An unwritable journal path or a port in use is an error, and
  // nothing is left running.
  static absl::StatusOr<std::unique_ptr<MockProcess>> Start(const pimsim::v1::Scenario& scenario,
                                                            const MockProcessOptions& options,
                                                            Clock* clock);
  ~MockProcess();

  MockPim& pim() { return *pim_; }
  // HOST:PORT actually bound.
  std::string http_address() const { return server_->address(); }
  bool tls() const { return server_->tls(); }
  // "http://HOST:PORT" or "https://HOST:PORT".
  std::string base_url() const;
  // Over HTTPS, the PEM file a client trusts: the made CA's certificate, or
  // the given certificate; "" over HTTP.
  const std::string& trust_file() const { return trust_file_; }
  // "" without a control server.
  std::string control_address() const;

  // Drains the HTTP server for up to `drain`, stops the control server, and
  // finishes the journal file with its summary (the limits judged, the
  // fault rules, and for a run its phases and what made it fail). The error
  // is the journal file's. Once only.
  absl::Status Stop(absl::Duration drain, const RunRecord& run = {});

 private:
  MockProcess() = default;

  // Makes or checks the certificate; sets trust_file_ and `options.tls`.
  absl::Status SetUpTls(const MockTlsOptions& tls, http::ServerOptions& options);

  std::string trust_file_;
  std::string temp_dir_;  // Removed by the destructor.
  std::unique_ptr<MockPim> pim_;
  std::unique_ptr<JournalFileWriter> journal_file_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<control::ControlServer> control_server_;
  bool stopped_ = false;
};

}  // namespace pimsim::tools

#endif  // PIMSIM_TOOLS_MOCK_PROCESS_H_
