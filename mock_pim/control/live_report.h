// The compliance report of a running mock: the checker over the journal so
// far, with the limits, fault rules and expectations in force.
//
// Thread-safety: safe to call while the mock serves; it reads a snapshot of
// the completed journal events.
//
//   pimsim::v1::Report report = LiveReport(pim);
#ifndef PIMSIM_MOCK_PIM_CONTROL_LIVE_REPORT_H_
#define PIMSIM_MOCK_PIM_CONTROL_LIVE_REPORT_H_

#include "mock_pim/mock_pim.h"
#include "proto/report.pb.h"

namespace pimsim::control {

// `live` marks the journal as still growing, so that rules needing what
// comes after an event (an abandoned retry, a hang never given up on) do not
// judge its most recent events yet.
pimsim::v1::Report LiveReport(MockPim& pim, bool live = true);

}  // namespace pimsim::control

#endif  // PIMSIM_MOCK_PIM_CONTROL_LIVE_REPORT_H_
