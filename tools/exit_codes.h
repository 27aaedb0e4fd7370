// Exit codes shared by every `pimsim` subcommand (DESIGN.md, Command line).
#ifndef PIMSIM_TOOLS_EXIT_CODES_H_
#define PIMSIM_TOOLS_EXIT_CODES_H_

namespace pimsim::tools {

inline constexpr int kExitPass = 0;
inline constexpr int kExitViolations = 1;
inline constexpr int kExitUsage = 2;      // bad usage or invalid scenario
inline constexpr int kExitRunFailed = 3;  // the run itself failed

}  // namespace pimsim::tools

#endif  // PIMSIM_TOOLS_EXIT_CODES_H_
