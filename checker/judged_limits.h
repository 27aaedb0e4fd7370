// Which limits a client is judged against when the limits in force changed
// during a journal (phases, `pimsim ctl limits set`): the loosest of them,
// so that a request that kept the limits of its moment is never convicted
// under a stricter one that came later (or went earlier). The mock records
// each change in its journal (and journal file); Check() folds them with
// JudgedLimits, and the rules read the result (limits_in_force.h).
//
// Thread-safety: a pure function.
#ifndef PIMSIM_CHECKER_JUDGED_LIMITS_H_
#define PIMSIM_CHECKER_JUDGED_LIMITS_H_

#include <map>
#include <string>

#include "absl/types/span.h"
#include "limits/limits_config.h"
#include "proto/journal.pb.h"

namespace pimsim::checker {

// `earlier` and then `later` in force: each limit at its loosest (0, no
// limit, is the loosest), enforcement only if both enforced, and the
// HTTP-date form of Retry-After if either used it (a date is read to the
// second, so it earns the wider tolerance).
EffectiveLimits LoosestLimits(EffectiveLimits earlier, const EffectiveLimits& later);

// Per instance named in `changes`, the loosest of the limits it had
// (LoosestLimits over its changes, the first being its starting limits).
std::map<std::string, pimsim::v1::Limits> JudgedLimits(
    absl::Span<const pimsim::v1::LimitChange> changes);

}  // namespace pimsim::checker

#endif  // PIMSIM_CHECKER_JUDGED_LIMITS_H_
