// InFlight: how many requests the CLIENT had in flight at each arrival, per
// PIM connection and per instance, whatever the server answered (rejected
// requests count: the client sent them).
//
// At the arrival t of attempt i, the count is i itself plus every earlier
// attempt of the same group with arrival <= t whose client-side end
// (Attempt::end_us) is more than epsilon after t: a response written up to
// epsilon after an arrival is taken to have reached the client first, since
// the mock stamps both on different threads. Requests without a PIM
// connection count for their instance only. The counts only rise at
// arrivals, so their maximum over arrivals is the peak.
//
// A sweep over [arrival, end) intervals with one min-heap of ends per group:
// O(n log k) for k requests in flight.
//
// Thread-safety: pure function.
//
//   InFlight f = ComputeInFlight(table, thresholds.epsilon_us);
//   if (f.connection[i] > 4) ...
#ifndef PIMSIM_CHECKER_IN_FLIGHT_H_
#define PIMSIM_CHECKER_IN_FLIGHT_H_

#include <cstdint>
#include <vector>

#include "checker/attempts.h"

namespace pimsim::checker {

struct InFlight {
  // Per attempt, at its arrival. connection[i] is 0 for attempts without a
  // PIM connection.
  std::vector<uint32_t> connection;
  std::vector<uint32_t> instance;
};

InFlight ComputeInFlight(const AttemptTable& table, int64_t epsilon_us);

// The attempts (indexes, in arrival order) that attempt `i` found in flight
// in its group (its connection, or its instance if `instance` is true),
// itself included; the same set ComputeInFlight counted. `count` is the
// count ComputeInFlight gave: the backward scan stops once it has them all.
std::vector<uint32_t> InFlightSet(const AttemptTable& table, int64_t epsilon_us, size_t i,
                                  bool instance, uint32_t count);

}  // namespace pimsim::checker

#endif  // PIMSIM_CHECKER_IN_FLIGHT_H_
