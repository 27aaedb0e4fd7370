// Test-only: writes a report in one of the formats, for the shell tests that
// check the output with outside tools (python3's XML parser, chromium).
//
//   render_sample <terminal|json|junit|html> <sample|hostile|empty|error> OUT
//
// "hostile" is the sample with markup, quotes, control characters and invalid
// UTF-8 in every free-text field (evidence lines included); "empty" has no
// traffic; "error" is an ERROR verdict with run errors.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "proto/report.pb.h"
#include "report/html_report.h"
#include "report/json_report.h"
#include "report/junit_report.h"
#include "report/sample_report.h"
#include "report/terminal_report.h"

namespace {

constexpr char kHostile[] =
    "<script>alert(1)</script> & \"quoted\" 'single' ]]> \x01\x1b[31m\x7f "
    "bad\xff utf-8 caf\xc3\xa9";

pimsim::v1::Report Variant(const std::string& name, bool* ok) {
  *ok = true;
  pimsim::v1::Report report = pimsim::report::MakeSampleReport();
  if (name == "sample") return report;
  if (name == "hostile") {
    report.set_scenario(kHostile);
    for (auto& rule : *report.mutable_rules()) {
      rule.set_detail(rule.detail() + " " + kHostile);
    }
    for (auto& v : *report.mutable_violations()) {
      v.set_message(v.message() + " " + kHostile);
      v.set_connection(v.connection() + kHostile);
      for (auto& line : *v.mutable_evidence()) {
        line.set_method(line.method() + kHostile);
        line.set_path(line.path() + kHostile);
        line.set_connection(line.connection() + kHostile);
        line.set_fault(kHostile);
      }
    }
    report.set_verdict(pimsim::v1::VERDICT_ERROR);
    report.add_errors(kHostile);
    return report;
  }
  if (name == "empty") {
    pimsim::v1::Report empty;
    empty.set_verdict(pimsim::v1::VERDICT_PASS);
    *empty.mutable_rules() = report.rules();
    for (auto& rule : *empty.mutable_rules()) {
      rule.set_outcome(pimsim::v1::RULE_OUTCOME_UNDECIDED);
      rule.set_violations(0);
    }
    empty.mutable_metrics()->set_limit_in_flight_connection(4);
    empty.mutable_metrics()->set_limit_in_flight_instance(10);
    empty.mutable_metrics()->set_limit_requests_per_second(100);
    return empty;
  }
  if (name == "error") {
    report.set_verdict(pimsim::v1::VERDICT_ERROR);
    report.add_errors(
        "journal overflowed after 10,000 events; the verdict is incomplete");
    report.add_errors("workload command exited with status 137 (killed)");
    report.set_journal_overflowed(532);
    return report;
  }
  *ok = false;
  return report;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: render_sample <terminal|json|junit|html> "
                 "<sample|hostile|empty|error> OUT\n";
    return 2;
  }
  const std::string format = argv[1];
  bool ok;
  const pimsim::v1::Report report = Variant(argv[2], &ok);
  if (!ok) {
    std::cerr << "render_sample: unknown variant " << argv[2] << "\n";
    return 2;
  }
  std::string out;
  if (format == "terminal") {
    out = pimsim::report::RenderTerminal(report, false);
  } else if (format == "json") {
    absl::StatusOr<std::string> json = pimsim::report::RenderJson(report);
    if (!json.ok()) {
      std::cerr << "render_sample: " << json.status() << "\n";
      return 1;
    }
    out = *json;
  } else if (format == "junit") {
    out = pimsim::report::RenderJunit(report);
  } else if (format == "html") {
    out = pimsim::report::RenderHtml(report);
  } else {
    std::cerr << "render_sample: unknown format " << format << "\n";
    return 2;
  }
  std::ofstream file(argv[3], std::ios::binary);
  file << out;
  file.close();
  if (!file) {
    std::cerr << "render_sample: cannot write " << argv[3] << "\n";
    return 1;
  }
  return 0;
}
