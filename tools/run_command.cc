#include "tools/run_command.h"

#include "google/protobuf/text_format.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/harness/embedded_target.h"
#include "client/harness/remote_target.h"
#include "client/harness/run.h"
#include "common/clock.h"
#include "mock_pim/config/scenario_config.h"
#include "tools/command_line.h"
#include "tools/exit_codes.h"
#include "tools/mock_process.h"
#include "tools/report_command.h"
#include "tools/stop_signals.h"

namespace pimsim::tools {
namespace {

int Fail(absl::string_view message, int code) {
  std::cerr << "pimsim run: " << message << "\n";
  return code;
}

// A directory of its own under $TMPDIR for the connections file, removed
// when the run ends.
class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TMPDIR");
    std::string pattern = absl::StrCat(base != nullptr && *base ? base : "/tmp", "/pimsim-run.XXXXXX");
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// `pimsim run --control`: the scenario's run against a mock that is already
// serving; its instances and connections are the mock's.
int RunRemote(const std::string& path, pimsim::v1::Scenario scenario, const std::string& control,
              const std::string& token, const std::string& output, bool progress,
              const ReportOutputs& outputs) {
  const sigset_t stop_signals = BlockStopSignals();
  harness::RemoteTarget target(control, token);
  absl::StatusOr<pimsim::v1::GetServerInfoResponse> info = target.Info();
  if (!info.ok()) return Fail(info.status().message(), kExitRunFailed);
  if (info->http_address().empty()) {
    return Fail(absl::StrCat("the mock at ", control, " serves no HTTP API"), kExitRunFailed);
  }
  *scenario.mutable_instances() = info->scenario().instances();
  std::vector<pimsim::v1::FaultRule> phase_rules;
  std::vector<std::string> phase_rule_names;
  const pimsim::v1::Scenario with_phase_rules = harness::MockScenario(scenario);
  for (int i = scenario.faults_size(); i < with_phase_rules.faults_size(); ++i) {
    phase_rules.push_back(with_phase_rules.faults(i));
    phase_rule_names.push_back(with_phase_rules.faults(i).name());
  }
  if (!scenario.faults().empty()) {
    std::cerr << "pimsim run: the scenario's own fault rules are the running mock's business; "
                 "only its phases' rules are added\n";
  }
  if (absl::Status s = target.ResetForRun(); !s.ok()) return Fail(s.message(), kExitRunFailed);
  if (absl::Status s = target.AddFaults(phase_rules); !s.ok()) {
    target.ClearFaults(phase_rule_names).IgnoreError();
    return Fail(s.message(), kExitRunFailed);
  }
  TempDir dir;
  if (dir.path().empty()) return Fail("cannot create a directory under $TMPDIR", kExitRunFailed);
  harness::RunOptions run;
  run.scenario = scenario;
  run.base_url = absl::StrCat(info->tls() ? "https://" : "http://", info->http_address());
  if (info->tls()) {
    // The certificate the mock's clients trust, from its control API: this
    // harness may not see the file `pimsim serve` printed.
    run.ca_file = absl::StrCat(dir.path(), "/ca.pem");
    std::ofstream pem(run.ca_file, std::ios::binary | std::ios::trunc);
    pem << info->tls_trust_pem();
    pem.close();
    if (!pem) return Fail(absl::StrCat("cannot write ", run.ca_file), kExitRunFailed);
  }
  run.connections_file = absl::StrCat(dir.path(), "/connections.json");
  run.output_file = output;
  run.progress = progress;
  std::cerr << "pimsim run: " << (scenario.name().empty() ? path : scenario.name())
            << ": the mock at " << run.base_url << " (control API " << control << ")\n";
  absl::StatusOr<harness::RunResult> result = harness::RunExternal(run, &target, stop_signals);
  absl::Status cleared = target.ClearFaults(phase_rule_names);
  if (!result.ok()) return Fail(result.status().message(), kExitRunFailed);
  if (!cleared.ok()) {
    std::cerr << "pimsim run: the phases' fault rules stay on the mock: " << cleared.message()
              << "\n";
  }
  return EmitReport(result->report, outputs);
}

}  // namespace

namespace {

// A reference workload runs as `pimsim workload`: this very binary, as the
// run's external command, so it is started, watched, stopped and judged
// like any integration.
absl::StatusOr<pimsim::v1::ExternalCommand> ReferenceCommand(const pimsim::v1::Scenario& scenario) {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return absl::UnavailableError("cannot find the pimsim binary (/proc/self/exe)");
  self[n] = '\0';
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  std::string spec;
  printer.PrintToString(scenario.workload().reference(), &spec);
  pimsim::v1::ExternalCommand command;
  command.add_argv(self);
  command.add_argv("workload");
  command.add_argv(absl::StrCat("--spec=", spec));
  command.add_argv(absl::StrCat("--seed=", scenario.seed()));
  return command;
}

}  // namespace

int RunRun(int argc, char** argv) {
  // Everything after "--" is the command, whatever it looks like.
  std::vector<std::string> command;
  int own = argc;
  for (int i = 0; i < argc; ++i) {
    if (std::string(argv[i]) == "--") {
      own = i;
      command.assign(argv + i + 1, argv + argc);
      break;
    }
  }
  ReportOutputs outputs;
  std::string journal;
  std::string output;
  std::string progress = "auto";
  int64_t seed = -1;
  std::string listen = "127.0.0.1:0";
  std::vector<std::string> faults;
  std::string control;
  std::string control_token;
  bool tls = false;
  CommandLine cl(
      "run",
      "pimsim run SCENARIO [flags] [-- COMMAND ARGS...]\n"
      "\n"
      "Runs a scenario end to end: starts the mock PIM it describes, runs its workload\n"
      "(COMMAND, when given, replaces it: the integration under test, pointed at the mock\n"
      "through PIM_BASE_URL, PIM_CLIENT_ID, PIM_CLIENT_SECRET, PIM_USERNAME, PIM_PASSWORD\n"
      "and PIM_CONNECTIONS_FILE), applies the scenario's phases on time while it runs, and\n"
      "judges the traffic. The command's output goes to stderr, each line prefixed with\n"
      "[program], or to --output. The control API of the mock is open on loopback for a\n"
      "chaos tool (its address is printed on stderr).\n"
      "Exit code: 0 pass, 1 violations, 2 bad usage or invalid scenario, 3 the run failed\n"
      "(the command exited non-zero, crashed or timed out, SIGINT, journal incomplete).");
  cl.AddString("json", "write the report as JSON", &outputs.json);
  cl.AddString("junit", "write JUnit XML, one test case per rule", &outputs.junit);
  cl.AddString("html", "write one self-contained HTML file with charts", &outputs.html);
  cl.AddString("journal", "stream the journal to this file (see `pimsim report --journal`)",
               &journal);
  cl.AddInt("seed", "seed of every random choice (-1: the scenario's)", &seed);
  cl.AddString("output", "write the command's output to this file instead of stderr", &output);
  cl.AddString("progress",
               "a live progress line on stderr: on, off, or auto (on when stderr is a\n"
               "terminal and CI is not set)",
               &progress);
  cl.AddString("listen", "HOST:PORT for the mock's Akeneo API (port 0 picks one)", &listen);
  cl.AddBool("tls",
             "serve the mock's Akeneo API over HTTPS, with a certificate for localhost and\n"
             "                       127.0.0.1 from a CA made for the run: PIM_BASE_URL is\n"
             "                       https://..., and the CA's PEM file is in PIM_CA_FILE,\n"
             "                       SSL_CERT_FILE, CURL_CA_BUNDLE, REQUESTS_CA_BUNDLE and\n"
             "                       NODE_EXTRA_CA_CERTS",
             &tls);
  cl.AddString("control",
               "HOST:PORT of a running mock's control API (pimsim serve) to drive instead\n"
               "of starting one: its journal and fault counters are reset for the run, the\n"
               "phases' fault rules added and removed after; --journal and --listen then\n"
               "belong to that `pimsim serve`",
               &control);
  cl.AddString("control_token", "bearer token of that control API, if it requires one",
               &control_token);
  cl.AddRepeated("fault",
                 "fault rule in the one-line form, repeatable, after the scenario's (e.g.\n"
                 "                       status=503,p=0.3,route=get_item; see the README)",
                 &faults);
  if (absl::Status s = cl.Parse(own, argv); !s.ok()) {
    return Fail(absl::StrCat(s.message(), "\n\n", cl.Usage()), kExitUsage);
  }
  if (cl.help_requested()) {
    std::cout << cl.Usage();
    return kExitPass;
  }
  if (cl.positional().size() != 1) {
    return Fail(cl.positional().empty() ? "give a scenario file"
                                        : absl::StrCat("one scenario file, got \"",
                                                       cl.positional()[1], "\" too"),
                kExitUsage);
  }
  bool show_progress = false;
  if (progress == "on") {
    show_progress = true;
  } else if (progress == "auto") {
    show_progress = isatty(STDERR_FILENO) && getenv("CI") == nullptr;
  } else if (progress != "off") {
    return Fail(absl::StrCat("--progress: expected on, off or auto, got \"", progress, "\""),
                kExitUsage);
  }
  const std::string& path = cl.positional()[0];
  absl::StatusOr<pimsim::v1::Scenario> loaded = config::LoadScenarioFile(path);
  if (!loaded.ok()) return Fail(loaded.status().message(), kExitUsage);
  pimsim::v1::Scenario scenario = *std::move(loaded);
  if (!command.empty()) {
    scenario.mutable_workload()->Clear();
    for (const std::string& arg : command) {
      scenario.mutable_workload()->mutable_external()->add_argv(arg);
    }
  }
  if (!scenario.workload().has_external() && !scenario.workload().has_reference()) {
    return Fail(absl::StrCat(path,
                             ": no workload to run: give the command after \"--\" (pimsim run ",
                             path, " -- ./my-integration), or a workload { external { argv: "
                             "... } } or workload { reference { ... } } in the scenario"),
                kExitUsage);
  }
  if (seed >= 0) scenario.set_seed(static_cast<uint64_t>(seed));
  if (absl::Status s = config::AddFaultSpecs(faults, &scenario); !s.ok()) {
    return Fail(s.message(), kExitUsage);
  }
  scenario = config::WithDefaults(std::move(scenario));
  if (absl::Status s = config::ValidateScenario(scenario); !s.ok()) {
    return Fail(absl::StrCat(path, ": ", s.message()), kExitUsage);
  }
  if (scenario.workload().has_reference()) {
    absl::StatusOr<pimsim::v1::ExternalCommand> command = ReferenceCommand(scenario);
    if (!command.ok()) return Fail(command.status().message(), kExitRunFailed);
    *scenario.mutable_workload()->mutable_external() = *std::move(command);
  }

  if (!control.empty()) {
    if (!journal.empty() || listen != "127.0.0.1:0" || !faults.empty() || tls) {
      return Fail("with --control the mock is `pimsim serve`'s: give --journal, --listen, "
                  "--fault and --tls to it",
                  kExitUsage);
    }
    return RunRemote(path, scenario, control, control_token, output, show_progress, outputs);
  }
  MockProcessOptions mock_options;
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Fail(absl::StrCat("--listen: expected HOST:PORT, got \"", listen, "\""), kExitUsage);
  }
  mock_options.http.host = listen.substr(0, colon);
  int port = -1;
  if (!absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return Fail(absl::StrCat("--listen: bad port in \"", listen, "\""), kExitUsage);
  }
  mock_options.http.port = static_cast<uint16_t>(port);
  mock_options.control_options.host = "127.0.0.1";
  mock_options.control_options.port = 0;
  mock_options.journal_path = journal;
  mock_options.tls.enabled = tls;

  const sigset_t stop_signals = BlockStopSignals();

  Clock& clock = RealClock::Get();
  const pimsim::v1::Scenario mock_scenario = harness::MockScenario(scenario);
  absl::StatusOr<std::unique_ptr<MockProcess>> mock =
      MockProcess::Start(mock_scenario, mock_options, &clock);
  if (!mock.ok()) return Fail(mock.status().message(), kExitRunFailed);
  TempDir dir;
  if (dir.path().empty()) return Fail("cannot create a directory under $TMPDIR", kExitRunFailed);

  harness::RunOptions run;
  run.scenario = scenario;
  run.base_url = (*mock)->base_url();
  run.ca_file = (*mock)->trust_file();
  run.connections_file = absl::StrCat(dir.path(), "/connections.json");
  run.output_file = output;
  run.progress = show_progress;
  std::cerr << "pimsim run: " << (scenario.name().empty() ? path : scenario.name()) << ": mock at "
            << run.base_url << ", control API at " << (*mock)->control_address() << "\n";
  harness::EmbeddedTarget target(&(*mock)->pim(), &clock);
  absl::StatusOr<harness::RunResult> result = harness::RunExternal(run, &target, stop_signals);
  if (!result.ok()) {
    (*mock)->Stop(absl::Seconds(1)).IgnoreError();
    return Fail(result.status().message(), kExitRunFailed);
  }
  RunRecord record;
  record.phases = result->report.phases();
  record.run_errors = result->run_errors;
  if (absl::Status s = (*mock)->Stop(absl::Seconds(5), record); !s.ok()) {
    result->report.add_errors(absl::StrCat("journal file: ", s.message()));
    result->report.set_verdict(pimsim::v1::VERDICT_ERROR);
  }
  return EmitReport(result->report, outputs);
}

}  // namespace pimsim::tools
