// `pimsim validate FILE...`: checks scenario files. Prints "FILE: ok" for
// each valid one and "FILE:LINE:COLUMN: field: reason" for the first error
// of each invalid one. Exit code 0 when every file is valid, 2 otherwise.
#ifndef PIMSIM_TOOLS_VALIDATE_COMMAND_H_
#define PIMSIM_TOOLS_VALIDATE_COMMAND_H_

namespace pimsim::tools {

// argv holds the subcommand's own arguments. Returns the exit code.
int RunValidate(int argc, char** argv);

}  // namespace pimsim::tools

#endif  // PIMSIM_TOOLS_VALIDATE_COMMAND_H_
