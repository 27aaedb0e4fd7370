// The compliance rule catalogue: every rule's stable id, default severity and
// one-sentence description, in the order of DESIGN.md's "Compliance rules".
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
#include "proto/report.pb.h"

namespace pimsim::checker {

struct RuleInfo {
  const char* id;
  pimsim::v1::Severity severity;
  const char* description;
  // What to change in the client when the rule is violated, one line.
  const char* advice;
};

// All rules, in DESIGN.md order.
absl::Span<const RuleInfo> Catalogue();

// Index of `id` in Catalogue(), or -1.
int FindRule(absl::string_view id);

}  // namespace pimsim::checker

#endif  // PIMSIM_CHECKER_CATALOGUE_H_
