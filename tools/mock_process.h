// MockProcess: the mock PIM as `pimsim serve` and `pimsim run` host it: the
// MockPim, its HTTP server, its control server (optional) and the journal
// file it streams to (optional), started in the right order and stopped in
// the reverse one.
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

struct MockProcessOptions {
  http::ServerOptions http;
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
  // "" without a control server.
  std::string control_address() const;

  // Drains the HTTP server for up to `drain`, stops the control server, and
  // finishes the journal file with its summary (the limits judged, the
  // fault rules, and for a run its phases and what made it fail). The error
  // is the journal file's. Once only.
  absl::Status Stop(absl::Duration drain, const RunRecord& run = {});

 private:
  MockProcess() = default;

  std::unique_ptr<MockPim> pim_;
  std::unique_ptr<JournalFileWriter> journal_file_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<control::ControlServer> control_server_;
  bool stopped_ = false;
};

}  // namespace pimsim::tools

#endif  // PIMSIM_TOOLS_MOCK_PROCESS_H_
