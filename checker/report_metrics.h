// ReportMetrics: the traffic figures and the timeline of a report (request
// and status counts, latency percentiles, peak in-flight counts, per-bucket
// traffic for the charts, the limits for their reference lines).
//
// The bucket width is the smallest of 100 ms, 200 ms, 500 ms, 1 s, 2 s, 5 s,
// 10 s, 15 s, 30 s, 1 min, 2 min, 5 min, 10 min, 15 min, 30 min, 1 h, 2 h,
// 6 h, 12 h, 1 day that keeps the timeline at or under 300 buckets. In-flight
// maxima are the client-side counts of in_flight.h, sampled at arrivals
// (where they peak).
//
// Thread-safety: pure function.
//
//   pimsim::v1::ReportMetrics m = ComputeMetrics(table, chains, in_flight,
//                                                violation_times, limits);
#ifndef PIMSIM_CHECKER_REPORT_METRICS_H_
#define PIMSIM_CHECKER_REPORT_METRICS_H_

#include <cstdint>
#include <vector>

#include "checker/attempts.h"
#include "checker/in_flight.h"
#include "checker/limits_in_force.h"
#include "checker/retry_chains.h"
#include "proto/report.pb.h"

namespace pimsim::checker {

inline constexpr int64_t kMaxTimelineBuckets = 300;

// The bucket width for a run of `duration_us`.
int64_t TimelineBucketUs(int64_t duration_us);

// `limits` is by instance id; the reference lines show the instance with
// the most requests. `violation_times_us` are the times of all counted
// violations (listed or not).
pimsim::v1::ReportMetrics ComputeMetrics(const AttemptTable& table, const RetryChains& chains,
                                         const InFlight& in_flight,
                                         const std::vector<int64_t>& violation_times_us,
                                         const std::vector<LimitsInForce>& limits);

}  // namespace pimsim::checker

#endif  // PIMSIM_CHECKER_REPORT_METRICS_H_
