// The compliance rule catalogue: every rule's stable id, default severity,
// one-sentence description, advice and the function that judges it, in the
// order of DESIGN.md's "Compliance rules": the one table of the rules.
// Reports list rule results in this order.
//
// Thread-safety: immutable static data.
//
//   for (const RuleInfo& rule : Catalogue()) std::cout << rule.id << "\n";
//   int i = FindRule("backoff.no_jitter");  // -1 if unknown
#ifndef PIMSIM_CHECKER_CATALOGUE_H_
#define PIMSIM_CHECKER_CATALOGUE_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "checker/rule_info.h"

namespace pimsim::checker {

// All rules, in DESIGN.md order.
absl::Span<const RuleInfo> Catalogue();

// Index of `id` in Catalogue(), or -1.
int FindRule(absl::string_view id);

}  // namespace pimsim::checker

#endif  // PIMSIM_CHECKER_CATALOGUE_H_
