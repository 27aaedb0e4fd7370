#include "checker/expectations.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "checker/catalogue.h"
#include "checker/thresholds.h"

namespace pimsim::checker {

absl::Status ValidateExpectations(const pimsim::v1::Expectations& e) {
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < e.rules_size(); ++i) {
    const pimsim::v1::RuleOverride& r = e.rules(i);
    const std::string where = absl::StrCat("rules[", i, "]");
    if (FindRule(r.rule()) < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".rule: unknown rule id \"", r.rule(), "\""));
    }
    if (!seen.insert(r.rule()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".rule: rule \"", r.rule(), "\" is overridden twice"));
    }
    if (!pimsim::v1::Severity_IsValid(r.severity())) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".severity: unknown severity ", r.severity()));
    }
  }
  if (!e.has_thresholds()) return absl::OkStatus();
  return ValidateThresholds(e.thresholds());
}

}  // namespace pimsim::checker
