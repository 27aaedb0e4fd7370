// `pimsim import`: loads an NDJSON file of products into a PIM with the
// reference client (client/importer.h).
#ifndef PIMSIM_TOOLS_IMPORT_COMMAND_H_
#define PIMSIM_TOOLS_IMPORT_COMMAND_H_

namespace pimsim::tools {

int RunImport(int argc, char** argv);

}  // namespace pimsim::tools

#endif  // PIMSIM_TOOLS_IMPORT_COMMAND_H_
