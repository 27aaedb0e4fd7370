// `pimsim workload`: runs a built-in workload of the reference client
// (client/workload.h) against a PIM; what `pimsim run` starts for a
// scenario's `workload { reference { ... } }`.
#ifndef PIMSIM_TOOLS_WORKLOAD_COMMAND_H_
#define PIMSIM_TOOLS_WORKLOAD_COMMAND_H_

namespace pimsim::tools {

int RunWorkload(int argc, char** argv);

}  // namespace pimsim::tools

#endif  // PIMSIM_TOOLS_WORKLOAD_COMMAND_H_
