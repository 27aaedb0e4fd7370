// `pimsim ctl`: steers a running mock PIM over its PimControl gRPC API
// (limits, faults, phases, resets) and reads what it saw (journal, counters).
//
//   pimsim ctl --control=127.0.0.1:9090 limits set --per_connection=1
//   pimsim ctl --control=127.0.0.1:9090 journal tail --follow
//
// Exit codes: 0 ok; 2 bad usage, or the server rejected the request as
// invalid (INVALID_ARGUMENT); 3 the control server is unreachable or the call
// failed otherwise. Messages go to stderr, results to stdout.
#ifndef PIMSIM_TOOLS_CTL_COMMAND_H_
#define PIMSIM_TOOLS_CTL_COMMAND_H_

namespace pimsim::tools {

// argv holds the subcommand's own arguments. Returns the exit code.
int RunCtl(int argc, char** argv);

}  // namespace pimsim::tools

#endif  // PIMSIM_TOOLS_CTL_COMMAND_H_
