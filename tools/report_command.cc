#include "tools/report_command.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "checker/checker.h"
#include "checker/expectations.h"
#include "google/protobuf/text_format.h"
#include "journal/journal_file.h"
#include "proto/control.grpc.pb.h"
#include "report/html_report.h"
#include "report/json_report.h"
#include "report/junit_report.h"
#include "report/terminal_report.h"
#include "tools/command_line.h"
#include "tools/exit_codes.h"

namespace pimsim::tools {
namespace {

int Fail(absl::string_view message, int code) {
  std::cerr << "pimsim report: " << message << "\n";
  return code;
}

absl::Status WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace

int EmitReport(const pimsim::v1::Report& report, const ReportOutputs& outputs) {
  std::cout << report::RenderTerminal(report, report::ShouldColor(STDOUT_FILENO)) << std::flush;
  if (!outputs.json.empty()) {
    absl::StatusOr<std::string> json = report::RenderJson(report);
    if (!json.ok()) return Fail(json.status().message(), kExitRunFailed);
    if (absl::Status s = WriteFile(outputs.json, *json + "\n"); !s.ok()) {
      return Fail(s.message(), kExitRunFailed);
    }
  }
  if (!outputs.junit.empty()) {
    if (absl::Status s = WriteFile(outputs.junit, report::RenderJunit(report)); !s.ok()) {
      return Fail(s.message(), kExitRunFailed);
    }
  }
  if (!outputs.html.empty()) {
    if (absl::Status s = WriteFile(outputs.html, report::RenderHtml(report)); !s.ok()) {
      return Fail(s.message(), kExitRunFailed);
    }
  }
  switch (report.verdict()) {
    case pimsim::v1::VERDICT_PASS:
      return kExitPass;
    case pimsim::v1::VERDICT_FAIL:
      return kExitViolations;
    default:
      return kExitRunFailed;  // ERROR, or a verdict this build does not know: fail closed
  }
}

// The verdict over a journal file (serve --journal): a finished run unless
// the file says otherwise, judged against the limits in force while it ran
// (its limits lines; a version 1 file's summary line, or the scenario's when
// the mock was killed first).
absl::StatusOr<pimsim::v1::Report> JudgeJournalFile(
    const std::string& path, const std::optional<pimsim::v1::Expectations>& expectations) {
  absl::StatusOr<journal::JournalFile> file = journal::ReadJournalFile(path);
  if (!file.ok()) return file.status();
  checker::CheckInput input;
  input.table = &file->events;
  input.limit_changes = file->limit_changes;
  google::protobuf::RepeatedPtrField<pimsim::v1::FaultRule> rules;
  if (file->header.has_value()) {
    const pimsim::v1::Scenario& scenario = file->header->scenario();
    input.scenario_name = scenario.name();
    input.expectations = scenario.expectations();
    for (const pimsim::v1::Instance& instance : scenario.instances()) {
      input.limits[instance.name()] = instance.limits();
    }
    rules = scenario.faults();
  }
  if (file->summary.has_value()) {
    input.journal_overflowed = file->summary->overflowed();
    for (const auto& [instance, limits] : file->summary->judged_limits()) {
      input.limits[instance] = limits;
    }
    for (const pimsim::v1::FaultRule& rule : file->summary->fault_rules()) *rules.Add() = rule;
  }
  input.fault_kinds = checker::FaultKindsFromRules(rules);
  if (expectations.has_value()) input.expectations = *expectations;
  for (const std::string& problem : file->problems) {
    input.run_errors.push_back(absl::StrCat("journal incomplete: ", problem));
  }
  if (file->summary.has_value()) {
    for (const std::string& error : file->summary->run_errors()) input.run_errors.push_back(error);
  }
  pimsim::v1::Report report = checker::Check(input);
  if (file->summary.has_value()) *report.mutable_phases() = file->summary->phases();
  return report;
}

// An Expectations textproto file, validated; errors name the file.
absl::StatusOr<pimsim::v1::Expectations> LoadExpectations(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  pimsim::v1::Expectations expectations;
  google::protobuf::TextFormat::Parser parser;
  if (!parser.ParseFromString(text, &expectations)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a pimsim.v1.Expectations textproto (see proto/expectations.proto)"));
  }
  if (absl::Status s = checker::ValidateExpectations(expectations); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", s.message()));
  }
  return expectations;
}

int RunReport(int argc, char** argv) {
  std::string control;
  std::string control_token;
  std::string journal;
  ReportOutputs outputs;
  int64_t timeout_s = 60;
  bool final = false;
  std::string expectations_path;
  CommandLine cl("report",
                 "Prints the compliance verdict over a mock's journal and writes the\n"
                 "requested reports: asked of a running mock (pimsim serve) with --control,\n"
                 "or judged offline from a journal file (serve --journal) with --journal.\n"
                 "Exit code: 0 pass, 1 violations, 2 bad usage, 3 error (run broken,\n"
                 "journal incomplete, control plane unreachable).");
  cl.AddString("control", "HOST:PORT of the mock's control plane", &control);
  cl.AddString("journal",
               "a journal file to judge offline (a killed mock's file is judged as far\n"
               "as it goes, and the verdict is ERROR: incomplete)",
               &journal);
  cl.AddString("control_token", "bearer token, if the control plane requires one", &control_token);
  cl.AddString("expectations",
               "with --journal: judge against this pimsim.v1.Expectations textproto\n"
               "instead of the scenario's (other thresholds, rules off or at another\n"
               "severity)",
               &expectations_path);
  cl.AddString("json", "write the report as JSON (the pimsim.v1.Report JSON form)", &outputs.json);
  cl.AddString("junit", "write JUnit XML, one test case per rule", &outputs.junit);
  cl.AddString("html", "write one self-contained HTML file with charts", &outputs.html);
  cl.AddInt("timeout", "seconds to wait for the verdict", &timeout_s);
  cl.AddBool("final",
             "the run is over: judge the journal to its end (a failure not retried by then\n"
             "is abandoned); without it the report is a live snapshot and says \"undecided\"\n"
             "where what comes next could change the outcome",
             &final);
  if (absl::Status s = cl.Parse(argc, argv); !s.ok()) {
    return Fail(absl::StrCat(s.message(), "\n\n", cl.Usage()), kExitUsage);
  }
  if (cl.help_requested()) {
    std::cout << cl.Usage();
    return kExitPass;
  }
  if (control.empty() == journal.empty()) {
    return Fail("give one of --control=HOST:PORT and --journal=FILE", kExitUsage);
  }
  if (!expectations_path.empty() && journal.empty()) {
    return Fail("--expectations needs --journal (a live mock judges by its scenario's)", kExitUsage);
  }
  std::optional<pimsim::v1::Expectations> expectations;
  if (!expectations_path.empty()) {
    absl::StatusOr<pimsim::v1::Expectations> loaded = LoadExpectations(expectations_path);
    if (!loaded.ok()) return Fail(loaded.status().message(), kExitUsage);
    expectations = *std::move(loaded);
  }
  if (!journal.empty()) {
    absl::StatusOr<pimsim::v1::Report> report = JudgeJournalFile(journal, expectations);
    if (!report.ok()) return Fail(report.status().message(), kExitRunFailed);
    return EmitReport(*report, outputs);
  }
  if (!cl.positional().empty()) {
    return Fail(absl::StrCat("unexpected argument \"", cl.positional()[0], "\""), kExitUsage);
  }
  if (timeout_s < 1) return Fail("--timeout must be >= 1", kExitUsage);

  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 << 20);
  auto stub = pimsim::v1::PimControl::NewStub(
      grpc::CreateCustomChannel(control, grpc::InsecureChannelCredentials(), args));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_s));
  if (!control_token.empty()) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", control_token));
  }
  pimsim::v1::Report report;
  pimsim::v1::GetReportRequest request;
  request.set_final(final);
  grpc::Status status = stub->GetReport(&context, request, &report);
  if (!status.ok()) {
    return Fail(absl::StrCat("cannot get the report from ", control, ": ", status.error_message()),
                kExitRunFailed);
  }
  return EmitReport(report, outputs);
}

}  // namespace pimsim::tools
