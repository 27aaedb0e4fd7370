// RuleInfo: one entry of the rule catalogue (catalogue.h), its id, default
// severity, description, advice and the function that judges it
// (rules/rules.h).
//
// Thread-safety: plain immutable data.
#ifndef PIMSIM_CHECKER_RULE_INFO_H_
#define PIMSIM_CHECKER_RULE_INFO_H_

#include "proto/report.pb.h"

namespace pimsim::checker {

struct Analysis;
class RuleRecorder;

// Judges one rule over an Analysis, writing into the RuleRecorder.
using RuleFn = void (*)(const Analysis&, RuleRecorder&);

struct RuleInfo {
  const char* id;
  pimsim::v1::Severity severity;
  const char* description;
  // What to change in the client when the rule is violated, one line.
  const char* advice;
  RuleFn check;
};

}  // namespace pimsim::checker

#endif  // PIMSIM_CHECKER_RULE_INFO_H_
