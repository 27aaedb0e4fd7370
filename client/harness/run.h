// RunExternal: one `pimsim run` of an external workload against a mock.
//
// Writes the connections file, starts the scenario's external command with
// its environment pointed at the mock (PIM_BASE_URL, PIM_CLIENT_ID,
// PIM_CLIENT_SECRET, PIM_USERNAME, PIM_PASSWORD, PIM_CONNECTIONS_FILE, over
// HTTPS PIM_CA_FILE and the usual CA-bundle variables, then the scenario's
// own variables), applies the phases on time while it runs,
// and ends when the command exits, its timeout or the run's max_duration
// passes, or a stop signal arrives. The report is the checker's final
// verdict over the journal, with the phases as they happened; a command
// that failed, crashed or timed out, a stop signal or a phase that could
// not be applied adds an error (the verdict is then ERROR: exit 3), never a
// pass.
//
// Thread-safety: one call at a time. The caller blocks `stop_signals` in
// every thread before any starts; RunExternal waits for them with
// sigtimedwait.
#ifndef PIMSIM_CLIENT_HARNESS_RUN_H_
#define PIMSIM_CLIENT_HARNESS_RUN_H_

#include <signal.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/harness/mock_target.h"
#include "proto/report.pb.h"
#include "proto/scenario.pb.h"

namespace pimsim::harness {

struct RunOptions {
  // Validated, defaults applied (config::WithDefaults), with an external
  // workload.
  pimsim::v1::Scenario scenario;
  // Where the mock's first instance is served, "http://127.0.0.1:8080";
  // every other instance under "/<name>".
  std::string base_url;
  // Over HTTPS, the PEM file the command is to trust (see
  // CommandEnvironment); "" for none.
  std::string ca_file;
  // Where to write the connections file (PIM_CONNECTIONS_FILE).
  std::string connections_file;
  // Where the command's output goes: empty for stderr, each line prefixed
  // with "[<program>] ", else a file (raw, as written).
  std::string output_file;
  // A live progress line on stderr (meant for a terminal).
  bool progress = false;
  // Between SIGTERM and SIGKILL when the command must be stopped.
  absl::Duration stop_grace = absl::Seconds(5);
};

// The scenario the mock is started with for a run: the scenario's fault
// rules, then each phase's with its `phase` set to the phase's name.
pimsim::v1::Scenario MockScenario(pimsim::v1::Scenario scenario);

// The variables an external command gets (besides the inherited ones).
// With a `ca_file`: PIM_CA_FILE, and the variables through which common
// clients take the CAs to trust: SSL_CERT_FILE (OpenSSL, so Python's ssl,
// Ruby, PHP...), CURL_CA_BUNDLE (curl), REQUESTS_CA_BUNDLE (Python
// requests), NODE_EXTRA_CA_CERTS (Node.js, added to its own CAs). All but
// the last replace the system's CAs for the command.
std::map<std::string, std::string> CommandEnvironment(const pimsim::v1::Scenario& scenario,
                                                      const std::string& base_url,
                                                      const std::string& connections_file,
                                                      const std::string& ca_file = "");
// The connections file: a JSON array of {"base_url", "client_id", "secret",
// "username", "password"}, every connection of every instance in scenario
// order.
std::string ConnectionsJson(const pimsim::v1::Scenario& scenario, const std::string& base_url);

// How long the progress line waits after a live verdict before the next
// one: at least 2 s, and 20 times what the last one took, so that the
// verdict (the checker over the whole journal so far, in the mock's process
// when it is embedded) never takes more than 5% of the run however long the
// journal grows (its cost is linear in the events: about 1.5 us of CPU
// each, so 0.4 s after an hour at 80 requests a second).
absl::Duration LiveVerdictInterval(absl::Duration last_cost);

struct RunResult {
  // The final verdict, with the phases and with `run_errors` among its
  // errors (and then ERROR).
  pimsim::v1::Report report;
  // What went wrong with the run itself, for the journal file's summary.
  std::vector<std::string> run_errors;
};

// An error status only when the report itself cannot be made (the mock's
// verdict is unavailable, a file cannot be written); everything that goes
// wrong with the workload is in the result.
absl::StatusOr<RunResult> RunExternal(const RunOptions& options, MockTarget* target,
                                      const sigset_t& stop_signals);

}  // namespace pimsim::harness

#endif  // PIMSIM_CLIENT_HARNESS_RUN_H_
