// `pimsim report`: asks a running mock for its compliance verdict and
// renders it: a terminal summary on stdout, and JSON, JUnit XML and HTML
// files on request. Exit code 0 pass, 1 violations, 2 bad usage, 3 error
// (the verdict is ERROR or the control plane cannot be reached).
#ifndef PIMSIM_TOOLS_REPORT_COMMAND_H_
#define PIMSIM_TOOLS_REPORT_COMMAND_H_

#include <string>

#include "absl/status/status.h"
#include "proto/report.pb.h"

namespace pimsim::tools {

// argv holds the subcommand's own arguments. Returns the exit code.
int RunReport(int argc, char** argv);

// Where to write the renderings; empty paths are skipped.
struct ReportOutputs {
  std::string json;
  std::string junit;
  std::string html;
};

// Writes the requested files and prints the terminal summary to stdout;
// returns the exit code for the verdict (or 3 when a file cannot be written).
int EmitReport(const pimsim::v1::Report& report, const ReportOutputs& outputs);

}  // namespace pimsim::tools

#endif  // PIMSIM_TOOLS_REPORT_COMMAND_H_
