// pimsim: load-testing and compliance simulator for Akeneo PIM REST API
// integrations. One binary, one subcommand per job.
#include <cstring>
#include <iostream>

#include "absl/synchronization/mutex.h"
#include "tools/ctl_command.h"
#include "tools/exit_codes.h"
#include "tools/import_command.h"
#include "tools/report_command.h"
#include "tools/run_command.h"
#include "tools/serve_command.h"
#include "tools/validate_command.h"
#include "tools/workload_command.h"

namespace {

constexpr char kUsage[] =
    "usage: pimsim <command> [flags]\n"
    "\n"
    "commands:\n"
    "  serve    serve the mock Akeneo PIM (limits, journal, /metrics, control API)\n"
    "  ctl      steer a running mock: limits, faults, phases, reset, journal, counters\n"
    "  report   judge a running mock's journal or a journal file: verdict, JSON, JUnit, HTML\n"
    "  run      run a scenario end to end: the mock, the integration under test, the verdict\n"
    "  validate check scenario files\n"
    "  import   load an NDJSON file of products into a PIM with the reference client\n"
    "  workload run a built-in workload of the reference client against a PIM\n"
    "\n"
    "`pimsim <command> --help` describes a command's flags.\n"
    "exit codes: 0 pass, 1 violations, 2 bad usage or invalid scenario, 3 run failed\n";

}  // namespace

int main(int argc, char** argv) {
  // Debian's Abseil checks every absl::Mutex acquisition for lock-order
  // cycles, a debugging aid that gRPC's locks would pay for on every control
  // call (pimsim's own locks are not absl::Mutex, see common/mutex.h).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    (argc < 2 ? std::cerr : std::cout) << kUsage;
    return argc < 2 ? pimsim::tools::kExitUsage : pimsim::tools::kExitPass;
  }
  if (!std::strcmp(argv[1], "report")) return pimsim::tools::RunReport(argc - 2, argv + 2);
  if (!std::strcmp(argv[1], "serve")) return pimsim::tools::RunServe(argc - 2, argv + 2);
  if (!std::strcmp(argv[1], "run")) return pimsim::tools::RunRun(argc - 2, argv + 2);
  if (!std::strcmp(argv[1], "validate")) return pimsim::tools::RunValidate(argc - 2, argv + 2);
  if (!std::strcmp(argv[1], "workload")) return pimsim::tools::RunWorkload(argc - 2, argv + 2);
  if (!std::strcmp(argv[1], "import")) return pimsim::tools::RunImport(argc - 2, argv + 2);
  if (!std::strcmp(argv[1], "ctl")) return pimsim::tools::RunCtl(argc - 2, argv + 2);
  std::cerr << "pimsim: unknown command \"" << argv[1] << "\"\n\n" << kUsage;
  return pimsim::tools::kExitUsage;
}
