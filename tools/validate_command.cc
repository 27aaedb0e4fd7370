#include "tools/validate_command.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "mock_pim/config/scenario_config.h"
#include "tools/command_line.h"
#include "tools/exit_codes.h"

namespace pimsim::tools {

int RunValidate(int argc, char** argv) {
  CommandLine cl("validate",
                 "pimsim validate FILE...\n"
                 "\n"
                 "Checks scenario files (textproto pimsim.v1.Scenario): syntax, every field,\n"
                 "phases and workload. Prints \"FILE: ok\" or the first error of each file as\n"
                 "FILE:LINE:COLUMN: field: reason. Exit code 0 when all are valid, 2 otherwise.");
  if (absl::Status s = cl.Parse(argc, argv); !s.ok()) {
    std::cerr << "pimsim validate: " << s.message() << "\n\n" << cl.Usage();
    return kExitUsage;
  }
  if (cl.help_requested()) {
    std::cout << cl.Usage();
    return kExitPass;
  }
  if (cl.positional().empty()) {
    std::cerr << "pimsim validate: give one or more scenario files\n";
    return kExitUsage;
  }
  int code = kExitPass;
  for (const std::string& path : cl.positional()) {
    absl::StatusOr<pimsim::v1::Scenario> scenario = config::LoadScenarioFile(path);
    if (scenario.ok()) {
      std::cout << path << ": ok\n";
    } else {
      std::cerr << scenario.status().message() << "\n";
      code = kExitUsage;
    }
  }
  return code;
}

}  // namespace pimsim::tools
