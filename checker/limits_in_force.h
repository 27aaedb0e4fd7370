// LimitsInForce: the usage limits a rule compares the client with, resolved
// per instance from pimsim.v1.Limits (unset fields: the Akeneo defaults of
// limits.proto; a missing instance: all defaults; enabled = false: nothing
// is enforced, so the concurrency and rate rules have nothing to judge).
//
// Thread-safety: plain values and pure functions.
//
//   LimitsInForce l = ResolveLimits(input.limits, "main");
//   if (l.in_flight_per_connection != 0 && count > l.in_flight_per_connection) ...
#ifndef PIMSIM_CHECKER_LIMITS_IN_FORCE_H_
#define PIMSIM_CHECKER_LIMITS_IN_FORCE_H_

#include <cstdint>
#include <map>
#include <string>

#include "limits/limits_config.h"
#include "proto/limits.pb.h"

namespace pimsim::checker {

struct LimitsInForce {
  bool enabled = true;
  // 0: unlimited.
  uint32_t in_flight_per_connection = kAkeneoMaxInFlightPerConnection;
  uint32_t in_flight_per_instance = kAkeneoMaxInFlightPerInstance;
  // Rates are requests per second; 0: unlimited.
  double requests_per_second = kAkeneoRequestsPerSecond;
  uint32_t burst = kAkeneoBurst;
  double option_writes_per_second = kAkeneoAttributeOptionWritesPerSecond;
  uint32_t option_write_burst = kAkeneoAttributeOptionBurst;
  // Retry-After is sent as an HTTP-date (whole seconds, so a client may
  // legitimately come back up to 1 s before the journaled delay).
  bool retry_after_http_date = false;
};

LimitsInForce ResolveLimits(const std::map<std::string, pimsim::v1::Limits>& limits,
                            const std::string& instance);

}  // namespace pimsim::checker

#endif  // PIMSIM_CHECKER_LIMITS_IN_FORCE_H_
