// Which limits a client is judged against when the limits in force changed
// during a journal (phases, `pimsim ctl limits set`): the loosest of them,
// so that a request that kept the limits of its moment is never convicted
// under a stricter one that came later (or went earlier). The mock folds
// every change into its instance's judged limits with LoosestLimits; the
// checker's rules then read them (limits_in_force.h).
//
// Thread-safety: a pure function.
#ifndef PIMSIM_CHECKER_JUDGED_LIMITS_H_
#define PIMSIM_CHECKER_JUDGED_LIMITS_H_

#include "limits/limits_config.h"

namespace pimsim::checker {

// `earlier` and then `later` in force: each limit at its loosest (0, no
// limit, is the loosest), enforcement only if both enforced, and the
// HTTP-date form of Retry-After if either used it (a date is read to the
// second, so it earns the wider tolerance).
EffectiveLimits LoosestLimits(EffectiveLimits earlier, const EffectiveLimits& later);

}  // namespace pimsim::checker

#endif  // PIMSIM_CHECKER_JUDGED_LIMITS_H_
