// `pimsim run`: a scenario end to end. Starts the mock it describes, runs
// its workload (an external command: the integration under test), applies
// its phases on time, and prints and writes the checker's final report.
// Exit codes as DESIGN.md: 0 pass, 1 violations, 2 bad usage or invalid
// scenario, 3 the run failed.
#ifndef PIMSIM_TOOLS_RUN_COMMAND_H_
#define PIMSIM_TOOLS_RUN_COMMAND_H_

namespace pimsim::tools {

// argv holds the subcommand's own arguments. Returns the exit code.
int RunRun(int argc, char** argv);

}  // namespace pimsim::tools

#endif  // PIMSIM_TOOLS_RUN_COMMAND_H_
