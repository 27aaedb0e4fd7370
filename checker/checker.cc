#include "checker/checker.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "checker/judged_limits.h"
#include "checker/report_metrics.h"
#include "checker/rules/analysis.h"

namespace pimsim::checker {
namespace {

}  // namespace

pimsim::v1::Report Check(const CheckInput& input) {
  std::optional<journal::EventTable> converted;
  if (input.table == nullptr) {
    converted = input.events != nullptr ? journal::EventTable::FromEvents(*input.events)
                                        : journal::EventTable();
  }
  const journal::EventTable& events = input.table != nullptr ? *input.table : *converted;
  pimsim::v1::Report report;
  report.set_scenario(input.scenario_name);
  report.set_events(events.size());
  report.set_journal_overflowed(input.journal_overflowed);
  report.set_live(input.live);
  for (const std::string& e : input.run_errors) report.add_errors(e);
  if (input.journal_overflowed > 0) {
    report.add_errors(absl::StrCat("journal incomplete: ", input.journal_overflowed,
                                   " events were lost (overflow); the verdict fails closed"));
  }

  Thresholds thresholds;
  if (absl::Status s = ValidateExpectations(input.expectations); !s.ok()) {
    report.add_errors(absl::StrCat("invalid expectations: ", s.message()));
  } else {
    thresholds = ResolveThresholds(input.expectations.thresholds());
  }

  std::map<std::string, pimsim::v1::Limits> limits = input.limits;
  for (auto& [instance, judged] : JudgedLimits(input.limit_changes)) limits[instance] = judged;
  const Analysis analysis =
      BuildAnalysis(events, input.fault_kinds, thresholds, limits, input.live);

  std::vector<int64_t> violation_times;
  std::vector<pimsim::v1::Violation> violations;
  bool error_violation = false;
  for (const RuleInfo& rule : Catalogue()) {
    bool enabled = true;
    pimsim::v1::Severity severity = rule.severity;
    for (const pimsim::v1::RuleOverride& o : input.expectations.rules()) {
      if (o.rule() != rule.id) continue;
      if (o.has_enabled()) enabled = o.enabled();
      if (o.severity() != pimsim::v1::SEVERITY_UNSPECIFIED) severity = o.severity();
    }
    RuleRecorder rec(analysis, rule, severity);
    if (!enabled) {
      pimsim::v1::RuleResult* r = report.add_rules();
      *r = rec.Result();
      r->set_outcome(pimsim::v1::RULE_OUTCOME_DISABLED);
      r->set_detail("disabled by the scenario's expectations");
      continue;
    }
    rule.check(analysis, rec);
    *report.add_rules() = rec.Result();
    error_violation = error_violation || rec.worst() >= pimsim::v1::SEVERITY_ERROR;
    report.set_violations_dropped(report.violations_dropped() + rec.dropped());
    violation_times.insert(violation_times.end(), rec.times().begin(), rec.times().end());
    for (pimsim::v1::Violation& v : rec.listed()) violations.push_back(std::move(v));
  }
  std::stable_sort(violations.begin(), violations.end(),
                   [](const pimsim::v1::Violation& x, const pimsim::v1::Violation& y) {
                     return x.time_us() < y.time_us();
                   });
  for (pimsim::v1::Violation& v : violations) *report.add_violations() = std::move(v);
  *report.mutable_metrics() = ComputeMetrics(analysis.table, analysis.chains, analysis.in_flight,
                                             violation_times, analysis.limits);

  if (report.errors_size() > 0) {
    report.set_verdict(pimsim::v1::VERDICT_ERROR);
  } else if (error_violation) {
    report.set_verdict(pimsim::v1::VERDICT_FAIL);
  } else {
    report.set_verdict(pimsim::v1::VERDICT_PASS);
  }
  return report;
}

}  // namespace pimsim::checker
